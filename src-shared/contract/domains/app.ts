// Domain "app": facts about the running iios (version, platform, how the renderer is connected), and the
// desktop's native file choosers where the transport has them (Electron; never the browser bridge).
import * as z from 'zod';
import { invoke, noArgs } from '../define.ts';
import { ruleParams } from '../field-issue.ts';

export const AppInfo = z.object({
  name: z.literal('iios'),
  version: z.string().min(1),
  /** Node's process.platform of the host doing the writing. */
  platform: z.string(),
  arch: z.string(),
  /** Which transport serves this renderer: Electron's preload, the loopback WebSocket bridge, or in-process. */
  transport: z.enum(['electron', 'bridge', 'local']),
  /** True when the host process runs as root (no elevation prompt is needed to write). */
  elevated: z.boolean(),
  /**
   * True when `app.pickPath` opens the desktop's own file chooser for this renderer (the Electron window).
   * The browser bridge has none: its UI keeps only the typed-path fields.
   */
  nativePickers: z.boolean().default(false),
});
export type AppInfo = z.infer<typeof AppInfo>;

/** An absolute path, or a bare file name (a save dialog then opens in its usual folder with that name). */
const SuggestedPath = z
  .string()
  .min(1)
  .max(4096)
  .refine((p) => p.startsWith('/') || !p.includes('/'), { message: 'an absolute path or a bare file name', ...ruleParams('path-or-name') });

export const PickPathFilter = z.strictObject({
  name: z.string().min(1).max(100),
  /** Without the dot: "img", "xz"; "*" for every file. */
  extensions: z.array(z.string().regex(/^(\*|[A-Za-z0-9]+)$/)).min(1).max(20),
});

export const PickPathArgs = z.strictObject({
  /** open-files: several files at once; save-file: a new (or existing, to overwrite) file. */
  mode: z.enum(['open-file', 'open-files', 'open-folder', 'save-file']),
  title: z.string().min(1).max(200),
  /**
   * Only for files. save-file: when the chosen name ends in none of the filters' extensions, the first
   * filter's first extension is appended (so "class" becomes "class.img").
   */
  filters: z.array(PickPathFilter).max(10).optional(),
  defaultPath: SuggestedPath.optional(),
});
export type PickPathArgs = z.infer<typeof PickPathArgs>;

export const PickPathResult = z.union([
  z.object({ cancelled: z.literal(true) }),
  z.object({ cancelled: z.literal(false), paths: z.array(z.string().startsWith('/')).min(1) }),
]);
export type PickPathResult = z.infer<typeof PickPathResult>;

export const appInvoke = {
  'app.info': invoke(noArgs, AppInfo),
  /** The desktop's file chooser, modal to the calling window; refused (E_UNAVAILABLE) where nativePickers is false. */
  'app.pickPath': invoke(PickPathArgs, PickPathResult),
};

export const appEvents = {};
