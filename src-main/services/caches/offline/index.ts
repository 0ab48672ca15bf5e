// How `iios offline` wires each kind of a mounted stick's caches into a machine's tools, by kind (the contract:
// ../kind-builder.ts; the on-stick forms: ../kinds/index.ts). A kind without a wiring here (brew, files) is
// used by pointing its tool at the folder (`HOMEBREW_CACHE=<mount>/@caches/brew`).
import type { CacheKind } from '../../../../src-shared/caches/cache-set.ts';
import type { OfflineWiring } from '../kind-builder.ts';
import { aptOffline } from './apt.ts';
import { flatpakOffline } from './flatpak.ts';
import { ociOffline } from './oci.ts';
import { ostreeOffline } from './ostree.ts';
import { rpmOffline } from './rpm.ts';
import { squidOffline } from './squid.ts';

export type OfflineWirings = { [K in CacheKind]?: OfflineWiring<K> };

// One line per kind, so each kind's file registers itself with a one-line change.
export const offlineWirings: OfflineWirings = {
  apt: aptOffline,
  oci: ociOffline,
  flatpak: flatpakOffline,
  ostree: ostreeOffline,
  rpm: rpmOffline,
  squid: squidOffline,
};
