// Why a repair, reset, payload or update job refused a stick, in the reader's language: the helper's typed reason
// (src-shared/job/stick-refusal.ts) said with the catalogue, sizes formatted the reader's way.
import { formatBytes, formatBytesApart } from '../format/bytes.ts';
import { t } from '../i18n/index.ts';
import type { StickRefusal } from '../job/stick-refusal.ts';

/** The reason as a sentence (it follows "refused before changing anything:"). */
export function refusalWords(r: StickRefusal): string {
  switch (r.reason) {
    case 'not-iios':
      return t('refusal.not-iios');
    case 'incomplete':
      return t('refusal.incomplete');
    case 'layout-differs':
      return t('refusal.layout-differs', { partition: r.partition, profile: r.profile });
    case 'no-profile':
      return t('refusal.no-profile');
    case 'no-bundle':
      return r.bundle ? t('refusal.no-bundle-named', { bundle: r.bundle }) : t('refusal.no-bundle');
    case 'bundle-damaged':
      return t('refusal.bundle-damaged', { file: r.file });
    case 'not-writable':
      return t('refusal.not-writable', { profile: r.profile, mode: r.mode });
    case 'no-factory':
      return t('refusal.no-factory');
    case 'no-payload-partition':
      return t('refusal.no-payload-partition', { profile: r.profile });
    case 'payload-too-big': {
      const [size, room] = formatBytesApart(r.bytes, Math.max(0, r.roomBytes));
      return t('refusal.payload-too-big', { size, room, part: formatBytes(r.partBytes) });
    }
    case 'no-ab':
      return t('refusal.no-ab', { profile: r.profile });
    case 'bundle-no-verity':
      return t('refusal.bundle-no-verity', { bundle: r.bundle, version: r.version });
    case 'slot-too-small': {
      const [need, have] = formatBytesApart(r.rootBytes + r.verityBytes, r.slotRootBytes + r.slotVerityBytes);
      return t('refusal.slot-too-small', { bundle: r.bundle, version: r.version, slot: r.slot.toUpperCase(), need, have });
    }
    case 'source-incomplete':
      return t('refusal.source-incomplete', { source: r.source });
    case 'source-no-good-slot':
      return t('refusal.source-no-good-slot', { source: r.source });
  }
}
