// oci: each image of the stick's layout copied into the machine's containers-storage (podman, buildah, cri-o
// see it under the name the cache set gave it). A copy rather than an additional image store: the stick holds an
// OCI layout, which containers-storage cannot read in place. With a private root the storage is the one under it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { OfflineChange, OfflineWiring } from '../kind-builder.ts';
import { t } from '../../../../src-shared/i18n/index.ts';

/** The names the layout's index.json gives its images (read only). */
function layoutNames(layout: string): string[] {
  const index = JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8')) as { manifests: { annotations?: Record<string, string> }[] };
  return index.manifests.map((m) => m.annotations?.['org.opencontainers.image.ref.name']).filter((n): n is string => !!n);
}

/** The containers-storage reference for `name`: the machine's own, or (a private root) the vfs store under it. */
export function storageRef(root: string, name: string): string {
  if (root === '/') return `containers-storage:${name}`;
  return `containers-storage:[vfs@${join(root, 'var/lib/containers/storage')}+${join(root, 'run/containers/storage')}]${name}`;
}

export const ociOffline: OfflineWiring<'oci'> = {
  kind: 'oci',
  plan({ cacheDir, root }) {
    return layoutNames(cacheDir).map(
      (name): OfflineChange => ({
        // a record of the copy, so --disable knows which images it put there
        path: join(root, 'var/lib/iios/offline/oci', name.replace(/[/:@]/g, '_') + '.image'),
        content: `${name}\n`,
        command: ['skopeo', 'copy', '--quiet', `oci:${cacheDir}:${name}`, storageRef(root, name)],
        undo: ['skopeo', 'delete', storageRef(root, name)],
        summary: t('offline.oci', { name }),
      }),
    );
  },
};
