import { join } from 'node:path';
import type { Command } from '../command.ts';
import { UsageError } from '../command.ts';
import { t } from '../../../src-shared/i18n/index.ts';
import { bundleListText, bundleLogWords, createdSummary } from '../bundle-words.ts';
import { createBundle } from '../../services/bundles/create-bundle.ts';
import { parseBundleSource, SourceSpecError } from '../../services/bundles/bundle-source.ts';
import { bundleLibraryDir, listLibrary } from '../../services/bundles/bundle-library.ts';
import { KernelDiscoveryError } from '../../services/bundles/kernel-discovery.ts';

export const bundleCommand: Command = {
  summary: t('cli.bundle.summary'),
  usage:
    'iios bundle create --from SOURCE --name N --version V [--out DIR] [--rootfs squashfs|erofs] [--cmdline ARGS] [--kernel RELEASE] [--packages a,b]\n' +
    '       iios bundle list [--json]\n' +
    '  SOURCE: dir:/path | debian:SUITE | oci-archive:FILE[:ref] | oci:DIR:ref | docker-archive:FILE | containers-storage:REF | docker://REF',
  options: {
    from: { type: 'string' },
    name: { type: 'string' },
    version: { type: 'string' },
    out: { type: 'string' },
    rootfs: { type: 'string' },
    cmdline: { type: 'string' },
    kernel: { type: 'string' },
    packages: { type: 'string' },
    json: { type: 'boolean' },
  },
  async run({ values, positionals }, io) {
    const sub = positionals[0];
    if (sub === 'list') {
      const bundles = await listLibrary();
      if (values.json) io.stdout.write(`${JSON.stringify(bundles, null, 2)}\n`);
      else io.stdout.write(`${bundleListText(bundles, bundleLibraryDir())}\n`);
      return 0;
    }
    if (sub !== 'create') throw new UsageError(`${t('cli.bundle.createOrList')}\n${bundleCommand.usage}`);
    const from = values.from as string | undefined;
    const name = values.name as string | undefined;
    const version = values.version as string | undefined;
    if (!from || !name || !version) throw new UsageError(t('cli.bundle.needFlags'));
    const rootfs = (values.rootfs as string | undefined) ?? 'squashfs';
    if (rootfs !== 'squashfs' && rootfs !== 'erofs') throw new UsageError(t('cli.bundle.rootfs', { value: rootfs }));
    const packages = ((values.packages as string | undefined) ?? '').split(',').map((p) => p.trim()).filter(Boolean);
    let source;
    try {
      source = parseBundleSource(from, packages);
    } catch (err) {
      if (err instanceof SourceSpecError) throw new UsageError(err.message);
      throw err;
    }
    if (packages.length && source.kind !== 'debian') throw new UsageError(t('cli.bundle.packagesDebian'));
    const out = (values.out as string | undefined) ?? join(bundleLibraryDir(), `${name}-${version}`);
    try {
      const made = await createBundle({
        source,
        name,
        version,
        out,
        rootfs,
        ...(values.cmdline !== undefined ? { cmdline: values.cmdline as string } : {}),
        ...(values.kernel !== undefined ? { kernel: values.kernel as string } : {}),
        log: (l) => io.stderr.write(`  ${bundleLogWords(l)}\n`),
      });
      io.stdout.write(`${createdSummary(made, name, version)}\n`);
      return 0;
    } catch (err) {
      if (err instanceof KernelDiscoveryError) throw new UsageError(err.message, 1);
      throw err;
    }
  },
};
