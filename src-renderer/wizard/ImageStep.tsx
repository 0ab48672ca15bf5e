// Step 2: what to write. The demo bundle is preselected; the bundle library (this computer's bundles, the demo,
// and those on plugged-in iios sticks) is listed with name, version, size and source to choose from; another
// bundle folder (or, for the raw profile, a disk image, compressed or not) can be typed in — or chosen with the
// desktop's chooser in the app. Every choice is checked by the services before it is accepted.
import { t } from '../../src-shared/i18n/index.ts';
import { useWizard } from '../store/context.tsx';
import { formatBytes } from '../../src-shared/format/bytes.ts';
import { currentProfile } from '../store/selectors.ts';
import { sourceLocation } from '../store/selection-slice.ts';
import { ChooseButton } from './ChooseButton.tsx';
import { StepHeading } from './StepHeading.tsx';
import type { LibraryBundleView, PickRequest } from '../store/types.ts';

const imageFilters = () => [
  { name: t('image.filterImages'), extensions: ['img', 'iso', 'raw', 'xz', 'gz', 'zst', 'bz2'] },
  { name: t('image.filterAll'), extensions: ['*'] },
];

export function ImageStep() {
  const profile = useWizard(currentProfile);
  const source = useWizard((s) => s.source);
  const defaultSource = useWizard((s) => s.defaultSource);
  const sourcePath = useWizard((s) => s.sourcePath);
  const loading = useWizard((s) => s.sourceLoading);
  const error = useWizard((s) => s.sourceError);
  const setSourcePath = useWizard((s) => s.setSourcePath);
  const inspectSource = useWizard((s) => s.inspectSource);
  const wantsImage = profile?.source === 'image';
  const isDefault = source !== null && defaultSource !== null && sourceLocation(source) === sourceLocation(defaultSource);

  return (
    <section>
      <StepHeading title={wantsImage ? t('image.headingImage') : t('image.headingBundle')}>
        {wantsImage ? t('image.leadImage') : t('image.leadBundle')}
      </StepHeading>
      {!wantsImage && <Library />}
      <form
        className="field"
        onSubmit={(e) => {
          e.preventDefault();
          void inspectSource();
        }}
      >
        <label htmlFor="source-path">{wantsImage ? t('image.labelImage') : t('image.labelBundle')}</label>
        <div className="row">
          <input
            id="source-path"
            className="text-input grow mono"
            type="text"
            spellCheck={false}
            value={sourcePath}
            placeholder={wantsImage ? t('image.placeholderImage') : t('image.placeholderBundle')}
            onChange={(e) => setSourcePath(e.target.value)}
            aria-describedby={error ? 'source-error' : undefined}
            aria-invalid={error ? true : undefined}
          />
          <ChooseButton request={() => pickRequest(wantsImage, sourcePath)} onPicked={([path]) => path && void inspectSource(path)} />
          <button type="submit" className="btn" disabled={loading}>
            {loading ? t('image.checking') : t('image.check')}
          </button>
          {!wantsImage && defaultSource && !isDefault && (
            <button type="button" className="btn" onClick={() => void inspectSource(sourceLocation(defaultSource))}>
              {t('image.useDemo')}
            </button>
          )}
        </div>
      </form>
      {error && (
        <div className="alert error" role="alert" id="source-error">
          <strong>{wantsImage ? t('image.refusedImage') : t('image.refusedBundle')}</strong>
          <span data-testid="source-error">{error}</span>
          <div className="todo">
            {wantsImage ? t('image.todoImage') : t('image.todoBundle')}
          </div>
        </div>
      )}
      {source && !error && (
        <div className="panel" aria-live="polite">
          {source.kind === 'bundle' ? (
            <dl className="facts">
              <dt>{t('image.fact.name')}</dt>
              <dd data-testid="bundle-name">{source.name}</dd>
              <dt>{t('image.fact.version')}</dt>
              <dd className="num">{source.version}</dd>
              <dt>{t('image.fact.arch')}</dt>
              <dd>{source.arch}</dd>
              <dt>{t('image.fact.rootImage')}</dt>
              <dd>{source.rootfsKind}</dd>
              <dt>{t('image.fact.size')}</dt>
              <dd className="num">{formatBytes(source.sizeBytes)}</dd>
              <dt>{t('image.fact.rootHash')}</dt>
              <dd className="mono" data-testid="root-hash">{source.rootHash ?? t('image.fact.noRootHash')}</dd>
              <dt>{t('image.fact.folder')}</dt>
              <dd className="mono">{source.dir}</dd>
            </dl>
          ) : (
            <dl className="facts">
              <dt>{t('image.fact.image')}</dt>
              <dd className="mono">{source.path}</dd>
              <dt>{t('image.fact.size')}</dt>
              <dd className="num">{formatBytes(source.sizeBytes)}</dd>
              <dt>{t('image.fact.compression')}</dt>
              <dd>{source.compression ?? t('image.fact.noCompression')}</dd>
            </dl>
          )}
        </div>
      )}
    </section>
  );
}

