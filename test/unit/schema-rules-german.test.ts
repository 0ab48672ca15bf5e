// iios's own schema rules (a refine or superRefine: a target named twice, the source as a target, a cache kind,
// a bundle or an image) carry their key (contract/field-issue.ts SCHEMA_RULES) beside their English message, so
// the CLI's flags and the GUI's requests say them in the reader's language, not English inside a German frame.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { UsageError, type CommandIO } from '../../src-main/cli/command.ts';
import { cloneCommand } from '../../src-main/cli/commands/clone.ts';
import { writeRequestFromFlags } from '../../src-main/cli/write-request.ts';
import { WriteRequestSchema } from '../../src-shared/contract/domains/jobs.ts';
import { PickPathArgs } from '../../src-shared/contract/domains/app.ts';
import { zodFieldIssues } from '../../src-shared/contract/error-details.ts';
import { SCHEMA_RULES, type SchemaRule } from '../../src-shared/contract/field-issue.ts';
import { fieldIssueWords } from '../../src-shared/errors/field-words.ts';
import { setLocale } from '../../src-shared/i18n/index.ts';
import { CloneJob } from '../../src-shared/job/clone-job.ts';
import { PayloadJob, UpdateJob } from '../../src-shared/job/update-job.ts';
import { WriteJob } from '../../src-shared/job/write-job.ts';
import { parseImageProfile } from '../../src-shared/profile/image-profile.ts';
import { englishIn } from '../support/untranslated.ts';
import { demoManifest } from './wizard/support/fake-services.ts';

afterEach(() => setLocale('en'));

const raw = parseImageProfile(readFileSync(join(import.meta.dirname, '../../resources/profiles/raw.yaml'), 'utf8'), 'raw.yaml', 'raw');
const appliance = parseImageProfile(readFileSync(join(import.meta.dirname, '../../resources/profiles/appliance.yaml'), 'utf8'), 'appliance.yaml', 'appliance');
const target = (id: string, path: string) => ({ id, kind: 'image-file', path, sizeBytes: 1024 * 1024, hostname: 'class-01' });

/** Each rule, met by a real schema with the input that breaks it. */
const BROKEN: [SchemaRule, z.ZodType, unknown][] = [
  ['one-source', WriteRequestSchema, { profileId: 'raw', bundleDir: '/srv/b', imagePath: '/srv/x.img', targets: [{ path: '/dev/sdy' }] }],
  ['cache-kind', WriteRequestSchema, { profileId: 'raw', imagePath: '/srv/x.img', targets: [{ path: '/dev/sdy' }], caches: [{ kind: 'Apt Cache', path: '/srv/apt' }] }],
  ['duplicate-id', CloneJob, { kind: 'clone', jobId: 'c', sourcePath: '/dev/sdx', targets: [target('t1', '/srv/a.img'), target('t1', '/srv/b.img')] }],
  ['duplicate-target', CloneJob, { kind: 'clone', jobId: 'c', sourcePath: '/dev/sdx', targets: [target('t1', '/srv/a.img'), target('t2', '/srv/a.img')] }],
  ['target-is-source', UpdateJob, { kind: 'update', jobId: 'u', source: { kind: 'stick', path: '/dev/sdx' }, targets: [{ id: 't1', kind: 'device', path: '/dev/sdx', sizeBytes: 8e9 }] }],
  ['profile-needs-image', WriteJob, { jobId: 'w', profile: raw, bundleDir: '/srv/b', manifest: demoManifest, targets: [target('t1', '/srv/a.img')] }],
  ['profile-needs-bundle', WriteJob, { jobId: 'w', profile: appliance, imagePath: '/srv/x.img', targets: [target('t1', '/srv/a.img')] }],
  ['bundle-manifest', WriteJob, { jobId: 'w', profile: appliance, bundleDir: '/srv/b', targets: [target('t1', '/srv/a.img')] }],
  ['payload-name', PayloadJob, { kind: 'payload', jobId: 'p', files: [{ sourcePath: '/srv/piece.html', name: '..' }], target: { id: 't1', kind: 'device', path: '/dev/sdy', sizeBytes: 8e9 } }],
  ['path-or-name', PickPathArgs, { mode: 'save-file', title: 'Save', defaultPath: 'sticks/class.img' }],
];

/** Paths, ids and field paths are data, the same in every language. */
const wordsOnly = (text: string) => text.replace(/\/[^\s,;:)]*/g, '…').replace(/\b[\w[\]]+\.[\w.[\]]+\b/g, '…');

describe('a schema rule of iios’s own, in the reader’s language', () => {
  it('the table meets every rule', () => expect(new Set(BROKEN.map(([r]) => r))).toEqual(new Set(SCHEMA_RULES)));

  it.each(BROKEN)('%s: typed by the schema, said in German with no English left', (rule, schema, input) => {
    const parsed = schema.safeParse(input);
    expect(parsed.success).toBe(false);
    const issue = zodFieldIssues(parsed.error!).find((i) => i.said?.code === 'rule' && i.said.rule === rule);
    expect(issue, JSON.stringify(parsed.error!.issues)).toBeDefined();
    setLocale('de');
    const text = fieldIssueWords(issue!);
    expect(englishIn([wordsOnly(text)]), text).toEqual([]);
    setLocale('en');
    expect(fieldIssueWords(issue!)).not.toBe(text);
  });
});

describe('the CLI says a schema rule on its flags in the reader’s language', () => {
  const dir = mkdtempSync(join(tmpdir(), 'iios-schema-rules-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('`iios write --cache` with a kind that is no cache kind', () => {
    setLocale('de');
    const r = writeRequestFromFlags({ profile: 'raw', image: '/srv/x.img', target: ['/dev/sdy'], cache: ['Apt Cache=/srv/apt'] }, { cwd: dir, cachesRoot: dir });
    expect(r.ok).toBe(false);
    const message = (r as { message: string }).message;
    expect(message).toMatch(/^--cache: eine Cache-Art besteht aus Kleinbuchstaben/);
    expect(englishIn([wordsOnly(message)]), message).toEqual([]);
  });

  it('`iios clone` onto its own source', async () => {
    const source = join(dir, 'class.img');
    writeFileSync(source, Buffer.alloc(1024 * 1024));
    const io = { stdout: { write: () => true }, stderr: { write: () => true }, stdin: { isTTY: false } } as unknown as CommandIO;
    setLocale('de');
    const err = await cloneCommand.run({ values: { target: [source], yes: true }, positionals: [source] } as Parameters<typeof cloneCommand.run>[0], io).then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(err).toBeInstanceOf(UsageError);
    expect(err!.message).toMatch(/ist die Quelle; sie wird nie beschrieben\.$/);
    expect(englishIn([wordsOnly(err!.message)]), err!.message).toEqual([]);
  });
});
