// Image profiles on disk: the built-in ones in resources/profiles/<id>.yaml, or a profile file given by path.
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { fileKindOf, wrongFileKind } from '../../../src-shared/format/file-kind.ts';
import { ProfileError, fileIssue, parseImageProfile, unreadableIssue, type ImageProfile } from '../../../src-shared/profile/index.ts';
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

/** Profiles are YAML files; nothing else is opened, so a mistyped path (or a request over the bridge) never
 * has iios read, and quote back, a file that is no profile (/etc/shadow). */
const PROFILE_FILE = /\.ya?ml$/i;

/** Reads and validates one profile file; `expectId` makes the id match the file name. */
export async function loadProfileFile(path: string, expectId?: string): Promise<ImageProfile> {
  const shown = displayPath(path);
  if (!PROFILE_FILE.test(path)) {
    const message = 'not read: a profile is a .yaml or .yml file (or give a built-in profile id, e.g. appliance)';
    throw new ProfileError(shown, [fileIssue('', message, 'not-yaml-file', { example: 'appliance' })]);
  }
  const st = await stat(path).catch((err: NodeJS.ErrnoException) => {
    throw new ProfileError(shown, [err.code === 'ENOENT' ? fileIssue('', 'no such file', 'no-such-file') : unreadableIssue(err)]);
  });
  // a FIFO would block the read forever, a device would be read without end
  const wrong = wrongFileKind('it', st);
  if (wrong) throw new ProfileError(shown, [fileIssue('', wrong, 'wrong-file-kind', { kind: fileKindOf(st) })]);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new ProfileError(shown, [unreadableIssue(err as NodeJS.ErrnoException)]);
  }
  return parseImageProfile(text, shown, expectId);
}

/**
 * A profile by built-in id ("appliance") or by file path ("./my-profile.yaml"). An unknown id is refused
 * with the list of built-in ones.
 */
export async function loadProfile(idOrPath: string, dir = builtInProfilesDir()): Promise<ImageProfile> {
  if (looksLikePath(idOrPath)) return loadProfileFile(resolve(idOrPath));
  const ids = await builtInProfileIds(dir);
  if (!ids.includes(idOrPath)) {
    const message = `no such profile (built-in: ${ids.join(', ')}; or give a .yaml file)`;
    throw new ProfileError(idOrPath, [fileIssue('', message, 'unknown-profile', { ids: ids.join(', ') })]);
  }
  return loadProfileFile(join(dir, `${idOrPath}.yaml`), idOrPath);
}

/** Every built-in profile, validated, in display order. A broken file fails the whole list (it is a bug). */
export async function listProfiles(dir = builtInProfilesDir()): Promise<ImageProfile[]> {
  const ids = await builtInProfileIds(dir);
  return Promise.all(ids.map((id) => loadProfileFile(join(dir, `${id}.yaml`), id)));
}

