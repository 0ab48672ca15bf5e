// The `iios` command speaks the terminal's language (LC_ALL over LC_MESSAGES over LANG): German under a German
// locale, English under C or a language iios does not have; sizes follow (16,0 GB).
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { REPO } from '../support/iios-cli.ts';

async function iiosIn(env: Record<string, string>, args: string[]) {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(LANG|LANGUAGE|LC_.*)$/.test(k)));
  const r = await execa(process.execPath, [join(REPO, 'src-main/cli/iios.mjs'), ...args], { reject: false, stdin: 'ignore', env: { ...clean, ...env }, extendEnv: false });
  return { code: r.exitCode, out: String(r.stdout), err: String(r.stderr) };
}

describe('the language of the iios command', () => {
  it('helps in German under LANG=de_DE.UTF-8, in English when LC_ALL=C overrides it or the language is unknown', async () => {
    expect((await iiosIn({ LANG: 'de_DE.UTF-8' }, ['--help'])).out).toMatch(/^iios: startfähige, beschreibbare.*\n\nAufruf: iios <Befehl> \[Optionen\]/);
    expect((await iiosIn({ LANG: 'de_DE.UTF-8', LC_ALL: 'C' }, ['--help'])).out).toMatch(/^iios: bootable, writable.*\n\nusage: iios <command>/);
    expect((await iiosIn({ LANG: 'es_ES.UTF-8' }, ['--help'])).out).toMatch(/^usage: iios <command>/m);
  });

  it('refuses in German, and writes sizes the German way', async () => {
    const r = await iiosIn({ LANG: 'de_DE.UTF-8' }, ['plan', '--profile', 'appliance', '--size', '16G', '--rootfs-size', '64M']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/\d+,\d GB/);
    const u = await iiosIn({ LC_MESSAGES: 'de_DE.UTF-8' }, ['nosuchcommand']);
    expect(u.code).toBe(2);
    expect(u.err).toMatch(/^iios: unbekannter Befehl „nosuchcommand“/);
  });
});
