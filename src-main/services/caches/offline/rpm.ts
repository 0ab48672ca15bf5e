// rpm: one dnf repo file naming the stick's createrepo_c repository. Its packages keep their vendors' signatures,
// checked against the keys the machine already trusts (gpgcheck on, no key from the stick); metadata_expire=0
// because with "never" dnf misses a stick that was brought up to date.
import { join } from 'node:path';
import type { OfflineWiring } from '../kind-builder.ts';
import { t } from '../../../../src-shared/i18n/index.ts';

export const RPM_REPO_FILE = 'etc/yum.repos.d/iios-offline.repo';

export const rpmOffline: OfflineWiring<'rpm'> = {
  kind: 'rpm',
  plan({ cacheDir, root }) {
    return [
      {
        path: join(root, RPM_REPO_FILE),
        content:
          `# written by iios offline; removed by iios offline --disable\n` +
          `[iios-offline]\nname=iios stick ${cacheDir}\nbaseurl=file://${cacheDir}\nenabled=1\ngpgcheck=1\nmetadata_expire=0\nskip_if_unavailable=1\n`,
        summary: t('offline.rpm', { dir: cacheDir }),
      },
    ];
  },
};
