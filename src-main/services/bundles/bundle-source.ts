// SOURCE of `iios bundle create`, parsed: a root tree, a container image as skopeo names it, or a Debian suite.
export type BundleSource =
  | { kind: 'dir'; path: string }
  | { kind: 'image'; ref: string }
  | { kind: 'debian'; suite: string; packages: string[] };

const IMAGE_TRANSPORTS = ['oci-archive:', 'oci:', 'docker-archive:', 'containers-storage:', 'docker://'];

export class SourceSpecError extends Error {
  override name = 'SourceSpecError';
}

export function parseBundleSource(spec: string, packages: string[] = []): BundleSource {
  if (spec.startsWith('dir:')) {
    const path = spec.slice(4);
    if (!path) throw new SourceSpecError('dir: needs a path (dir:/path/to/root)');
    return { kind: 'dir', path };
  }
  if (spec.startsWith('debian:')) {
    const suite = spec.slice(7);
    if (!/^[a-z][a-z0-9-]*$/.test(suite)) throw new SourceSpecError(`"${suite}" is not a Debian suite name (debian:bookworm)`);
    return { kind: 'debian', suite, packages };
  }
  if (IMAGE_TRANSPORTS.some((t) => spec.startsWith(t) && spec.length > t.length)) return { kind: 'image', ref: spec };
  throw new SourceSpecError(
    `"${spec}" is not a source: use dir:/path, debian:SUITE, or a container image (${IMAGE_TRANSPORTS.map((t) => `${t}…`).join(', ')})`,
  );
}

export function describeSource(s: BundleSource): string {
  if (s.kind === 'dir') return `dir:${s.path}`;
  if (s.kind === 'image') return s.ref;
  return `debian:${s.suite}${s.packages.length ? ` +${s.packages.join(',')}` : ''}`;
}
