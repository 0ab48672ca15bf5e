// `iios offline --stick MOUNT [--enable KIND …] [--print] [--disable]`: a mounted stick's caches wired into this
// machine's tools with no network, or unwired (services/caches/offline-apply.ts). --root works on another root
// (a chroot, the booted stick's own root, or a private one for trying it out).
import { isAbsolute, resolve } from 'node:path';
import type { Command } from '../command.ts';
import { UsageError } from '../command.ts';
import { CACHE_KINDS, type CacheKind } from '../../../src-shared/caches/cache-set.ts';
import { describeChange, disableOffline, enableOffline, offlineKinds, planOffline } from '../../services/caches/offline-apply.ts';
import { t } from '../../../src-shared/i18n/index.ts';

const list = (v: unknown): string[] => (Array.isArray(v) ? (v as string[]) : typeof v === 'string' ? [v] : []);

export const offlineCommand: Command = {
  summary: t('cli.offline.summary'),
  usage: 'iios offline --stick MOUNTPOINT [--enable KIND …] [--print] | iios offline --disable [--enable KIND …]  [--root DIR]',
  options: {
    stick: { type: 'string' },
    enable: { type: 'string', multiple: true },
    print: { type: 'boolean' },
    disable: { type: 'boolean' },
    root: { type: 'string' },
  },
  async run({ values, positionals }, io) {
    if (positionals.length) throw new UsageError(t('cli.offline.unexpected', { arg: positionals[0]! }));
    const root = values.root ? resolve(String(values.root)) : '/';
    const asked = list(values.enable);
    const bad = asked.filter((k) => !(CACHE_KINDS as readonly string[]).includes(k));
    if (bad.length) throw new UsageError(t('cli.offline.badKind', { kinds: bad.join(', '), all: CACHE_KINDS.join(', ') }));
    const kinds = asked.length ? (asked as CacheKind[]) : undefined;
    const log = (l: string) => io.stdout.write(l + '\n');
    if (values.disable) {
      const removed = await disableOffline(root, kinds, log);
      log(removed.length ? t('cli.offline.removed', { list: removed.join(', ') }) : t('cli.offline.nothingToUndo'));
      return 0;
    }
    if (typeof values.stick !== 'string') throw new UsageError(t('cli.offline.needsStick'));
    const mount = isAbsolute(values.stick) ? values.stick : resolve(values.stick);
    const planned = planOffline(mount, await offlineKinds(mount, kinds), root);
    if (values.print) {
      for (const p of planned) log(describeChange(p.change));
      return 0;
    }
    await enableOffline(mount, planned, root, log);
    const wired = [...new Set(planned.map((p) => p.kind))];
    log(wired.length ? t('cli.offline.wiredIn', { kinds: wired.join(', '), undo: `iios offline --disable${root !== '/' ? ` --root ${root}` : ''}` }) : t('cli.offline.wiredNothing'));
    return 0;
  },
};
