// Why a target is refused, by the drive rules' reason: said for a service's refusal (error-words.ts) and for a
// helper's (failure-words.ts). Its own file so that both can use it and error-words.ts can say a helper's failures.
import type { ErrorDetailsOf } from '../contract/error-details.ts';
import type { MessageKey } from '../i18n/index.ts';

export const UNSAFE = {
  'not-found': 'error.unsafe.not-found',
  'not-whole-disk': 'error.unsafe.not-whole-disk',
  system: 'error.unsafe.system',
  source: 'error.unsafe.source',
  'read-only': 'error.unsafe.read-only',
  'too-small': 'error.unsafe.too-small',
  mounted: 'error.unsafe.mounted',
  'bad-path': 'error.unsafe.bad-path',
} as const satisfies Record<ErrorDetailsOf<'unsafe-target'>['reason'], MessageKey>;
