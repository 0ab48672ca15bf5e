// What "eject" means for each kind of device, decided once: a USB stick is unmounted and powered off; a card in
// a reader is unmounted and the medium ejected (the reader stays); a loop device (an image file) has nothing to
// power off, only its filesystems to unmount; an internal disk is never ejected from here.
import type { Drive } from '../contract/domains/drives.ts';

export type EjectKind = 'usb' | 'card' | 'loop' | 'fixed';

export function ejectKind(d: Pick<Drive, 'usb' | 'card' | 'virtual' | 'removable' | 'system'>): EjectKind {
  if (d.virtual) return 'loop';
  if (d.system || !d.removable) return 'fixed';
  if (d.card) return 'card';
  return 'usb';
}

/** Whether an Eject button makes sense for this kind (a loop or an internal disk gets none). */
export function canEject(kind: EjectKind): boolean {
  return kind === 'usb' || kind === 'card';
}

/** What eject did, said for the kind of device: `poweredOff` is whether the eject command succeeded. */
export function ejectSentence(kind: EjectKind, poweredOff: boolean, unmounted: number): string {
  const um = unmounted > 0 ? `${unmounted} filesystem${unmounted === 1 ? '' : 's'} unmounted` : 'nothing was mounted';
  switch (kind) {
    case 'usb':
      return poweredOff ? `Unmounted and powered off (${um}): you can pull it out.` : `Unmounted (${um}), but it could not be powered off: you can still pull it out safely.`;
    case 'card':
      return poweredOff ? `Unmounted and the card ejected (${um}): take the card out.` : `Unmounted (${um}); the reader did not eject the card: you can take it out safely.`;
    case 'loop':
      return `A loop device over an image file: nothing to power off (${um}).`;
    case 'fixed':
      return 'An internal disk: not ejected.';
  }
}
