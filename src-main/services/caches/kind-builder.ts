// What every cache kind provides (design.md, "Cache sets"). A builder makes its kind with that ecosystem's own
// tool into the library folder on this computer, incrementally (a second build fetches only what changed), in the
// exact form the stick carries under `@caches/<kind>`. An offline wiring connects a mounted stick's copy to the
// tools of the machine it is plugged into, and can undo what it did. Builders run as the user, never as root.
import type { CacheBuildStep } from '../../../src-shared/caches/build-step.ts';
import type { CacheKind, CacheSpec } from '../../../src-shared/caches/cache-set.ts';

export interface CacheBuildContext {
  /** `~/.cache/iios/caches/<set>/<kind>/`: exists (maybe holding the previous build); the builder owns it */
  dir: string;
  /** scratch space removed after the build */
  workDir: string;
  /** the folder of the cache-set file, for relative paths in it */
  baseDir: string;
  /** progress within this kind, 0..1, with what is being done as data (the GUI and CLI word it) */
  progress(fraction: number, step: CacheBuildStep): void;
  /** a line for the job log (the tool's command and its outcome) */
  log(line: string): void;
  signal?: AbortSignal;
}

export interface CacheBuildResult {
  /** what the kind now holds: packages, images, refs, URLs, files */
  items: string[];
  /** items fetched by this build (not in the previous one) */
  newItems: string[];
  /** bytes under `dir` */
  bytes: number;
}

export interface CacheKindBuilder<K extends CacheKind> {
  kind: K;
  /** host tools the kind needs, checked before building, named in the error with the Debian package to install */
  tools: { command: string; debianPackage: string }[];
  build(spec: CacheSpec<K>, ctx: CacheBuildContext): Promise<CacheBuildResult>;
}

/** One change `iios offline` makes on a machine: a file it writes (and removes again on --disable). */
export interface OfflineChange {
  /** absolute path of the file written, or of the link made */
  path: string;
  /** the file's content, or for a link its target */
  content: string;
  link?: boolean;
  /** a command to run after writing (e.g. `flatpak remote-modify …`), shown by --print; undone by `undo` */
  command?: string[];
  undo?: string[];
  /** what it does, in one line, for --print */
  summary: string;
}

export interface OfflineWiringContext {
  /** the kind's folder on the mounted stick: `<mount>/@caches/<kind>` */
  cacheDir: string;
  /** root of the machine's configuration (normally "/"; tests give a private root) */
  root: string;
}

export interface OfflineWiring<K extends CacheKind> {
  kind: K;
  /** the changes that wire the stick's cache in; pure: nothing is written here */
  plan(ctx: OfflineWiringContext): OfflineChange[];
}
