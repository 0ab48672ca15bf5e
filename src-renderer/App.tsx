// The first iios screen: the version and the live drive list. The wizard (src-renderer/wizard) grows
// from here; DriveList is the reusable part.
import { useEffect, useState } from 'react';
import type { AppInfo } from '../src-shared/contract/index.ts';
import { DriveList } from './drives/DriveList.tsx';
import { useLiveDrives } from './drives/live-drives.ts';
import { iios } from './platform/iios.ts';

export function App() {
  const [info, setInfo] = useState<AppInfo | null>(null);
  const [selected, setSelected] = useState<string[]>([]);
  const { drives, loaded, error, connect } = useLiveDrives();

  useEffect(() => {
    const client = iios();
    client.invoke('app.info').then(setInfo, () => setInfo(null));
    return connect(client);
  }, [connect]);

  const toggle = (id: string) => setSelected((s) => (s.includes(id) ? s.filter((x) => x !== id) : [...s, id]));

  return (
    <main className="app">
      <header className="app-header">
        <h1>iios</h1>
        <span className="app-version" data-testid="app-version">
          {info ? `version ${info.version}` : '…'}
        </span>
      </header>
      <section className="app-drives">
        <h2>Drives</h2>
        {error && <p role="alert">Cannot list drives: {error}</p>}
        {loaded ? (
          <DriveList drives={drives} selected={selected.filter((id) => drives.some((d) => d.id === id))} onToggle={toggle} />
        ) : (
          <p>Looking for drives…</p>
        )}
      </section>
    </main>
  );
}
