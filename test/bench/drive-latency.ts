// How soon a stick plugged in or pulled shows in the drive list (the wizard promises within 2 s): a loop device
// attached and detached under the real DriveService, timed from the losetup call to the drives.changed event.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Drive } from '../../src-shared/contract/index.ts';
import { DriveService } from '../../src-main/services/drives/drives.ts';

export interface DriveLatency {
  appearMs: number[];
  goneMs: number[];
}

export async function driveListLatency(rounds = 5): Promise<DriveLatency> {
  const dir = mkdtempSync(join(tmpdir(), 'iios-bench-drives-'));
  const file = join(dir, 'stick.img');
  execFileSync('truncate', ['-s', '64M', file]);
  let latest: Drive[] = [];
  let changed: (() => void) | null = null;
  const service = new DriveService({
    emit: (_channel: string, payload: unknown) => {
      latest = (payload as { drives: Drive[] }).drives;
      changed?.();
    },
  } as never);
  const until = (pred: (d: Drive[]) => boolean) =>
    new Promise<void>((resolve, reject) => {
      const timeout = setTimeout(() => reject(new Error('no drives.changed within 10 s')), 10_000);
      changed = () => {
        if (pred(latest)) {
          clearTimeout(timeout);
          changed = null;
          resolve();
        }
      };
    });
  const out: DriveLatency = { appearMs: [], goneMs: [] };
  service.start();
  try {
    await new Promise((r) => setTimeout(r, 1500)); // the first list is out
    for (let i = 0; i < rounds; i++) {
      // a random phase against the 1 s poll, as a real plug-in has
      await new Promise((r) => setTimeout(r, Math.random() * 1000));
      let t0 = performance.now();
      const dev = execFileSync('losetup', ['-f', '--show', file], { encoding: 'utf8' }).trim();
      try {
        await until((d) => d.some((x) => x.device === dev));
        out.appearMs.push(performance.now() - t0);
        await new Promise((r) => setTimeout(r, Math.random() * 1000));
        t0 = performance.now();
      } finally {
        execFileSync('losetup', ['-d', dev]);
      }
      await until((d) => !d.some((x) => x.device === dev));
      out.goneMs.push(performance.now() - t0);
    }
  } finally {
    service.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  return out;
}
