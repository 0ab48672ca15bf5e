// flatpak: a link in the system installation's `sideload-repos/` to the stick's create-usb repository, so
// `flatpak install` and `flatpak update` take refs from the stick (for remotes with the same collection id and
// key) instead of the network. Removing the link undoes it.
import { join } from 'node:path';
import type { OfflineWiring } from '../kind-builder.ts';
import { FLATPAK_USB_REPO } from '../kinds/flatpak.ts';
import { t } from '../../../../src-shared/i18n/index.ts';

export const FLATPAK_SIDELOAD_LINK = 'var/lib/flatpak/sideload-repos/iios-offline';

export const flatpakOffline: OfflineWiring<'flatpak'> = {
  kind: 'flatpak',
  plan({ cacheDir, root }) {
    return [
      {
        path: join(root, FLATPAK_SIDELOAD_LINK),
        content: join(cacheDir, FLATPAK_USB_REPO),
        link: true,
        summary: t('offline.flatpak', { dir: join(cacheDir, FLATPAK_USB_REPO) }),
      },
    ];
  },
};
