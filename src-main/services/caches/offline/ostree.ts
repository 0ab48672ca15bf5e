// ostree: a remote named after the stick in the system repository, its URL the stick's archive repository, with
// the collection id the cache carries and GPG verification left as the machine's own remotes have it. An
// `ostree pull iios-offline REF` (or a pull-local by collection ref) then reads the stick; deleting the remote
// undoes it. The remote is a file in `remotes.d`, so the plan is a file like every other kind's.
import { join } from 'node:path';
import type { OfflineWiring } from '../kind-builder.ts';
import { t } from '../../../../src-shared/i18n/index.ts';

export const OSTREE_REMOTE_NAME = 'iios-offline';
export const OSTREE_REMOTE_FILE = `etc/ostree/remotes.d/${OSTREE_REMOTE_NAME}.conf`;

export const ostreeOffline: OfflineWiring<'ostree'> = {
  kind: 'ostree',
  plan({ cacheDir, root }) {
    return [
      {
        path: join(root, OSTREE_REMOTE_FILE),
        content:
          `# written by iios offline; removed by iios offline --disable\n` +
          `[remote "${OSTREE_REMOTE_NAME}"]\nurl=file://${cacheDir}\n` +
          // the stick's summary is not signed (it is rebuilt on every cache build); the commits are
          `gpg-verify=true\ngpg-verify-summary=false\n`,
        summary: t('offline.ostree', { remote: OSTREE_REMOTE_NAME, dir: cacheDir }),
      },
    ];
  },
};
