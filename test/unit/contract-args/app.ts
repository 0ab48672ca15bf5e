import type { ArgsRow } from './row.ts';

export const rows: Record<string, ArgsRow> = {
  'app.info': { good: [undefined, {}], bad: [{ verbose: true }] },
  'app.pickPath': {
    good: [
      { mode: 'open-folder', title: 'Choose a bundle folder' },
      { mode: 'open-file', title: 'Choose a disk image', filters: [{ name: 'Disk images', extensions: ['img', 'xz'] }, { name: 'All files', extensions: ['*'] }], defaultPath: '/srv/lab.img.xz' },
      { mode: 'save-file', title: 'Save the stick image as', filters: [{ name: 'Disk image', extensions: ['img'] }], defaultPath: 'iios-appliance.img' },
      { mode: 'open-files', title: 'Choose payload files' },
    ],
    bad: [
      undefined,
      {},
      { mode: 'open-file' },
      { mode: 'open-dir', title: 'x' },
      { mode: 'open-file', title: '' },
      { mode: 'open-file', title: 'x', extra: 1 },
      // a suggested path is absolute or a bare name: nothing relative that resolves against an unknown folder
      { mode: 'save-file', title: 'x', defaultPath: 'images/class.img' },
      { mode: 'save-file', title: 'x', defaultPath: '' },
      // extensions without the dot, no patterns, no empty list
      { mode: 'open-file', title: 'x', filters: [{ name: 'Images', extensions: ['.img'] }] },
      { mode: 'open-file', title: 'x', filters: [{ name: 'Images', extensions: ['*.img'] }] },
      { mode: 'open-file', title: 'x', filters: [{ name: 'Images', extensions: [] }] },
    ],
  },
};
