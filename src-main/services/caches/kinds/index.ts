// The builder of every cache kind, by kind (the contract they follow: ../kind-builder.ts).
//
// On the stick (what consumers rely on; each kind is its own Btrfs subvolume `@caches/<kind>` of the data
// partition, the stamp records the set id, each kind's manifest sha256 and its build date):
// - apt:     a flat repository (`Packages`, `Packages.gz`, `Release`, `InRelease` signed by this computer's iios
//            key, the package files, and `iios-archive-key.asc` / `iios-archive-key.gpg`, the public key), usable as
//            `deb [signed-by=<mount>/@caches/apt/iios-archive-key.gpg] file:<mount>/@caches/apt ./` (or `trusted=yes`);
// - oci:     one OCI image layout holding every image, each tagged with its reference as the set names it
//            (`skopeo copy oci:<mount>/@caches/oci:team/hello:1 containers-storage:team/hello:1`);
// - flatpak: what `flatpak create-usb` makes (`.ostree/repo`, `flatpak install --sideload-repo=…`);
// - ostree:  an archive repo with a collection id (`ostree pull-local`);
// - rpm:     a createrepo_c repository;  squid: a `cache_dir` and a config snippet with `offline_mode on`;
// - brew:    a `HOMEBREW_CACHE` folder;  files: the files.
// `iios offline --stick MOUNT` wires these into a machine's tools (../offline/index.ts).
import type { CacheKind } from '../../../../src-shared/caches/cache-set.ts';
import type { CacheKindBuilder } from '../kind-builder.ts';
import { aptBuilder } from './apt.ts';
import { brewBuilder } from './brew.ts';
import { filesBuilder } from './files.ts';
import { flatpakBuilder } from './flatpak.ts';
import { ociBuilder } from './oci.ts';
import { ostreeBuilder } from './ostree.ts';
import { rpmBuilder } from './rpm.ts';
import { squidBuilder } from './squid.ts';

export type CacheBuilders = { [K in CacheKind]?: CacheKindBuilder<K> };

// One line per kind, so each kind's file registers itself with a one-line change.
export const cacheBuilders: CacheBuilders = {
  apt: aptBuilder,
  oci: ociBuilder,
  flatpak: flatpakBuilder,
  ostree: ostreeBuilder,
  rpm: rpmBuilder,
  squid: squidBuilder,
  brew: brewBuilder,
  files: filesBuilder,
};

export function builderOf<K extends CacheKind>(kind: K): CacheKindBuilder<K> | undefined {
  return cacheBuilders[kind] as CacheKindBuilder<K> | undefined;
}
