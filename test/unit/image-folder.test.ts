// The image-file folder rules (src-shared/drives/image-folder.ts) as a table over gathered facts, in both languages.
import { afterEach, describe, expect, it } from 'vitest';
import { imageFolderVerdict, type ImageFolderFacts } from '../../src-shared/drives/image-folder.ts';
import { setLocale } from '../../src-shared/i18n/index.ts';

const GB = 1000 ** 3;
const MB = 1000 ** 2;
const folder = (o: Partial<ImageFolderFacts> = {}): ImageFolderFacts => ({
  folder: '/home/ana/sticks',
  kind: 'folder',
  existingParent: null,
  writable: true,
  freeBytes: 20 * GB,
  reclaimableBytes: 0,
  ...o,
});
const PATH = '/home/ana/sticks/class.img';

describe('imageFolderVerdict', () => {
  afterEach(() => setLocale('en'));

  it.each([
    ['a folder with room', folder(), 8 * GB, 100 * MB, 'ok', null],
    ['no folder', folder({ kind: 'absent', existingParent: '/home/ana' }), 8 * GB, 0, 'no-folder', 'The folder /home/ana/sticks does not exist. Create it first (in /home/ana), or choose a folder that exists.'],
    ['no folder and none above', folder({ kind: 'absent' }), 8 * GB, 0, 'no-folder', 'The folder /home/ana/sticks does not exist. Create it first, or choose a folder that exists.'],
    ['a file in its place', folder({ kind: 'not-folder' }), 8 * GB, 0, 'not-folder', '/home/ana/sticks is a file, not a folder. Choose a folder for the image file.'],
    ['not writable', folder({ writable: false }), 8 * GB, 0, 'not-writable', 'You may not write in the folder /home/ana/sticks. Choose a folder of your own (your home folder, /tmp or a mounted drive).'],
    ['no room for the write', folder({ freeBytes: 50 * MB }), 8 * GB, 100 * MB, 'no-room', 'Not enough space for /home/ana/sticks/class.img: its folder has 50.0 MB free, this write needs at least 100 MB. Free some space or choose another folder.'],
    ['room once the old image is replaced', folder({ freeBytes: 50 * MB, reclaimableBytes: 60 * MB }), 100 * MB, 100 * MB, 'ok', null],
  ] as const)('%s', (_what, facts, sizeBytes, writeBytes, code, problem) => {
    const v = imageFolderVerdict(PATH, facts, { sizeBytes, writeBytes });
    expect(v.code).toBe(code);
    expect(v.problem).toBe(problem);
  });

  it('a sparse image bigger than the free space: goes on, and says so', () => {
    const v = imageFolderVerdict(PATH, folder({ freeBytes: 3 * GB }), { sizeBytes: 8 * GB, writeBytes: 1 * GB });
    expect(v).toEqual({
      code: 'ok',
      problem: null,
      notice: 'The folder has 3.0 GB free: enough for this write, but not for the whole 8.0 GB if the image is filled later.',
      said: null,
      noticeSaid: { freeBytes: 3 * GB, sizeBytes: 8 * GB },
    });
  });

  it('speaks German when iios does', () => {
    setLocale('de');
    expect(imageFolderVerdict(PATH, folder({ kind: 'absent', existingParent: '/home/ana' }), { sizeBytes: GB }).problem).toBe(
      'Den Ordner /home/ana/sticks gibt es nicht. Legen Sie ihn zuerst an (in /home/ana) oder wählen Sie einen vorhandenen Ordner.',
    );
  });
});
