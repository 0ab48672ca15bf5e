// The small coloured labels beside a drive: system, virtual, read-only, too small, mounted, over 128 GB.
import type { Badge } from '../store/selectors.ts';

export function DriveBadges({ badges }: { badges: Badge[] }) {
  if (badges.length === 0) return null;
  return (
    <span className="badges">
      {badges.map((b) => (
        <span key={b.code} className={`badge badge-${b.code} ${b.tone}`} title={b.detail}>
          {b.text}
        </span>
      ))}
    </span>
  );
}
