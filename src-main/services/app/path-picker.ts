// The `app.pickPath` service: turns the contract's request into a call of Electron's dialog module and
// its answer into the contract's result. Electron's `dialog` and the window lookup come in as parameters,
// so this runs (and is tested) in plain Node; src-main/app/main.ts only wires the real ones in.
import type { PickPathArgs, PickPathResult } from '../../../src-shared/contract/index.ts';
import type { HandlerContext, PathPicker } from '../handlers.ts';

type OpenProperty = 'openFile' | 'openDirectory' | 'multiSelections' | 'createDirectory' | 'dontAddToRecent';
type SaveProperty = 'createDirectory' | 'showOverwriteConfirmation' | 'dontAddToRecent';

export interface DialogFilter {
  name: string;
  extensions: string[];
}

/** The part of Electron's `dialog` module that the picker uses (window-modal forms only). */
export interface DialogLike<W> {
  showOpenDialog(
    window: W,
    options: { title: string; defaultPath?: string; filters?: DialogFilter[]; properties: OpenProperty[] },
  ): Promise<{ canceled: boolean; filePaths: string[] }>;
  showSaveDialog(
    window: W,
    options: { title: string; defaultPath?: string; filters?: DialogFilter[]; properties: SaveProperty[] },
  ): Promise<{ canceled: boolean; filePath?: string }>;
}

export interface PathPickerDeps<W> {
  dialog: DialogLike<W>;
  /** The window of the calling webContents, or null when it is gone (then nothing opens). */
  windowOf(ctx: HandlerContext): W | null;
}

const OPEN_PROPERTIES: Record<Exclude<PickPathArgs['mode'], 'save-file'>, OpenProperty[]> = {
  'open-file': ['openFile', 'dontAddToRecent'],
  'open-files': ['openFile', 'multiSelections', 'dontAddToRecent'],
  'open-folder': ['openDirectory', 'createDirectory', 'dontAddToRecent'],
};

/**
 * A saved name that ends in none of the filters' extensions gets the first one: GTK's save dialog does not
 * add it, and a teacher who types "class-a" means "class-a.img".
 */
export function withFilterExtension(path: string, filters: DialogFilter[] | undefined): string {
  const extensions = (filters ?? []).flatMap((f) => f.extensions).filter((e) => e !== '*');
  if (extensions.length === 0) return path;
  const name = path.slice(path.lastIndexOf('/') + 1).toLowerCase();
  if (extensions.some((e) => name.endsWith(`.${e.toLowerCase()}`))) return path;
  return `${path.replace(/\.$/, '')}.${extensions[0]}`;
}

export function createPathPicker<W>(deps: PathPickerDeps<W>): PathPicker {
  return async (args, ctx): Promise<PickPathResult> => {
    const window = deps.windowOf(ctx);
    if (window === null) return { cancelled: true };
    const common = {
      title: args.title,
      ...(args.defaultPath ? { defaultPath: args.defaultPath } : {}),
      ...(args.filters && args.mode !== 'open-folder' ? { filters: args.filters } : {}),
    };
    if (args.mode === 'save-file') {
      const r = await deps.dialog.showSaveDialog(window, { ...common, properties: ['createDirectory', 'showOverwriteConfirmation', 'dontAddToRecent'] });
      if (r.canceled || !r.filePath?.startsWith('/')) return { cancelled: true };
      return { cancelled: false, paths: [withFilterExtension(r.filePath, args.filters)] };
    }
    const r = await deps.dialog.showOpenDialog(window, { ...common, properties: OPEN_PROPERTIES[args.mode] });
    const paths = r.filePaths.filter((p) => p.startsWith('/'));
    if (r.canceled || paths.length === 0) return { cancelled: true };
    return { cancelled: false, paths: args.mode === 'open-files' ? paths : paths.slice(0, 1) };
  };
}
