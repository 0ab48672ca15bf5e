// "Show all drives" above a list of sticks to read from (the clone source, the sticks to update): one switch,
// one store field, so every list offers the same choice.
import { t } from '../../src-shared/i18n/index.ts';
import { useWizard } from '../store/context.tsx';

export function ShowAllDrives() {
  const showAll = useWizard((s) => s.showAllDrives);
  const setShowAll = useWizard((s) => s.setShowAllDrives);
  return (
    <label className="switch" style={{ marginBottom: 8, display: 'flex' }}>
      <input type="checkbox" checked={showAll} onChange={(e) => setShowAll(e.target.checked)} />
      {t('targets.showAll')}
    </label>
  );
}
