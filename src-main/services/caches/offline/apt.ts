// apt: one source list file naming the stick's flat repository, checked against the public key the repository
// carries beside it (so the machine needs no key of its own and trusts nothing else from the stick).
import { join } from 'node:path';
import type { OfflineWiring } from '../kind-builder.ts';
import { APT_KEY_BINARY } from '../kinds/apt-repo-index.ts';
import { t } from '../../../../src-shared/i18n/index.ts';

export const APT_SOURCE_FILE = 'etc/apt/sources.list.d/iios-offline.list';

export const aptOffline: OfflineWiring<'apt'> = {
  kind: 'apt',
  plan({ cacheDir, root }) {
    return [
      {
        path: join(root, APT_SOURCE_FILE),
        content: `# written by iios offline; removed by iios offline --disable\ndeb [signed-by=${join(cacheDir, APT_KEY_BINARY)}] file:${cacheDir} ./\n`,
        summary: t('offline.apt', { dir: cacheDir }),
      },
    ];
  },
};
