// The name of the place a stick is plugged in (a hub's port, a loop device's file), renameable in the row: a
// "Rename" button opens a text field; Enter or Save keeps the name (in ~/.config/iios/port-labels.json, through
// drives.setPortLabel), Escape or Cancel leaves it, "Forget name" goes back to the port's own words. Plain buttons
// and a labelled field, so the keyboard and a screen reader reach all of it.
import { useRef, useState } from 'react';
import { PORT_LABEL_MAX } from '../../src-shared/contract/domains/drives.ts';
import { placeOf } from '../../src-shared/drives/usb-port.ts';
import { t } from '../../src-shared/i18n/index.ts';
import { useWizard } from '../store/context.tsx';

export function PlaceName({ drive, label }: { drive: { devicePath?: string | null; backingFile?: string | null }; label: string }) {
  const place = placeOf(drive);
  const names = useWizard((s) => s.portLabels);
  const error = useWizard((s) => (place ? s.portLabelError[place.key] : undefined));
  const renamePlace = useWizard((s) => s.renamePlace);
  const [editing, setEditing] = useState(false);
  const [text, setText] = useState('');
  const renameButton = useRef<HTMLButtonElement>(null);
  if (!place) return null;
  const named = names[place.key];
  const shown = named ?? place.text;
  const close = () => {
    setEditing(false);
    // back to the button that opened the field, so the keyboard user is where they were
    setTimeout(() => renameButton.current?.focus(), 0);
  };
  const save = async (value: string | null) => {
    if (await renamePlace(place.key, value)) close();
  };
  const rename = t('port.rename');
  return (
    <div className="place-name" data-place={place.key}>
      {editing ? (
        <form
          className="row place-edit"
          onSubmit={(e) => {
            e.preventDefault();
            void save(text);
          }}
          onKeyDown={(e) => {
            if (e.key === 'Escape') {
              e.preventDefault();
              close();
            }
          }}
        >
          <input
            className="text-input place-input"
            type="text"
            value={text}
            maxLength={PORT_LABEL_MAX}
            aria-label={t('port.nameLabel', { place: place.text })}
            autoFocus
            onChange={(e) => setText(e.target.value)}
          />
          <button type="submit" className="btn small primary">
            {t('port.save')}
          </button>
          {named !== undefined && (
            <button type="button" className="btn small" onClick={() => void save(null)}>
              {t('port.clear')}
            </button>
          )}
          <button type="button" className="btn small" onClick={close}>
            {t('port.cancel')}
          </button>
        </form>
      ) : (
        <span className="row place-show">
          {/* a loop device's file name is data (like the paths), a port's own words and a given name are words */}
          <span className={named ? 'place-label named' : place.key.startsWith('file:') ? 'place-label mono' : 'place-label'} data-testid="place-name">
            {shown}
          </span>
          <button
            ref={renameButton}
            type="button"
            className="btn small"
            // starts with the visible text, so a speech user can say what they see (WCAG 2.5.3)
            aria-label={t('port.renameLabel', { action: rename, label })}
            onClick={() => {
              setText(named ?? '');
              setEditing(true);
            }}
          >
            {rename}
          </button>
        </span>
      )}
      {error && (
        <div className="reason" role="alert">
          {t('port.saveFailed', { error })}
        </div>
      )}
    </div>
  );
}
