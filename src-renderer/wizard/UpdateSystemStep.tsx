// Update, step 3: the new system. The library's bundle, a bundle folder (checked file by file before it can be
// chosen), or another plugged-in iios stick whose newest system the helper takes, read-only (`--from-stick`).
import { t } from '../../src-shared/i18n/index.ts';
import { formatBytes } from '../../src-shared/format/bytes.ts';
import { useWizard } from '../store/context.tsx';
import { updatable, updateCandidates, updateContent } from '../store/update-view.ts';
import { ChooseButton } from './ChooseButton.tsx';
import { StepHeading } from './StepHeading.tsx';

export function UpdateSystemStep() {
  const state = useWizard((s) => s);
  const source = state.updateSource;
  const library = state.defaultSource?.kind === 'bundle' ? state.defaultSource : null;
  // Other iios sticks that carry a system: not the ones being updated.
  const sticks = updateCandidates(state).filter((c) => !state.updateTargets.includes(c.path) && (c.entry?.status === 'ok' ? !!c.entry.info.ab : c.entry?.status !== 'error'));
  const content = updateContent(source);

  return (
    <section>
      <StepHeading title={t('update.systemHeading')}>{t('update.systemLead')}</StepHeading>
      <fieldset className="panel">
        <legend>{t('update.fromBundle')}</legend>
        {library && (
          <label className="switch" style={{ display: 'flex', marginBottom: 8 }}>
            <input
              type="radio"
              name="update-source"
              checked={!state.updateStickPath && state.updateBundlePath === library.dir}
              onChange={() => void state.chooseUpdateBundle(library.dir)}
            />
            {t('update.library', { name: library.name, version: library.version })} <span className="mono muted">{library.dir}</span>
          </label>
        )}
        <form
          className="field"
          onSubmit={(e) => {
            e.preventDefault();
            void state.chooseUpdateBundle();
          }}
        >
          <label htmlFor="update-bundle-path">{t('update.bundlePath')}</label>
          <div className="row">
            <input
              id="update-bundle-path"
              className="text-input grow mono"
              type="text"
              spellCheck={false}
              placeholder={t('update.bundlePlaceholder')}
              value={state.updateBundlePath}
              onChange={(e) => state.setUpdateBundlePath(e.target.value)}
            />
            <ChooseButton request={() => ({ mode: 'open-folder', title: t('update.chooseFolder') })} onPicked={([path]) => path && void state.chooseUpdateBundle(path)} />
            <button type="submit" className="btn" disabled={state.updateSourceLoading}>
              {state.updateSourceLoading ? t('image.checking') : t('image.check')}
            </button>
          </div>
        </form>
      </fieldset>
      <fieldset className="panel" style={{ marginTop: 12 }}>
        <legend>{t('update.fromStick')}</legend>
        <ul className="drive-list" aria-label={t('update.sourceSticks')}>
          {sticks.length === 0 && <li className="muted">{t('update.noSourceStick')}</li>}
          {sticks.map((c) => {
            const u = updatable(c.entry);
            const newest = u.ok ? u.ab.newest : null;
            const id = `update-source-${c.path.replace(/[^A-Za-z0-9]/g, '-')}`;
            const checked = state.updateStickPath === c.path;
            return (
              <li key={c.path} className={`drive${checked ? ' selected' : ''}${newest ? '' : ' disabled'}`} data-device={c.path}>
                <input id={id} type="radio" name="update-source" checked={checked} disabled={!newest} onChange={() => void state.chooseUpdateStick(c.path)} />
                <label htmlFor={id} style={{ display: 'block', minWidth: 0 }}>
                  <div className="name">{c.label}</div>
                  <div className="sub mono">{c.path}</div>
                  <div className="sub" data-testid="source-stick-summary">
                    {u.ok && newest ? t('update.stickCarries', { name: u.info.iios!.hostname, bundle: newest.bundle, version: newest.version }) : u.ok ? t('update.stickNoSystem', { stick: c.path }) : u.reason}
                  </div>
                </label>
                <div className="size num" />
              </li>
            );
          })}
        </ul>
      </fieldset>
      {state.updateSourceError && (
        <div className="alert error" role="alert">
          <strong>{t('update.sourceRefused')}</strong> <span data-testid="update-source-error">{state.updateSourceError}</span>
        </div>
      )}
      {source && content && (
        <div className="panel" aria-live="polite" style={{ marginTop: 12 }} data-testid="update-source">
          <dl className="facts">
            <dt>{t('update.factSystem')}</dt>
            <dd data-testid="update-version">
              {content.name} {content.version}
            </dd>
            <dt>{t('update.factFrom')}</dt>
            <dd className="mono">{source.kind === 'bundle' ? source.bundle.dir : source.path}</dd>
            {content.rootfsBytes !== null && (
              <>
                <dt>{t('update.factRoot')}</dt>
                <dd className="num">{formatBytes(content.rootfsBytes)}</dd>
              </>
            )}
          </dl>
        </div>
      )}
    </section>
  );
}
