import type { Command } from '../command.ts';
import { t } from '../../../src-shared/i18n/index.ts';
import { appVersion } from '../../services/app/app-info.ts';

export const versionCommand: Command = {
  summary: t('cli.version.summary'),
  usage: 'iios version',
  options: {},
  async run(_args, io) {
    io.stdout.write(`iios ${appVersion()}\n`);
    return 0;
  },
};
