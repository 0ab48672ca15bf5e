// Why a plan cannot be made (src-shared/layout/plan-problem.ts), in the reader's language: said for a target the
// app's preflight refused and for a clone's refused target. Sizes formatted the reader's way.
import { formatBytesApart } from '../format/bytes.ts';
import { t } from '../i18n/index.ts';
import type { PlanProblem } from '../layout/plan-problem.ts';

const BAD_VALUE = {
  'sector-size': 'plan-problem.bad-sector-size',
  'target-size': 'plan-problem.bad-target-size',
  'image-size': 'plan-problem.bad-image-size',
  guid: 'plan-problem.bad-guid',
} as const;

export function planProblemWords(p: PlanProblem): string {
  switch (p.reason) {
    case 'esp-too-small': {
      const [size, need] = formatBytesApart(p.sizeBytes, p.neededBytes);
      return t('plan-problem.esp-too-small', { size, need, count: p.slots });
    }
    case 'rootfs-kind':
      return t('plan-problem.rootfs-kind', { profile: p.profile, kinds: p.kinds.join(', '), kind: p.kind });
    case 'no-verity':
      return t('plan-problem.no-verity', { profile: p.profile });
    case 'content-too-big': {
      const [size, content] = formatBytesApart(p.sizeBytes, p.contentBytes);
      return t('plan-problem.content-too-big', { partition: p.partition, size, content });
    }
    case 'btrfs-too-small': {
      const [size, min] = formatBytesApart(p.sizeBytes, p.minBytes);
      return t('plan-problem.btrfs-too-small', { partition: p.partition, size, min });
    }
    case 'needs-image':
      return t('plan-problem.needs-image', { profile: p.profile });
    case 'needs-bundle':
      return t('plan-problem.needs-bundle', { profile: p.profile });
    case 'profile-size':
      return t('plan-problem.profile-size', { field: p.field, text: p.text });
    case 'bad-value':
      return t(BAD_VALUE[p.what], { value: p.value });
    case 'missing-partition':
      return t('plan-problem.missing-partition', { profile: p.profile, partition: p.partition });
    case 'no-slot':
      return t('plan-problem.no-slot');
  }
}
