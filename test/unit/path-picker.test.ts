// The app.pickPath service over a stand-in for Electron's dialog module (Electron cannot run here): which
// dialog opens with which options on which window, and how its answer becomes the contract's result —
// a save name without the filter's extension gets it appended.
import { describe, expect, it } from 'vitest';
import { PickPathResult, type PickPathArgs } from '../../src-shared/contract/index.ts';
import { createPathPicker, withFilterExtension, type DialogLike } from '../../src-main/services/app/path-picker.ts';

interface Win {
  id: number;
}

function fakeDialog(answer: { canceled: boolean; filePaths?: string[]; filePath?: string }) {
  const calls: { kind: 'open' | 'save'; window: Win; options: unknown }[] = [];
  const dialog: DialogLike<Win> = {
    showOpenDialog: async (window, options) => {
      calls.push({ kind: 'open', window, options });
      return { canceled: answer.canceled, filePaths: answer.filePaths ?? [] };
    },
    showSaveDialog: async (window, options) => {
      calls.push({ kind: 'save', window, options });
      return { canceled: answer.canceled, filePath: answer.filePath ?? '' };
    },
  };
  return { dialog, calls };
}

const windows = new Map<number, Win>([[3, { id: 3 }]]);
const windowOf = (ctx: { senderId?: number }) => (ctx.senderId === undefined ? null : (windows.get(ctx.senderId) ?? null));
const electron = { transport: 'electron' as const, senderId: 3 };
const imgFilter = [{ name: 'Disk image', extensions: ['img'] }];

async function pick(answer: Parameters<typeof fakeDialog>[0], args: PickPathArgs, ctx: { transport: 'electron'; senderId?: number } = electron) {
  const { dialog, calls } = fakeDialog(answer);
  const result = await createPathPicker({ dialog, windowOf })(args, ctx);
  expect(PickPathResult.safeParse(result).success).toBe(true);
  return { result, calls };
}

describe('path picker', () => {
  it('opens a folder chooser modal to the calling window, without filters', async () => {
    const { result, calls } = await pick({ canceled: false, filePaths: ['/media/usb/lab'] }, { mode: 'open-folder', title: 'Choose a bundle folder', filters: imgFilter, defaultPath: '/media/usb' });
    expect(result).toEqual({ cancelled: false, paths: ['/media/usb/lab'] });
    expect(calls).toEqual([
      { kind: 'open', window: { id: 3 }, options: { title: 'Choose a bundle folder', defaultPath: '/media/usb', properties: ['openDirectory', 'createDirectory', 'dontAddToRecent'] } },
    ]);
  });

  it('keeps one file for open-file and every file for open-files', async () => {
    const two = { canceled: false, filePaths: ['/k/start.html', '/k/logo.png'] };
    expect((await pick(two, { mode: 'open-file', title: 't' })).result).toEqual({ cancelled: false, paths: ['/k/start.html'] });
    const many = await pick(two, { mode: 'open-files', title: 't' });
    expect(many.result).toEqual({ cancelled: false, paths: ['/k/start.html', '/k/logo.png'] });
    expect(many.calls[0]!.options).toMatchObject({ properties: ['openFile', 'multiSelections', 'dontAddToRecent'] });
  });

  it('saves with the suggested .img name and appends .img when the user left it out', async () => {
    const args: PickPathArgs = { mode: 'save-file', title: 'Save the stick image as', filters: imgFilter, defaultPath: 'iios-appliance.img' };
    const typedBare = await pick({ canceled: false, filePath: '/home/teacher/class-a' }, args);
    expect(typedBare.result).toEqual({ cancelled: false, paths: ['/home/teacher/class-a.img'] });
    expect(typedBare.calls[0]).toMatchObject({ kind: 'save', options: { defaultPath: 'iios-appliance.img', filters: imgFilter } });
    expect((await pick({ canceled: false, filePath: '/home/teacher/class-a.IMG' }, args)).result).toEqual({ cancelled: false, paths: ['/home/teacher/class-a.IMG'] });
    expect((await pick({ canceled: false, filePath: '/home/teacher/v1.2' }, args)).result).toEqual({ cancelled: false, paths: ['/home/teacher/v1.2.img'] });
  });

  it('answers cancelled for a cancelled dialog, an empty answer, or a window that is gone (nothing opens then)', async () => {
    expect((await pick({ canceled: true, filePath: '' }, { mode: 'save-file', title: 't', filters: imgFilter })).result).toEqual({ cancelled: true });
    expect((await pick({ canceled: true, filePaths: [] }, { mode: 'open-file', title: 't' })).result).toEqual({ cancelled: true });
    expect((await pick({ canceled: false, filePaths: [] }, { mode: 'open-files', title: 't' })).result).toEqual({ cancelled: true });
    const gone = await pick({ canceled: false, filePaths: ['/x'] }, { mode: 'open-file', title: 't' }, { transport: 'electron', senderId: 99 });
    expect(gone).toEqual({ result: { cancelled: true }, calls: [] });
  });

  it('appends only real extensions', () => {
    expect(withFilterExtension('/a/b', [{ name: 'All', extensions: ['*'] }])).toBe('/a/b');
    expect(withFilterExtension('/a/b', undefined)).toBe('/a/b');
    expect(withFilterExtension('/a/b.', imgFilter)).toBe('/a/b.img');
    expect(withFilterExtension('/a.img/b', imgFilter)).toBe('/a.img/b.img');
  });
});
