// What a drive is called in the wizard. The drive service describes a loop device in English ("Loop device
// (a.raw)") whatever the page's language, so the name of a loop device is made here, in the page's language;
// any other drive is named by what it says of itself (vendor and model), or its device path.
import { t } from '../../src-shared/i18n/index.ts';
import { baseName } from './format.ts';
import type { Drive } from './types.ts';

export function driveName(d: Pick<Drive, 'busType' | 'backingFile' | 'description' | 'device'>): string {
  if (d.busType === 'LOOP') return d.backingFile ? t('drive.loopName', { file: baseName(d.backingFile) }) : t('drive.loopNameBare');
  return d.description || d.device;
}
