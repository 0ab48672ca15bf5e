// The renderer build: src-renderer -> dist/renderer, relative asset paths so the same files load from
// file:// in Electron and from the loopback bridge over HTTP. JSX through Vite's built-in oxc transform.
import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

export default defineConfig({
  root: fileURLToPath(new URL('./src-renderer', import.meta.url)),
  base: './',
  oxc: { jsx: { runtime: 'automatic' } },
  build: {
    outDir: fileURLToPath(new URL('./dist/renderer', import.meta.url)),
    emptyOutDir: true,
    sourcemap: true,
    target: 'es2022',
    // One bundle loaded from disk or loopback: no network cost to split for.
    chunkSizeWarningLimit: 2000,
  },
});
