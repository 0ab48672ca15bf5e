// Whether a new system fits the slot an update would overwrite: its root image into the inactive root
// partition, its hash tree into that slot's verity partition. One rule for the helper (which refuses before it
// writes anything) and for the GUI's review (which says so, with the size needed, before the job starts).
import { verityHashBytes } from '../layout/verity-size.ts';

export interface SlotRoom {
  /** bytes of the inactive slot's root partition */
  rootBytes: number;
  /** bytes of its verity partition */
  verityBytes: number;
}

export interface UpdateContent {
  rootfsBytes: number;
  /** the bundle's hash tree; null when only the root image's size is known (another stick's stamp) */
  verityBytes: number | null;
}

export type UpdateFit =
  | { fits: true; rootfsBytes: number; verityBytes: number; room: SlotRoom }
  | { fits: false; rootfsBytes: number; verityBytes: number; room: SlotRoom; /** bytes the slot's root and verity partitions must have */ neededRootBytes: number; neededVerityBytes: number };

/** The hash tree veritysetup writes for a root image of this size (4 KiB blocks, sha256), when the bundle does not say. */
export function expectedVerityBytes(content: UpdateContent): number {
  return content.verityBytes ?? verityHashBytes(content.rootfsBytes);
}

export function updateFit(room: SlotRoom, content: UpdateContent): UpdateFit {
  const verityBytes = expectedVerityBytes(content);
  const rootfsBytes = content.rootfsBytes;
  if (rootfsBytes <= room.rootBytes && verityBytes <= room.verityBytes) return { fits: true, rootfsBytes, verityBytes, room };
  return { fits: false, rootfsBytes, verityBytes, room, neededRootBytes: Math.max(rootfsBytes, room.rootBytes), neededVerityBytes: Math.max(verityBytes, room.verityBytes) };
}
