// `iios write` and `iios bundle` in a German terminal. Their sources hold no English sentence outside the
// catalogue (found by reading them: a new line printed or refused in English fails here), and what they print
// (the bundle library, the summary of a bundle just made, their refusals) is said in German with no English left.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ts from 'typescript';
import { afterEach, describe, expect, it } from 'vitest';
import { bundleListText, bundleLogWords, createdSummary } from '../../src-main/cli/bundle-words.ts';
import type { BundleLog } from '../../src-main/services/bundles/bundle-log.ts';
import { stageSource } from '../../src-main/services/bundles/source-tree.ts';
import { UsageError, type CommandIO } from '../../src-main/cli/command.ts';
import { bundleCommand } from '../../src-main/cli/commands/bundle.ts';
import type { LibraryBundle } from '../../src-main/services/bundles/bundle-library.ts';
import type { CreatedBundle } from '../../src-main/services/bundles/create-bundle.ts';
import { setLocale } from '../../src-shared/i18n/index.ts';
import type { BundleManifest } from '../../src-shared/profile/bundle-manifest.ts';
import { REPO } from '../support/iios-cli.ts';
import { englishIn } from '../support/untranslated.ts';

/** Every CLI command's source, and the files that say their lines. */
const SPEAKING = [
  ...readdirSync(join(REPO, 'src-main/cli/commands')).filter((f) => f.endsWith('.ts')).map((f) => `src-main/cli/commands/${f}`),
  'src-main/cli/write-request.ts',
  'src-main/cli/bundle-words.ts',
];

/**
 * The text of each string literal, read by the TypeScript parser (so a template inside a template is read whole;
 * comments are no literals), outside imports and the `usage` syntax lines (the same in every language); a
 * template's ${…} parts left out.
 */
function literals(source: string): string[] {
  const out: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) return;
    if (ts.isPropertyAssignment(node) && node.name.getText() === 'usage') return;
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) out.push(node.text);
    else if (ts.isTemplateExpression(node)) out.push([node.head.text, ...node.templateSpans.map((s) => s.literal.text)].join(' '));
    ts.forEachChild(node, visit);
  };
  visit(ts.createSourceFile('x.ts', source, ts.ScriptTarget.Latest, true));
  return out;
}

afterEach(() => setLocale('en'));

describe('the CLI’s words come from the catalogue', () => {
  it.each(SPEAKING)('%s prints and refuses nothing in English of its own', (file) => {
    // two words in a row (lower case, 3+ letters, perhaps a value or a colon between): a sentence, not a key, a
    // flag or a path
    // an iios command line a message tells to run (iios offline --disable) and the program's name before a line
    // (iios serve: …) are the same in every language
    const prose = literals(readFileSync(join(REPO, file), 'utf8'))
      .map((l) => l.replace(/\biios [a-z]+(?: --[a-z-]+|:)/g, ''))
      .filter((l) => /\b[a-z]{3,}[:,;]?\s+[a-z]{3,}\b/.test(l));
    expect(prose, 'say these with t() and a key in src-shared/i18n/en.ts and de.ts').toEqual([]);
  });
});

/** The schemas the CLI's flags and the GUI's requests are checked with: their custom rules reach a reader. */
const RULED = [
  ...readdirSync(join(REPO, 'src-shared/contract/domains')).filter((f) => f.endsWith('.ts')).map((f) => `src-shared/contract/domains/${f}`),
  'src-shared/job/write-job.ts',
  'src-shared/job/clone-job.ts',
  'src-shared/job/update-job.ts',
];

/** Each refine() and addIssue() in a source whose call gives no rule key (ruleParams), as its text. */
function unkeyedRules(source: string): string[] {
  const out: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && ['refine', 'addIssue'].includes(node.expression.name.text)) {
      if (!node.arguments.some((a) => a.getText().includes('ruleParams('))) out.push(node.getText().replace(/\s+/g, ' ').slice(0, 160));
    }
    ts.forEachChild(node, visit);
  };
  visit(ts.createSourceFile('x.ts', source, ts.ScriptTarget.Latest, true));
  return out;
}

describe('the schema rules the CLI’s flags meet are keyed', () => {
  it.each(RULED)('%s: every custom rule names its catalogue key', (file) => {
    // a rule's own English sentence would reach a German reader inside a translated frame
    expect(unkeyedRules(readFileSync(join(REPO, file), 'utf8')), 'give it ruleParams(…) and a key in SCHEMA_RULES (contract/field-issue.ts)').toEqual([]);
  });
});

