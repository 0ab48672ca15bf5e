// "Choose…" beside a typed-path field: opens the desktop's file chooser where there is one (the Electron
// window) and hands the chosen paths back; renders nothing in a browser on the bridge, where the typed
// field is the only way. A cancelled chooser changes nothing.
import { useState } from 'react';
import { t } from '../../src-shared/i18n/index.ts';
import { useWizard } from '../store/context.tsx';
import { errorText } from '../store/error-text.ts';
import type { PickRequest } from '../store/types.ts';

export function ChooseButton({ request, onPicked }: { request: () => PickRequest; onPicked: (paths: string[]) => void }) {
  const available = useWizard((s) => s.nativePickers);
  const picking = useWizard((s) => s.picking);
  const pickPath = useWizard((s) => s.pickPath);
  const [error, setError] = useState<string | null>(null);
  if (!available) return null;

  const choose = async () => {
    setError(null);
    try {
      const paths = await pickPath(request());
      if (paths) onPicked(paths);
    } catch (err) {
      setError(errorText(err));
    }
  };
  return (
    <>
      <button type="button" className="btn" disabled={picking} onClick={() => void choose()}>
        {t('choose.button')}
      </button>
      {error && (
        <span className="choose-error" role="alert">
          {t('choose.failed', { error })}
        </span>
      )}
    </>
  );
}
