// React access to the wizard store: one store per provider (the app makes one; each test makes its own).
import { createContext, useContext, type ReactNode } from 'react';
import { useStore } from 'zustand';
import type { WizardState, WizardStore } from './state.ts';

const StoreContext = createContext<WizardStore | null>(null);

export function WizardStoreProvider({ store, children }: { store: WizardStore; children: ReactNode }) {
  return <StoreContext.Provider value={store}>{children}</StoreContext.Provider>;
}

export function useWizardStore(): WizardStore {
  const store = useContext(StoreContext);
  if (!store) throw new Error('iios: wizard components need a WizardStoreProvider');
  return store;
}

export function useWizard<T>(selector: (s: WizardState) => T): T {
  return useStore(useWizardStore(), selector);
}
