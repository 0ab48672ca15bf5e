// What a cache build is doing, as data: the builders say it this way, the contract carries it, and the GUI and the
// CLI put it into words from the catalogue (the reader's language), never the builder's English.
import * as z from 'zod';
import { t } from '../i18n/index.ts';

export const CacheBuildStep = z.discriminatedUnion('step', [
  /** apt-get update of the set's own sources */
  z.object({ step: z.literal('apt-update') }),
  /** working out the dependency closure of these packages */
  z.object({ step: z.literal('resolving'), names: z.array(z.string()) }),
  /** fetching `count` of the `of` packages the closure holds (the others are in the library already) */
  z.object({ step: z.literal('downloading'), count: z.number().int().nonnegative(), of: z.number().int().nonnegative() }),
  /** writing the repository's index (apt: and signing it; rpm: createrepo_c) */
  z.object({ step: z.literal('indexing') }),
  /** checking a flatpak remote */
  z.object({ step: z.literal('checking-remote'), remote: z.string() }),
  /** flatpak create-usb of `count` refs */
  z.object({ step: z.literal('create-usb'), count: z.number().int().nonnegative() }),
  /** copying one source (an image, a folder) */
  z.object({ step: z.literal('copying'), source: z.string() }),
  /** fetching one item (an ostree ref, a URL) */
  z.object({ step: z.literal('fetching'), item: z.string() }),
  /** checking what was copied (a Homebrew cache) */
  z.object({ step: z.literal('checking') }),
  /** the kind is done: `count` items of its kind, `newCount` of them new or changed (null: not told) */
  z.object({
    step: z.literal('done'),
    unit: z.enum(['packages', 'images', 'refs', 'urls', 'files']),
    count: z.number().int().nonnegative(),
    newCount: z.number().int().nonnegative().nullable(),
  }),
]);
export type CacheBuildStep = z.infer<typeof CacheBuildStep>;

// whole sentences per unit (word order differs between languages): with the new ones, and without when not told
const DONE = {
  packages: (count: number, fresh: number | null) => (fresh === null ? t('cacheBuild.donePackages', { count }) : t('cacheBuild.donePackagesNew', { count, fresh })),
  images: (count: number, fresh: number | null) => (fresh === null ? t('cacheBuild.doneImages', { count }) : t('cacheBuild.doneImagesNew', { count, fresh })),
  refs: (count: number, fresh: number | null) => (fresh === null ? t('cacheBuild.doneRefs', { count }) : t('cacheBuild.doneRefsNew', { count, fresh })),
  urls: (count: number, fresh: number | null) => (fresh === null ? t('cacheBuild.doneUrls', { count }) : t('cacheBuild.doneUrlsNew', { count, fresh })),
  files: (count: number, fresh: number | null) => (fresh === null ? t('cacheBuild.doneFiles', { count }) : t('cacheBuild.doneFilesNew', { count, fresh })),
} as const;

/** The step in the reader's words (one short line under a progress bar, or after `[kind] 40%` in the CLI). */
export function cacheBuildStepText(s: CacheBuildStep): string {
  switch (s.step) {
    case 'apt-update':
      return t('cacheBuild.aptUpdate');
    case 'resolving':
      return t('cacheBuild.resolving', { names: s.names.join(', ') });
    case 'downloading':
      return t('cacheBuild.downloading', { count: s.of, fetch: s.count });
    case 'indexing':
      return t('cacheBuild.indexing');
    case 'checking-remote':
      return t('cacheBuild.checkingRemote', { remote: s.remote });
    case 'create-usb':
      return t('cacheBuild.createUsb', { count: s.count });
    case 'copying':
      return t('cacheBuild.copying', { source: s.source });
    case 'fetching':
      return t('cacheBuild.fetching', { item: s.item });
    case 'checking':
      return t('cacheBuild.checking');
    case 'done':
      return DONE[s.unit](s.count, s.newCount);
  }
}
