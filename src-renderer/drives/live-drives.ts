// The live drive list: loaded once through `drives.list`, then replaced by each `drives.changed` push.
import { create } from 'zustand';
import type { Drive, IiosClient } from '../../src-shared/contract/index.ts';

export interface LiveDrivesState {
  drives: Drive[];
  loaded: boolean;
  error: string | null;
  /** Subscribes and loads; returns the unsubscribe. */
  connect(client: IiosClient): () => void;
}

export const useLiveDrives = create<LiveDrivesState>()((set) => ({
  drives: [],
  loaded: false,
  error: null,
  connect(client) {
    // Subscribe first so a change between the load and the subscription is not lost.
    const off = client.on('drives.changed', ({ drives }) => set({ drives, loaded: true, error: null }));
    client.invoke('drives.list').then(
      (drives) => set({ drives, loaded: true, error: null }),
      (err: unknown) => set({ error: err instanceof Error ? err.message : String(err), loaded: true }),
    );
    return off;
  },
}));