function whereText(b: LibraryBundleView): string {
  if (b.where === 'stick') return t('image.library.onStick', { stick: b.stick ?? '' });
  return b.where === 'demo' ? t('image.library.demo') : t('image.library.computer');
}

/** The bundle library as one radio group: choosing a bundle checks it like a typed folder. */
function Library() {
  const library = useWizard((s) => s.library);
  const error = useWizard((s) => s.libraryError);
  const source = useWizard((s) => s.source);
  const loading = useWizard((s) => s.sourceLoading);
  const inspectSource = useWizard((s) => s.inspectSource);
  const loadLibrary = useWizard((s) => s.loadLibrary);
  const sourcePath = useWizard((s) => s.sourcePath);
  // while a chosen bundle is being checked it shows as chosen; then the checked one (none when refused)
  const chosen = loading ? sourcePath : source?.kind === 'bundle' ? source.dir : null;
  return (
    <fieldset className="field library" aria-busy={library === null}>
      <legend>{t('image.library.heading')}</legend>
      {error && (
        <div className="alert error" role="alert">
          {t('image.library.failed', { error })}
        </div>
      )}
      <ul className="drive-list" aria-label={t('image.library.heading')}>
        {library === null && <li className="muted">{t('image.library.looking')}</li>}
        {library?.length === 0 && <li className="muted">{t('image.library.empty')}</li>}
        {library?.map((b, i) => {
          const id = `library-${i}`;
          return (
            <li key={b.dir} className={`drive${chosen === b.dir ? ' selected' : ''}`} data-bundle-dir={b.dir}>
              <input id={id} type="radio" name="library" checked={chosen === b.dir} disabled={loading} onChange={() => void inspectSource(b.dir)} />
              <label htmlFor={id} style={{ display: 'block', minWidth: 0, cursor: 'pointer' }}>
                <div className="name">
                  <span data-testid="library-name">{b.name}</span> <span className="num">{b.version}</span>
                </div>
                <div className="sub">
                  {b.source ? t('image.library.source', { source: b.source }) : t('image.library.sourceUnknown')} · {whereText(b)}
                </div>
              </label>
              <div className="size num">{formatBytes(b.sizeBytes)}</div>
            </li>
          );
        })}
      </ul>
      <div className="row">
        <button type="button" className="btn small" onClick={() => void loadLibrary()}>
          {t('image.library.refresh')}
        </button>
      </div>
    </fieldset>
  );
}

/** The chooser opens where the typed path points, when it is a full path. */
function pickRequest(wantsImage: boolean, typed: string): PickRequest {
  const at = typed.trim().startsWith('/') ? { defaultPath: typed.trim() } : {};
  return wantsImage
    ? { mode: 'open-file', title: t('image.chooseImage'), filters: imageFilters(), ...at }
    : { mode: 'open-folder', title: t('image.chooseFolder'), ...at };
}
