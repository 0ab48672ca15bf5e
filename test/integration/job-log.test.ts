// The job's log: `iios write` of a bundle whose squashfs is damaged (its superblock overwritten, the manifest's
// sha256 made to match, so nothing refuses it before the tools run) fails in the Btrfs phase at `unsquashfs`.
// The command prints the log's path; the log, under $XDG_STATE_HOME/iios/jobs, holds the command lines the job
// ran before, the argv of the tool that failed and its stderr, and is private to the user.
import { readFile, mkdtemp, open, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO } from '../support/iios-cli.ts';
import { makeBundle, sha256File, type TestBundle } from '../support/make-bundle.ts';

let bundle: TestBundle;
let work: string;
beforeAll(async () => {
  bundle = await makeBundle({ name: 'iios-damaged', version: '1.0' });
  work = await mkdtemp(join(tmpdir(), 'iios-job-log-'));
  const squash = join(bundle.dir, 'root.squashfs');
  const fh = await open(squash, 'r+');
  await fh.write(Buffer.from('XXXX'), 0, 4, 0); // "hsqs", the magic, no more
  await fh.close();
  const manifestPath = join(bundle.dir, 'manifest.json');
  const manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as { files: Record<string, { sha256: string }> };
  manifest.files['root.squashfs']!.sha256 = await sha256File(squash);
  await writeFile(manifestPath, JSON.stringify(manifest, null, 2));
});
afterAll(async () => {
  await bundle?.cleanup();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('the job log', () => {
  it("a failed write's log holds the failing tool's argv and its stderr, and iios write prints its path", async () => {
    const state = join(work, 'state');
    const img = join(work, 'class.img');
    const r = await execa(process.execPath, [join(REPO, 'src-main/cli/iios.mjs'), 'write', '--profile', 'classroom', '--bundle', bundle.dir, '--target', img, '--size', '700M', '--yes'], {
      reject: false,
      stdin: 'ignore',
      env: { IIOS_FROM_SOURCE: '1', XDG_STATE_HOME: state },
      timeout: 240_000,
    });
    expect(r.exitCode, String(r.stdout) + String(r.stderr)).toBe(1);
    const logPath = /^log: (.+)$/m.exec(String(r.stdout))?.[1];
    expect(logPath, String(r.stdout)).toMatch(new RegExp(`^${join(state, 'iios/jobs')}/\\d{8}T\\d{6}Z-[\\w.-]+\\.log$`));
    expect(String(r.stdout)).toContain(`every command the job ran, and why it failed: ${logPath}`);
    expect((await stat(logPath!)).mode & 0o777).toBe(0o600);

    const log = await readFile(logPath!, 'utf8');
    // the command lines before the failure, each as it ran
    const t = '\\[t1-class\\.img\\]';
    // the tools reach the image through the helper's own bound file (made from the folder held since the check,
    // helpers/image-file.ts): the log says which file that is, so each later line can be read back to the image
    const bound = /debug: \$ mount --bind --no-canonicalize \/proc\/\d+\/fd\/\d+ (\S+)$/m.exec(log)?.[1];
    expect(bound, log).toBeTruthy();
    expect(log).toContain(`target ${img}`);
    expect(log).toMatch(new RegExp(`^\\S+ ${t} debug: \\$ mkfs\\.vfat -F 32 -s \\d+ -n IIOS-ESP -S 512 --offset=2048 ${bound} \\d+$`, 'm'));
    expect(log).toMatch(new RegExp(`^\\S+ ${t} debug: \\$ mcopy -o -i ${bound}@@1048576 \\S+ ::/iios/stick\\.json$`, 'm'));
    // the tool that failed: its argv and its stderr
    expect(log).toMatch(new RegExp(`^\\S+ ${t} debug: \\$ unsquashfs -lls -no-progress \\S+$`, 'm'));
    expect(log).toMatch(new RegExp(`^\\S+ ${t} info: unsquashfs -lls -no-progress \\S+ failed \\(exit 1\\); stderr:\nFATAL ERROR: Can't find a valid SQUASHFS superblock on \\S+$`, 'm'));
    expect(log).toMatch(new RegExp(`^\\S+ ${t} FAILED: btrfs failed: unsquashfs failed`, 'm'));
  }, 300_000);
});
