// What "eject" means for each kind of device, decided once: a USB stick is unmounted and powered off; a card in
// a reader is unmounted and the medium ejected (the reader stays); a loop device (an image file) has nothing to
// power off, only its filesystems to unmount; an internal disk is never ejected from here.
import type { Drive } from '../contract/domains/drives.ts';
import { t } from '../i18n/index.ts';

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
  const um = unmounted > 0 ? t('eject.unmounted', { count: unmounted }) : t('eject.nothingMounted');
  switch (kind) {
    case 'usb':
      return poweredOff ? t('eject.usbOff', { um }) : t('eject.usbNotOff', { um });
    case 'card':
      return poweredOff ? t('eject.cardOut', { um }) : t('eject.cardNotOut', { um });
    case 'loop':
      return t('eject.loop', { um });
    case 'fixed':
      return t('eject.fixed');
  }
}
