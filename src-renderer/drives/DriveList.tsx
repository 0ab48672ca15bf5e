// A reusable list of drives: each row shows the drive and its issues; drives with a blocking issue
// (system, read-only, too small…) get a disabled control with the reason next to it.
import type { Drive } from '../../src-shared/contract/index.ts';
import { driveIssues, formatSize, type DriveRuleOptions } from '../../src-shared/drives/drive-rules.ts';

export interface DriveListProps {
  drives: Drive[];
  selected: string[];
  onToggle(id: string): void;
  /** checkbox (several targets) or radio (one). */
  mode?: 'multiple' | 'single';
  rules?: DriveRuleOptions;
  /** Hide virtual drives (loop devices) unless asked. */
  showVirtual?: boolean;
}

export function DriveList({ drives, selected, onToggle, mode = 'multiple', rules = {}, showVirtual = true }: DriveListProps) {
  const shown = showVirtual ? drives : drives.filter((d) => !d.virtual);
  if (shown.length === 0) return <p className="drive-list-empty">No drives found. Insert a USB stick.</p>;
  return (
    <ul className="drive-list" aria-label="Drives">
      {shown.map((d) => {
        const issues = driveIssues(d, rules);
        const blocking = issues.find((i) => i.blocking);
        const inputId = `drive-${d.device.replace(/[^a-z0-9]/gi, '-')}`;
        return (
          <li
            key={d.id}
            className={`drive${blocking ? ' drive-blocked' : ''}${d.system ? ' drive-system' : ''}`}
            data-device={d.device}
            data-system={d.system ? 'true' : 'false'}
          >
            <input
              id={inputId}
              type={mode === 'single' ? 'radio' : 'checkbox'}
              name="drive"
              checked={selected.includes(d.id)}
              disabled={Boolean(blocking)}
              // Refused here too, not only by `disabled` (a synthetic click still reaches onChange).
              onChange={() => {
                if (!blocking) onToggle(d.id);
              }}
              aria-describedby={`${inputId}-why`}
            />
            <label htmlFor={inputId} className="drive-main">
              <span className="drive-name">{d.description}</span>
              <span className="drive-device">{d.device}</span>
              <span className="drive-size">{formatSize(d.sizeBytes)}</span>
              {d.system && <span className="badge badge-system">System drive</span>}
              {d.virtual && <span className="badge badge-virtual">Virtual</span>}
              {d.usb && <span className="badge">USB</span>}
            </label>
            <span id={`${inputId}-why`} className="drive-why">
              {blocking ? (
                <span className="drive-reason">Not selectable: {blocking.message}</span>
              ) : (
                issues.map((i) => (
                  <span key={i.code} className="drive-warning">
                    {i.message}
                  </span>
                ))
              )}
            </span>
          </li>
        );
      })}
    </ul>
  );
}