/** The files iios reads (profiles, bundle manifests, cache sets) and their readers: each refusal names its rule. */
const FILE_READERS = [
  'src-shared/profile/profile-rules.ts',
  'src-shared/profile/profile-schema.ts',
  'src-shared/profile/image-profile.ts',
  'src-shared/profile/bundle-manifest.ts',
  'src-shared/profile/ruled-text.ts',
  'src-shared/profile/schema-errors.ts',
  'src-shared/caches/cache-set.ts',
  'src-main/services/sources/profiles.ts',
  'src-main/services/caches/load-cache-set.ts',
];

/**
 * What in a file reader would refuse a file in English only: a refine() or addIssue() without ruleParams, a
 * regex() (its error is a sentence, no rule), a plain `new Error(…)`, and an issue written as an object with a
 * `message` but neither a `rule` (profile-rules.ts), a `said` (a field issue) nor a spread ruleParams(…) (a zod issue).
 */
function untypedRefusals(source: string): string[] {
  const out = unkeyedRules(source);
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && node.expression.name.text === 'regex') {
      out.push(node.getText().replace(/\s+/g, ' ').slice(0, 160));
    }
    // a plain Error carries no details: only its English message reaches the reader
    if (ts.isNewExpression(node) && node.expression.getText() === 'Error') out.push(node.getText().replace(/\s+/g, ' ').slice(0, 160));
    if (ts.isObjectLiteralExpression(node)) {
      const names = node.properties.map((p) => (p.name && ts.isIdentifier(p.name) ? p.name.text : ''));
      const keyed = names.includes('rule') || names.includes('said') || node.properties.some((p) => ts.isSpreadAssignment(p) && p.expression.getText().includes('ruleParams('));
      if (names.includes('message') && !keyed) out.push(node.getText().replace(/\s+/g, ' ').slice(0, 160));
    }
    ts.forEachChild(node, visit);
  };
  visit(ts.createSourceFile('x.ts', source, ts.ScriptTarget.Latest, true));
  return out;
}

describe('a malformed file is refused with a typed rule', () => {
  it.each(FILE_READERS)('%s: every refusal names its rule', (file) => {
    // a refusal with only its English sentence would reach a German reader as English (or inside a frame)
    const hint = 'give it a rule in FILE_RULES (contract/file-rules.ts): fileIssue(…), ruleParams(…) or ruledText(…), and its words in errors/file-rule-words.ts';
    expect(untypedRefusals(readFileSync(join(REPO, file), 'utf8')), hint).toEqual([]);
  });
});

const manifest = { name: 'lab', version: '2.1', build: { kernelRelease: '6.12.38+deb13-amd64' }, verity: { rootHash: 'ab'.repeat(32) } } as unknown as BundleManifest;
const made: CreatedBundle = { dir: '/var/lib/iios/bundles/lab-2.1', manifest, treeBytes: 1_400_000_000, bundleBytes: 480_000_000, seconds: 93.4 };
const library: LibraryBundle[] = [
  { dir: '/var/lib/iios/bundles/lab-2.1', name: 'lab', version: '2.1', sizeBytes: 480e6, source: 'debian:trixie', where: 'library', stick: null },
  { dir: '/media/x/@iios/bundles/demo-os-1.0', name: 'demo-os', version: '1.0', sizeBytes: 90e6, source: null, where: 'stick', stick: '/dev/sdb3' },
  { dir: '/opt/iios/demo', name: 'demo-os', version: '1.0', sizeBytes: 90e6, source: null, where: 'demo', stick: null },
];

/** Names, versions, paths and hashes are data, the same in every language. */
const wordsOnly = (text: string) => text.replace(/\/[^\s)]+/g, '…').replace(/\b[0-9a-f]{16,}\b/g, '…').replace(/\b(lab|demo-os|debian:trixie|squashfs|erofs|ext4)\b/g, '…');

