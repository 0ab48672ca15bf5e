// Drive discovery: drivelist for disks, lsblk + losetup for loop devices, polled about once a second;
// `drives.changed` is pushed only when the list differs. Parsing and rules are pure (src-shared/drives).
import * as drivelist from 'drivelist';
import type { Drive } from '../../../src-shared/contract/index.ts';
import { buildDriveList, parseLosetup, parseLsblk, type DrivelistEntry } from '../../../src-shared/drives/inventory.ts';
import { canEject, ejectKind, ejectSentence, type EjectKind } from '../../../src-shared/drives/eject-kind.ts';
import type { EventSink } from '../events.ts';
import { runTool } from '../run-tool.ts';

export interface DriveSources {
  drivelist(): Promise<DrivelistEntry[]>;
  lsblkJson(): Promise<string>;
  losetupJson(): Promise<string>;
}

/** The real sources: the drivelist package and the util-linux tools. */
export const systemDriveSources: DriveSources = {
  drivelist: () => drivelist.list() as Promise<DrivelistEntry[]>,
  lsblkJson: async () => (await runTool('lsblk', ['--json', '--bytes', '--output-all', '--paths'])).stdout,
  losetupJson: async () => (await runTool('losetup', ['--list', '--json']).catch(() => ({ stdout: '' }))).stdout,
};

export class DriveService {
  private timer: NodeJS.Timeout | null = null;
  private last: string | null = null;
  private running = false;

  constructor(
    private readonly events: EventSink,
    private readonly sources: DriveSources = systemDriveSources,
    private readonly intervalMs = 1000,
  ) {}

  async list(): Promise<Drive[]> {
    const [entries, lsblk, losetup] = await Promise.all([
      this.sources.drivelist(),
      this.sources.lsblkJson(),
      this.sources.losetupJson(),
    ]);
    return buildDriveList(entries, parseLsblk(lsblk), parseLosetup(losetup));
  }

  private async findWritable(id: string): Promise<Drive> {
    const drive = (await this.list()).find((d) => d.id === id);
    if (!drive) throw Object.assign(new Error(`no such drive: ${id}`), { code: 'E_NO_DRIVE', details: { kind: 'unsafe-target', target: id, reason: 'not-found' } });
    if (drive.system) throw Object.assign(new Error(`${id} holds the running system`), { code: 'E_SYSTEM_DRIVE', details: { kind: 'unsafe-target', target: id, reason: 'system' } });
    return drive;
  }

  /** Unmounts every filesystem of the drive (deepest first), so that it can be chosen as a target. */
  async unmount(id: string): Promise<{ unmounted: string[] }> {
    const drive = await this.findWritable(id);
    const paths = drive.mountpoints.map((m) => m.path).filter((p) => p.startsWith('/'));
    paths.sort((a, b) => b.split('/').length - a.split('/').length);
    for (const p of paths) await runTool('umount', [p]);
    return { unmounted: paths };
  }

  /** Unmounts every filesystem of the drive, then ejects it when that means something for its kind. */
  async eject(id: string): Promise<{ ejected: boolean; said?: string; kind?: EjectKind; unmounted?: number }> {
    const drive = await this.findWritable(id);
    const kind = ejectKind(drive);
    if (!canEject(kind)) {
      const unmounted = (await this.unmount(id)).unmounted.length;
      return { ejected: false, said: ejectSentence(kind, false, unmounted), kind, unmounted };
    }
    const { unmounted } = await this.unmount(id);
    const r = await runTool('eject', [drive.device]).catch(() => null);
    return { ejected: r !== null, said: ejectSentence(kind, r !== null, unmounted.length), kind, unmounted: unmounted.length };
  }

  /** Starts polling; the first poll always emits (so a new subscriber can rely on one event). */
  start(): void {
    if (this.timer || this.running) return;
    this.running = true;
    const tick = async () => {
      try {
        const drives = await this.list();
        const key = JSON.stringify(drives);
        if (key !== this.last) {
          this.last = key;
          this.events.emit('drives.changed', { drives });
        }
      } catch (err) {
        console.error('iios: listing drives failed:', (err as Error).message);
      }
      if (this.running) this.timer = setTimeout(tick, this.intervalMs);
    };
    void tick();
  }

  stop(): void {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
