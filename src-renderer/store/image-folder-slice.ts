// The image-file target's folder, checked by the services as the path is typed (drives.checkImageFolder): a
// folder that does not exist, is a file, is not the user's to write in, or has no room is said at the targets
// step, and the wizard goes no further with it (stepReady), nor does the store start a flash with it.
import { imageFilePathProblem } from '../../src-shared/drives/image-file-target.ts';
import { imageFolderNoticeWords, imageFolderWords } from '../../src-shared/errors/rule-words.ts';
import { errorText } from './error-text.ts';
import type { ImageFolderSlice, SliceCreator, WizardState } from './state.ts';

/** What the folder is checked for now, or null when there is nothing to check (no image file, no full path yet). */
function wanted(s: WizardState): { key: string; path: string; sizeBytes: number; writeBytes: number } | null {
  const img = s.imageTarget;
  const path = img.path.trim();
  if (!img.enabled || !path.startsWith('/') || imageFilePathProblem(path) || img.sizeBytes <= 0) return null;
  // The least the job writes into the sparse file: about the source's bytes (a bundle's slots, a raw image).
  const writeBytes = s.source?.sizeBytes ?? 0;
  return { key: `${path}|${img.sizeBytes}|${writeBytes}`, path, sizeBytes: img.sizeBytes, writeBytes };
}

export const createImageFolderSlice: SliceCreator<ImageFolderSlice> = (set, get, api) => ({
  imageFolder: null,
  async checkImageFolder(again = false) {
    const want = wanted(get());
    if (!want) {
      if (get().imageFolder) set({ imageFolder: null });
      return;
    }
    const now = get().imageFolder;
    if (now?.key === want.key && !again) return;
    // Checked again (the user may have made the folder meanwhile): the last answer stays shown until the new one.
    if (now?.key !== want.key) set({ imageFolder: { key: want.key, status: 'checking' } });
    let entry: NonNullable<WizardState['imageFolder']>;
    try {
      const check = await api.checkImageFolder(want.path, want.sizeBytes, want.writeBytes);
      // said in the GUI's language from the typed answer; the services' own words only from one that sends none
      const problem = check.said ? imageFolderWords(check.said) : check.problem;
      const notice = check.noticeSaid ? imageFolderNoticeWords(check.noticeSaid) : check.notice;
      entry = { key: want.key, status: 'done', problem, notice };
    } catch (err) {
      entry = { key: want.key, status: 'done', problem: errorText(err), notice: null };
    }
    // An answer for a path that was changed meanwhile is dropped.
    if (wanted(get())?.key === want.key) set({ imageFolder: entry });
  },
});

/** Why the image file's folder stops the wizard (or that it is still being checked), or null when it does not. */
export function imageFolderHint(s: WizardState): string | null {
  const want = wanted(s);
  if (!want) return null;
  const entry = s.imageFolder;
  if (!entry || entry.key !== want.key || entry.status === 'checking') return 'checking';
  return entry.problem;
}
