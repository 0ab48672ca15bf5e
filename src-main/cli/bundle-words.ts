// What `iios bundle` prints, in the terminal's language: the library's table and the summary of a bundle just
// made. Pure, so that a test reads them in German without building a bundle.
import { formatBytes } from '../../src-shared/format/bytes.ts';
import { t } from '../../src-shared/i18n/index.ts';
import type { LibraryBundle } from '../services/bundles/bundle-library.ts';
import type { CreatedBundle } from '../services/bundles/create-bundle.ts';
import type { BundleLog } from '../services/bundles/bundle-log.ts';
import { table } from './format.ts';

const WHERE = { library: 'cli.bundle.where.library', demo: 'cli.bundle.where.demo', stick: 'cli.bundle.where.stick' } as const;

/** The bundle library as a table (or the line that says it is empty). */
export function bundleListText(bundles: readonly LibraryBundle[], libraryDir: string): string {
  if (bundles.length === 0) return t('cli.bundle.none', { dir: libraryDir });
  const where = (b: LibraryBundle) => t(WHERE[b.where], { stick: b.stick ?? '' }).trim();
  const head = [t('cli.bundle.col.name'), t('cli.bundle.col.version'), t('cli.bundle.col.size'), t('cli.bundle.col.source'), t('cli.bundle.col.where'), t('cli.bundle.col.folder')];
  return table([head, ...bundles.map((b) => [b.name, b.version, formatBytes(b.sizeBytes), b.source ?? t('cli.bundle.sourceUnknown'), where(b), b.dir])]);
}

/** The two lines after `iios bundle create`: the folder, then what was made, from what, how fast. */
export function createdSummary(made: CreatedBundle, name: string, version: string): string {
  return `${made.dir}\n${t('cli.bundle.created', {
    name,
    version,
    bundle: formatBytes(made.bundleBytes),
    tree: formatBytes(made.treeBytes),
    seconds: Math.round(made.seconds),
    kernel: String(made.manifest.build?.kernelRelease ?? '?'),
    hash: made.manifest.verity?.rootHash ?? '?',
  })}`;
}

/** A progress line of making a bundle (services/bundles/bundle-log.ts), in the terminal's language. */
export function bundleLogWords(l: BundleLog): string {
  switch (l.key) {
    case 'debian-cached':
      return t('bundleLog.debianCached', { suite: l.suite, root: l.root });
    case 'debian-mmdebstrap':
      return t('bundleLog.debianMmdebstrap', { suite: l.suite, packages: l.packages.join(',') });
    case 'copying':
      return t('bundleLog.copying', { path: l.path });
    case 'fetching':
      return t('bundleLog.fetching', { ref: l.ref });
    case 'layer':
      return t('bundleLog.layer', { n: l.n, count: l.count, digest: l.digest, size: formatBytes(l.bytes) });
    case 'devices-skipped':
      return t('bundleLog.devicesSkipped', { count: l.count });
    case 'aufs-ignored':
      return t('bundleLog.aufsIgnored', { path: l.path });
    case 'device-skipped':
      return t('bundleLog.deviceSkipped', { path: l.path });
    case 'entry-skipped':
      return t('bundleLog.entrySkipped', { path: l.path, type: l.type });
    case 'kernel':
      return t('bundleLog.kernel', { release: l.release });
    case 'additions':
      return t('bundleLog.additions', { added: l.added.join(' ') });
    case 'no-systemd':
      return t('bundleLog.noSystemd');
    case 'initramfs':
      return t('bundleLog.initramfs');
    case 'modules-missing':
      return t('bundleLog.modulesMissing', { release: l.release, modules: l.modules.join(' ') });
    case 'root-image':
      return t('bundleLog.rootImage', { kind: l.kind });
  }
}
