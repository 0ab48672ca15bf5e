// Image profiles on disk: the built-in ones in resources/profiles/<id>.yaml, or a profile file given by path.
import { readdir, readFile } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { ProfileError, parseImageProfile, type ImageProfile } from '../../../src-shared/profile/index.ts';
import { appRoot, resourcesDir } from '../app/app-info.ts';

/** The order the GUI shows them in; other built-in files follow alphabetically. */
const PREFERRED_ORDER = ['classroom', 'appliance', 'kiosk', 'raw'];

export function builtInProfilesDir(): string {
  return join(resourcesDir(), 'profiles');
}

/** How a file is named in messages: relative to the app root when inside it (resources/profiles/x.yaml). */
export function displayPath(path: string): string {
  const abs = resolve(path);
  const rel = relative(appRoot(), abs);
  return rel && !rel.startsWith('..') && !rel.startsWith(sep) ? rel : abs;
}

function looksLikePath(idOrPath: string): boolean {
  return idOrPath.includes('/') || /\.ya?ml$/i.test(idOrPath);
}

/** The ids of the built-in profiles, in display order. */
export async function builtInProfileIds(dir = builtInProfilesDir()): Promise<string[]> {
  const names = await readdir(dir);
  const ids = names.filter((n) => n.endsWith('.yaml')).map((n) => n.slice(0, -'.yaml'.length));
  const rank = (id: string) => {
    const i = PREFERRED_ORDER.indexOf(id);
    return i === -1 ? PREFERRED_ORDER.length : i;
  };
  return ids.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

/** Reads and validates one profile file; `expectId` makes the id match the file name. */
export async function loadProfileFile(path: string, expectId?: string): Promise<ImageProfile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const why = e.code === 'ENOENT' ? 'no such file' : e.message;
    throw new ProfileError(displayPath(path), [{ path: '', message: why }]);
  }
  return parseImageProfile(text, displayPath(path), expectId);
}

/**
 * A profile by built-in id ("appliance") or by file path ("./my-profile.yaml"). An unknown id is refused
 * with the list of built-in ones.
 */
export async function loadProfile(idOrPath: string, dir = builtInProfilesDir()): Promise<ImageProfile> {
  if (looksLikePath(idOrPath)) return loadProfileFile(resolve(idOrPath));
  const ids = await builtInProfileIds(dir);
  if (!ids.includes(idOrPath)) {
    throw new ProfileError(idOrPath, [
      { path: '', message: `no such profile (built-in: ${ids.join(', ')}; or give a .yaml file)` },
    ]);
  }
  return loadProfileFile(join(dir, `${idOrPath}.yaml`), idOrPath);
}

/** Every built-in profile, validated, in display order. A broken file fails the whole list (it is a bug). */
export async function listProfiles(dir = builtInProfilesDir()): Promise<ImageProfile[]> {
  const ids = await builtInProfileIds(dir);
  return Promise.all(ids.map((id) => loadProfileFile(join(dir, `${id}.yaml`), id)));
}

