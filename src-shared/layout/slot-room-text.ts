// The plan's room for updates in words (`iios plan` and the wizard's layout): how large each A/B slot is, and
// whether the stick gave it the size the profile prefers.
import { formatBytes } from '../format/bytes.ts';
import { t } from '../i18n/index.ts';
import type { SlotRoom } from './plan-types.ts';

export function slotRoomText(room: SlotRoom): string {
  const size = formatBytes(room.rootBytes);
  if (room.rootBytes >= room.preferredBytes) return t('plan.slotRoom', { size });
  return t('plan.slotRoomTight', { size, preferred: formatBytes(room.preferredBytes) });
}
