// Applies an offline wiring's plan under a private root, as `iios offline` does on a machine: files written,
// links made, parents created. Only for tests: the plan itself is what the product computes.
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { OfflineChange } from '../../../src-main/services/caches/kind-builder.ts';

export async function applyOffline(changes: OfflineChange[]): Promise<void> {
  for (const c of changes) {
    await mkdir(dirname(c.path), { recursive: true });
    if (c.link) await symlink(c.content, c.path);
    else await writeFile(c.path, c.content);
  }
}
