// Domain "app": facts about the running iios (version, platform, how the renderer is connected).
import { z } from 'zod';
import { invoke, noArgs } from '../define.ts';

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
});
export type AppInfo = z.infer<typeof AppInfo>;

export const appInvoke = {
  'app.info': invoke(noArgs, AppInfo),
};

export const appEvents = {};
