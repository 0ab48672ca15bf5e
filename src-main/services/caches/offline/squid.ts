// squid: a conf.d file (Debian's squid.conf includes /etc/squid/conf.d/*.conf) making the stick's cache_dir
// squid's cache with offline_mode on, so every URL the stick holds is answered without the network. squid reads
// a new cache_dir only when it starts: restart it after enabling and after --disable.
import { join } from 'node:path';
import type { OfflineWiring } from '../kind-builder.ts';
import { SQUID_CACHE_SUBDIR, squidOfflineLines } from '../kinds/squid-config.ts';
import { t } from '../../../../src-shared/i18n/index.ts';

export const SQUID_CONF_FILE = 'etc/squid/conf.d/iios-offline.conf';

export const squidOffline: OfflineWiring<'squid'> = {
  kind: 'squid',
  plan({ cacheDir, root }) {
    const dir = join(cacheDir, SQUID_CACHE_SUBDIR);
    return [
      {
        path: join(root, SQUID_CONF_FILE),
        content: `# written by iios offline; removed by iios offline --disable\n${squidOfflineLines(dir).join('\n')}\n`,
        summary: t('offline.squid', { dir }),
      },
    ];
  },
};
