// The iios screen: the wizard (src-renderer/wizard) over one store fed by window.iios. The drive list keeps
// the first screen's rules (system drives marked and never selectable), now inside the targets step, where
// system drives and loop devices wait behind "show all drives".
import { useEffect, useState } from 'react';
import type { AppInfo } from '../src-shared/contract/index.ts';
import { t } from '../src-shared/i18n/index.ts';
import { iios } from './platform/iios.ts';
import { createWizardApi } from './store/api.ts';
import { WizardStoreProvider } from './store/context.tsx';
import { createWizardStore } from './store/store.ts';
import { Wizard } from './wizard/Wizard.tsx';

export function App() {
  const [info, setInfo] = useState<AppInfo | null>(null);
  const [store] = useState(() => createWizardStore(createWizardApi(iios())));

  useEffect(() => {
    iios().invoke('app.info').then(setInfo, () => setInfo(null));
    return store.getState().connect();
  }, [store]);

  return (
    <WizardStoreProvider store={store}>
      <Wizard
        headerExtra={
          <span className="app-version muted num" data-testid="app-version">
            {info ? t('app.version', { version: info.version }) : '…'}
          </span>
        }
      />
    </WizardStoreProvider>
  );
}
