// A to-scale picture of a partition plan: one segment per partition, width proportional to its size;
// unpartitioned space shows as the striped background. Tiny partitions keep a few pixels so they are seen.
import { formatBytes } from '../../src-shared/format/bytes.ts';
import { t, type PlainKey } from '../../src-shared/i18n/index.ts';
import type { PlanView } from '../store/types.ts';
import { slotRoomText } from '../../src-shared/layout/slot-room-text.ts';

const ROLE_LABEL: Record<string, PlainKey> = {
  esp: 'role.esp',
  'root-a': 'role.root-a',
  'verity-a': 'role.verity-a',
  'root-b': 'role.root-b',
  'verity-b': 'role.verity-b',
  system: 'role.system',
  payload: 'role.payload',
  data: 'role.data',
  'raw-image': 'role.raw-image',
  persistence: 'role.persistence',
};

/** A partition role in words; a role iios does not know is shown as the profile names it. */
export function roleLabel(role: string): string {
  const key = ROLE_LABEL[role];
  return key ? t(key) : role;
}

export function LayoutBar({ plan, small = false, legend = false }: { plan: PlanView; small?: boolean; legend?: boolean }) {
  const total = plan.diskBytes > 0 ? plan.diskBytes : 1;
  const parts = [...plan.partitions].sort((a, b) => a.startBytes - b.startBytes);
  const description = parts.map((p) => t('layout.part', { role: roleLabel(p.role), size: formatBytes(p.sizeBytes) })).join(', ');
  const segments: React.ReactNode[] = [];
  let cursor = 0;
  for (const p of parts) {
    if (p.startBytes > cursor) segments.push(<div key={`gap-${p.startBytes}`} style={{ width: pct(p.startBytes - cursor, total) }} aria-hidden="true" />);
    const share = p.sizeBytes / total;
    segments.push(
      <div
        key={`${p.role}-${p.startBytes}`}
        className={`layout-seg ${p.role}`}
        style={{ width: pct(p.sizeBytes, total), flex: 'none' }}
        title={t(p.readOnly ? 'layout.segmentReadOnly' : 'layout.segment', { name: p.name, size: formatBytes(p.sizeBytes), filesystem: p.filesystem })}
        aria-hidden="true"
      >
        {share > (small ? 0.16 : 0.09) ? roleLabel(p.role) : ''}
      </div>,
    );
    cursor = p.startBytes + p.sizeBytes;
  }
  return (
    <div>
      <div className={`layout-bar${small ? ' small' : ''}`} role="img" aria-label={t('layout.label', { size: formatBytes(plan.diskBytes), parts: description })}>
        {segments}
      </div>
      {legend && (
        <ul className="layout-legend">
          {parts.map((p) => (
            <li key={`${p.role}-${p.startBytes}`}>
              <span className={`swatch layout-seg ${p.role}`} aria-hidden="true" />
              {roleLabel(p.role)} <span className="num">{formatBytes(p.sizeBytes)}</span>
            </li>
          ))}
        </ul>
      )}
      {legend && plan.slotRoom && (
        <p className="muted slot-room" data-testid="slot-room">
          {slotRoomText(plan.slotRoom)}
        </p>
      )}
    </div>
  );
}

function pct(bytes: number, total: number): string {
  return `${Math.max(0, (bytes / total) * 100).toFixed(3)}%`;
}
