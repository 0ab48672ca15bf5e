// `iios serve`: the app's handlers over the loopback bridge plus the built renderer, for a browser
// (headless stations, Playwright tests). Prints the URL with its token; runs until SIGINT/SIGTERM.
import { t } from '../../../src-shared/i18n/index.ts';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError, type Command } from '../command.ts';
import { appRoot } from '../../services/app/app-info.ts';
import { ensureRenderer } from '../../../ensure-built.mjs';
import { createAppRuntime } from '../../services/runtime.ts';
import { BRIDGE_HOST, startBridge, type Bridge } from '../../bridge/server.ts';

export function rendererDir(): string {
  return process.env.IIOS_RENDERER_DIR ?? join(appRoot(), 'dist', 'renderer');
}

/** Why the port could not be had, naming it, and what to do. */
function listenFailure(err: unknown, host: string, port: number): string {
  const code = (err as { code?: unknown }).code;
  if (code === 'EADDRINUSE') return t('cli.serve.portInUse', { port: String(port), host });
  if (code === 'EACCES') return t('cli.serve.portReserved', { port: String(port), host });
  return t('cli.serve.cannotListen', { host, port: String(port), why: (err as Error).message });
}

export const serveCommand: Command = {
  summary: t('cli.serve.summary'),
  usage: 'iios serve [--port N] [--host 127.0.0.1]',
  options: { port: { type: 'string' }, host: { type: 'string' } },
  async run({ values }, io) {
    const host = (values.host as string | undefined) ?? BRIDGE_HOST;
    if (host !== BRIDGE_HOST) throw new UsageError(t('cli.serve.hostOnly', { host: BRIDGE_HOST }));
    const portText = (values.port as string | undefined) ?? '0';
    const port = Number(portText);
    if (!/^\d+$/.test(portText) || port > 65535) throw new UsageError(t('cli.serve.notPort', { text: portText }));
    const staticDir = rendererDir();
    // From a checkout, a missing or stale GUI is built here (vite build); a packaged app ships it.
    if (!process.env.IIOS_RENDERER_DIR) ensureRenderer(appRoot());
    if (!existsSync(join(staticDir, 'index.html'))) {
      throw new UsageError(t('cli.serve.notBuilt', { dir: staticDir }), 1);
    }
    const runtime = createAppRuntime();
    let bridge: Bridge;
    try {
      bridge = await startBridge({
        handlers: runtime.handlers,
        events: runtime.events,
        port,
        host,
        staticDir,
        onConnectionError: (err) => io.stderr.write(`iios serve: ${t('cli.serve.badFrame', { why: err.message })}\n`),
      });
    } catch (err) {
      // Nothing may keep the process alive after this (drive polling starts only once the port is ours).
      runtime.dispose();
      throw new UsageError(listenFailure(err, host, port), 1);
    }
    runtime.start();
    io.stdout.write(`iios serve: ${t('cli.serve.open', { url: bridge.url })}\n`);
    io.stdout.write(`iios serve: ${t('cli.serve.token')}\n`);
    const signal = await new Promise<NodeJS.Signals>((resolve) => {
      process.once('SIGINT', () => resolve('SIGINT'));
      process.once('SIGTERM', () => resolve('SIGTERM'));
    });
    io.stdout.write(`iios serve: ${t('cli.serve.stopping', { signal })}\n`);
    runtime.dispose();
    await bridge.close();
    return 0;
  },
};
