// Step 2: what to write. The demo bundle is preselected; another bundle folder (or, for the raw profile, a
// disk image, compressed or not) can be typed in — or chosen with the desktop's chooser in the app — and is
// checked by the services before it is accepted.
import { useWizard } from '../store/context.tsx';
import { formatBytes } from '../../src-shared/format/bytes.ts';
import { currentProfile } from '../store/selectors.ts';
import { sourceLocation } from '../store/selection-slice.ts';
import { ChooseButton } from './ChooseButton.tsx';
import { StepHeading } from './StepHeading.tsx';
import type { PickRequest } from '../store/types.ts';

const IMAGE_FILTERS = [
  { name: 'Disk images', extensions: ['img', 'iso', 'raw', 'xz', 'gz', 'zst', 'bz2'] },
  { name: 'All files', extensions: ['*'] },
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
      <StepHeading title={wantsImage ? 'Which disk image?' : 'Which system bundle?'}>
        {wantsImage
          ? 'Type the path of a disk image (.img, .iso, .raw — also .xz, .gz, .zst, .bz2 compressed).'
          : 'The demo bundle is chosen for you. To write another system, type the path of its bundle folder.'}
      </StepHeading>
      <form
        className="field"
        onSubmit={(e) => {
          e.preventDefault();
          void inspectSource();
        }}
      >
        <label htmlFor="source-path">{wantsImage ? 'Disk image file' : 'Bundle folder'}</label>
        <div className="row">
          <input
            id="source-path"
            className="text-input grow mono"
            type="text"
            spellCheck={false}
            value={sourcePath}
            placeholder={wantsImage ? '/home/teacher/images/lab.img.xz' : '/path/to/bundle'}
            onChange={(e) => setSourcePath(e.target.value)}
            aria-describedby={error ? 'source-error' : undefined}
            aria-invalid={error ? true : undefined}
          />
          <ChooseButton request={() => pickRequest(wantsImage, sourcePath)} onPicked={([path]) => path && void inspectSource(path)} />
          <button type="submit" className="btn" disabled={loading}>
            {loading ? 'Checking…' : 'Check'}
          </button>
          {!wantsImage && defaultSource && !isDefault && (
            <button type="button" className="btn" onClick={() => void inspectSource(sourceLocation(defaultSource))}>
              Use the demo bundle
            </button>
          )}
        </div>
      </form>
      {error && (
        <div className="alert error" role="alert" id="source-error">
          <strong>{wantsImage ? 'This image cannot be used.' : 'This bundle is refused.'}</strong>
          <span data-testid="source-error">{error}</span>
          <div className="todo">
            {wantsImage
              ? 'Check the path and that the file is a complete disk image.'
              : 'Rebuild or copy the bundle again (every file is checked against its manifest), or use the demo bundle.'}
          </div>
        </div>
      )}
      {source && !error && (
        <div className="panel" aria-live="polite">
          {source.kind === 'bundle' ? (
            <dl className="facts">
              <dt>Name</dt>
              <dd data-testid="bundle-name">{source.name}</dd>
              <dt>Version</dt>
              <dd className="num">{source.version}</dd>
              <dt>Architecture</dt>
              <dd>{source.arch}</dd>
              <dt>Root image</dt>
              <dd>{source.rootfsKind}</dd>
              <dt>Size</dt>
              <dd className="num">{formatBytes(source.sizeBytes)}</dd>
              <dt>Verity root hash</dt>
              <dd className="mono" data-testid="root-hash">{source.rootHash ?? 'none (this bundle is not sealed; A/B profiles refuse it)'}</dd>
              <dt>Folder</dt>
              <dd className="mono">{source.dir}</dd>
            </dl>
          ) : (
            <dl className="facts">
              <dt>Image</dt>
              <dd className="mono">{source.path}</dd>
              <dt>Size</dt>
              <dd className="num">{formatBytes(source.sizeBytes)}</dd>
              <dt>Compression</dt>
              <dd>{source.compression ?? 'none'}</dd>
            </dl>
          )}
        </div>
      )}
    </section>
  );
}

/** The chooser opens where the typed path points, when it is a full path. */
function pickRequest(wantsImage: boolean, typed: string): PickRequest {
  const at = typed.trim().startsWith('/') ? { defaultPath: typed.trim() } : {};
  return wantsImage
    ? { mode: 'open-file', title: 'Choose a disk image', filters: IMAGE_FILTERS, ...at }
    : { mode: 'open-folder', title: 'Choose a bundle folder', ...at };
}
