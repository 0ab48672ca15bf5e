import type { Command } from '../command.ts';
import { appVersion } from '../../services/app/app-info.ts';

export const versionCommand: Command = {
  summary: 'print the iios version',
  usage: 'iios version',
  options: {},
  async run(_args, io) {
    io.stdout.write(`iios ${appVersion()}\n`);
    return 0;
  },
};
