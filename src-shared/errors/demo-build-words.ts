// The demo OS build's typed lines and stop reasons (src-shared/demo/demo-build-line.ts) in the reader's language.
import type { DemoBuildLine, DemoBuildStop } from '../demo/demo-build-line.ts';
import type { ErrorDetailsOf } from '../contract/error-details.ts';
import { formatBytes } from '../format/bytes.ts';
import { t } from '../i18n/index.ts';

/** A progress line of the demo OS build. */
export function demoBuildLineWords(l: DemoBuildLine): string {
  switch (l.key) {
    case 'private-apt':
      return t('demoBuild.line.private-apt', { host: l.host, suite: l.suite, dir: l.dir });
    case 'apt-update':
      return t('demoBuild.line.apt-update', { suite: l.suite });
    case 'downloading':
      return t('demoBuild.line.downloading', { name: l.name, version: l.version });
    case 'pin-replaced':
      return t('demoBuild.line.pin-replaced', { name: l.name, version: l.version, now: l.now });
    case 'up-to-date':
      return t('demoBuild.line.up-to-date');
    case 'building':
      return t('demoBuild.line.building');
    case 'kernel':
      return t('demoBuild.line.kernel', { release: l.release });
    case 'ready':
      return t('demoBuild.line.ready', { size: formatBytes(l.bytes), dir: l.dir });
  }
}

/** Why the demo OS build stopped, as its script said it. */
export function demoBuildStopWords(s: DemoBuildStop): string {
  switch (s.key) {
    case 'missing-tool':
      return t('demoBuild.stop.missing-tool', { tool: s.tool });
    case 'no-keyring':
      return t('demoBuild.stop.no-keyring', { suite: s.suite });
    case 'no-archive':
      return t('demoBuild.stop.no-archive', { suite: s.suite });
    case 'pin-gone':
      return t('demoBuild.stop.pin-gone', { name: s.name, version: s.version });
    case 'no-package':
      return t('demoBuild.stop.no-package', { name: s.name });
    case 'download-failed':
      return t('demoBuild.stop.download-failed', { name: s.name, version: s.version });
    case 'broken-package':
      return t('demoBuild.stop.broken-package', { name: s.name });
    case 'no-kernel':
      return t('demoBuild.stop.no-kernel', { release: s.release });
    case 'no-module':
      return t('demoBuild.stop.no-module', { module: s.module, release: s.release });
    case 'verity-failed':
      return t('demoBuild.stop.verity-failed');
    case 'over-budget':
      return t('demoBuild.stop.over-budget', { size: formatBytes(s.bytes), budget: formatBytes(s.budget) });
  }
}

/** A failed demo OS build: the reason (typed, else the exit code), then the tools' own last lines, untranslated. */
export function demoBuildErrorWords(d: ErrorDetailsOf<'demo-build'>): string {
  if (d.why === 'cancelled') return t('demoBuild.cancelled');
  if (d.why === 'no-dir') return t('demoBuild.noDir');
  const reason = d.stop ? demoBuildStopWords(d.stop) : t('demoBuild.exit', { code: String(d.exitCode ?? '?') });
  const head = t('demoBuild.failed', { reason });
  return d.output ? `${head}\n${t('demoBuild.output')}\n${d.output}` : head;
}