describe('`iios bundle` in a German terminal', () => {
  it('says the summary of a bundle just made, the library and an empty library in German', () => {
    setLocale('de');
    const texts = [createdSummary(made, 'lab', '2.1'), bundleListText(library, '/var/lib/iios/bundles'), bundleListText([], '/var/lib/iios/bundles')];
    expect(texts[0]).toMatch(/480 MB aus einem Baum von 1,4 GB in 93 s/);
    for (const text of texts) expect(englishIn(text.split('\n').map(wordsOnly)), text).toEqual([]);
    setLocale('en');
    expect(createdSummary(made, 'lab', '2.1')).toBe(`${made.dir}\nlab 2.1: a bundle of 480 MB from a tree of 1.4 GB in 93 s (kernel 6.12.38+deb13-amd64, root hash ${'ab'.repeat(32)})`);
  });

  // one line of each kind making a bundle logs (a Record: a new kind without a line here does not compile)
  const LOG: Record<BundleLog['key'], BundleLog> = {
    'debian-cached': { key: 'debian-cached', suite: 'trixie', root: '/home/ana/.cache/iios/debian/trixie-1/root' },
    'debian-mmdebstrap': { key: 'debian-mmdebstrap', suite: 'trixie', packages: ['linux-image-amd64', 'systemd'] },
    copying: { key: 'copying', path: '/srv/root' },
    fetching: { key: 'fetching', ref: 'docker://debian:trixie' },
    layer: { key: 'layer', n: 1, count: 2, digest: 'sha256:0123456789ab', bytes: 31_000_000 },
    'devices-skipped': { key: 'devices-skipped', count: 3 },
    'aufs-ignored': { key: 'aufs-ignored', path: 'etc/.wh..wh.aufs' },
    'device-skipped': { key: 'device-skipped', path: 'dev/null' },
    'entry-skipped': { key: 'entry-skipped', path: 'x', type: 'S' },
    kernel: { key: 'kernel', release: '6.12.38+deb13-amd64' },
    additions: { key: 'additions', added: ['iios-ready.service', 'iios-grow.service'] },
    'no-systemd': { key: 'no-systemd' },
    initramfs: { key: 'initramfs' },
    'modules-missing': { key: 'modules-missing', release: '6.12.38+deb13-amd64', modules: ['virtio_blk'] },
    'root-image': { key: 'root-image', kind: 'squashfs' },
  };
  /** Suites, packages, refs, units, kernels and module names are data. */
  const logData = (text: string) => wordsOnly(text).replace(/\b(trixie|mmdebstrap|minbase|skopeo|aufs|tar|systemd|initramfs|docker:[^\s)]+|sha256:\w+|[\w.-]+\.service|[\w.+-]+-amd64|virtio_blk|linux-image-amd64)\b/g, '…');
  it.each(Object.entries(LOG))('a bundle’s progress line %s: said in German with no English left', (_, line) => {
    setLocale('de');
    const text = bundleLogWords(line);
    expect(englishIn([logData(text)]), text).toEqual([]);
    setLocale('en');
    expect(bundleLogWords(line)).not.toBe(text);
  });

  it('the lines a real bundle source logs as it is staged are typed, said in German', async () => {
    const work = mkdtempSync(join(tmpdir(), 'iios-bundle-log-'));
    try {
      mkdirSync(join(work, 'tree', 'etc'), { recursive: true });
      writeFileSync(join(work, 'tree', 'etc', 'hostname'), 'lab\n');
      const lines: BundleLog[] = [];
      await stageSource({ kind: 'dir', path: join(work, 'tree') }, join(work, 'stage'), join(work, 'work'), (l) => lines.push(l));
      expect(lines).toEqual([{ key: 'copying', path: join(work, 'tree') }]);
      setLocale('de');
      for (const l of lines) expect(englishIn([logData(bundleLogWords(l))])).toEqual([]);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });

  const io = { stdout: { write: () => true }, stderr: { write: () => true } } as unknown as CommandIO;
  const refused: [string, Record<string, unknown>, string[]][] = [
    ['neither create nor list', {}, ['nope']],
    ['create without --from, --name, --version', {}, ['create']],
    ['a root filesystem iios does not make', { from: 'dir:/srv/root', name: 'lab', version: '1', rootfs: 'ext4' }, ['create']],
    ['--packages with a folder', { from: 'dir:/srv/root', name: 'lab', version: '1', packages: 'vim' }, ['create']],
  ];
  it.each(refused)('%s: refused in German', async (_, values, positionals) => {
    setLocale('de');
    const err = await bundleCommand.run({ values, positionals } as Parameters<typeof bundleCommand.run>[0], io).then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(err).toBeInstanceOf(UsageError);
    // the first line is ours; the usage after it is the command's syntax
    const said = err!.message.split('\n')[0]!;
    expect(englishIn([wordsOnly(said).replace(/--[a-z-]+/g, '…').replace(/\b[A-Z]{1,}\b/g, '…')]), said).toEqual([]);
  });
});
