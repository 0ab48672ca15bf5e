// A cache builder's tool call: the command line goes to the build's log first (so a failed build can be
// diagnosed from its log alone), then runs through the app's one runner with the build's abort signal.
import { runTool, type ToolOptions } from '../../run-tool.ts';
import type { CacheBuildContext } from '../kind-builder.ts';

export function kindTool(ctx: CacheBuildContext, file: string, args: readonly string[], opts: ToolOptions = {}): ReturnType<typeof runTool> {
  const env = opts.env ? Object.entries(opts.env).map(([k, v]) => `${k}=${v} `).join('') : '';
  ctx.log(`${env}${file} ${args.join(' ')}`);
  return runTool(file, args, { signal: ctx.signal, ...opts });
}
