// `iios inspect`, `verify`, `demo`, `update`, `payload`, `plan` and `serve` in a German terminal: the lines the
// commands say themselves (a stick's layout and stamp, its status, the verdict of a verify, the demo's steps, the
// refusals) in German with no English left; names, paths, GUIDs and hashes are data, the same in every language.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { runTool } from '../../src-main/services/run-tool.ts';
import { readStick } from '../../src-main/services/stick/stick-reader.ts';
import { stickReadWords } from '../../src-shared/errors/stick-read-words.ts';
import { describeStick } from '../../src-main/cli/commands/inspect.ts';
import { verifyLine, verifyVerdict } from '../../src-main/cli/commands/verify.ts';
import type { ImageComparison } from '../../src-main/services/stick/stick-image-compare.ts';
import { judgeImage } from '../../src-main/services/stick/stick-verify.ts';
import { judgeCaches, judgeEspFiles, judgeSlotSha256 } from '../../src-shared/verify/stick-checks.ts';
import type { StickInfo } from '../../src-main/services/stick/stick-reader.ts';
import { en } from '../../src-shared/i18n/en.ts';
import { setLocale, t, type MessageKey } from '../../src-shared/i18n/index.ts';
import { englishIn } from '../support/untranslated.ts';

afterEach(() => setLocale('en'));

const layout = {
  label: 'gpt',
  sectorSize: 512,
  partitions: [
    { index: 1, name: 'IIOS-ESP', startLba: 2048, sizeBytes: 256 * 1024 ** 2, typeGuid: 'c12a7328-f81f-11d2-ba4b-00a0c93ec93b', attributes: [] },
    { index: 2, name: 'iios-data', startLba: 526336, sizeBytes: 4 * 1024 ** 3, typeGuid: '0fc63daf-8483-4772-8e79-3d69d8477de4', attributes: ['RequiredPartition'] },
  ],
};
const stamp = {
  format: 1, complete: true, hostname: 'class-01', profile: 'appliance', createdAt: '2026-12-03T10:00:00Z', tool: { name: 'iios', version: '0.9.0' }, diskBytes: 8e9, sectorSize: 512,
  slots: { a: { bundle: 'demo-os', version: '1.2', rootHash: 'ab'.repeat(32), rootfsBytes: 1, rootfsSha256: 'cd'.repeat(32) } },
  payload: [{ path: 'piece.html', sizeBytes: 2048, sha256: 'ef'.repeat(32) }], espFiles: {}, caches: [],
};
const base = { path: '/dev/sdy', kind: 'device', sizeBytes: 8e9, layoutError: null, esp: null, stampError: null, readProblem: null, complete: false };
/** What the reader says in English beside each typed problem (as it reads a real stick): never shown to a German reader. */
const unreadable = {
  stamp: null,
  stampError: 'unreadable stamp: [{"expected":"boolean","code":"invalid_type","path":["complete"]',
  readProblem: { reason: 'stamp-invalid', file: '/iios/stick.json', issue: { path: 'complete', message: 'Invalid input: expected boolean, received string', said: { code: 'invalid_type', expected: 'boolean', missing: false } } },
};
const STICKS: [string, StickInfo][] = [
  ['no partition table', { ...base, layout: null, stamp: null } as unknown as StickInfo],
  ['a raw image with a persistence partition', { ...base, kind: 'image-file', path: '/srv/raw.img', layout, stamp: null } as unknown as StickInfo],
  ['an iios layout with no stamp', { ...base, layout, esp: layout.partitions[0], stamp: null } as unknown as StickInfo],
  ['no partition table, as the reader says it', { ...base, layout: null, stamp: null, layoutError: 'no partition table: sfdisk: /dev/sdy: does not contain a recognized partition table', readProblem: { reason: 'no-table' } } as unknown as StickInfo],
  ['an iios layout whose stamp file is missing', { ...base, layout, esp: layout.partitions[0], stamp: null, stampError: 'no stamp /iios/stick.json on the ESP: Command failed', readProblem: { reason: 'no-stamp', file: '/iios/stick.json' } } as unknown as StickInfo],
  ['an iios layout whose stamp is not JSON', { ...base, layout, esp: layout.partitions[0], stamp: null, stampError: 'unreadable stamp: Unexpected token', readProblem: { reason: 'stamp-not-json', file: '/iios/stick.json' } } as unknown as StickInfo],
  ['an iios layout whose stamp is not a stamp', { ...base, layout, esp: layout.partitions[0], ...unreadable } as unknown as StickInfo],
  ['a complete stick with a slot and kiosk files', { ...base, layout, esp: layout.partitions[0], stamp, complete: true } as unknown as StickInfo],
  ['a stick whose write did not finish', { ...base, layout, esp: layout.partitions[0], stamp: { ...stamp, complete: false } } as unknown as StickInfo],
];

/** Names, GUIDs, hashes, partition labels and the commands a line tells to run are data. */
const wordsOnly = (text: string) =>
  text
    .replace(/\b[0-9a-f]{8}-[0-9a-f-]{27}\b/g, '…')
    .replace(/\b[0-9a-f]{16,}…?/g, '…')
    .replace(/\b(IIOS-ESP|iios-data|RequiredPartition|demo-os|class-01|appliance|piece\.html|gpt|iios verify|--image)\b/g, '…');

describe('`iios inspect` in a German terminal', () => {
  it.each(STICKS)('%s: said in German with no English left', (_, info) => {
    setLocale('de');
    const text = describeStick(info);
    expect(englishIn(text.split('\n').map(wordsOnly)), text).toEqual([]);
    setLocale('en');
    expect(describeStick(info)).not.toBe(text);
  });

  it('says the size and the status the German way', () => {
    setLocale('de');
    const text = describeStick(STICKS.find(([name]) => name.startsWith('a complete stick'))![1]);
    expect(text).toMatch(/^\/dev\/sdy: Laufwerk, 8,0 GB \(8000000000 Bytes\)$/m);
    expect(text).toMatch(/^Zustand: vollständig$/m);
  });
});

describe('the stick reader types why it found no layout or no stamp', () => {
  const dir = mkdtempSync(join(tmpdir(), 'iios-inspect-german-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a blank image and a GPT without IIOS-ESP: typed, said in German by inspect', async () => {
    const blank = join(dir, 'blank.img');
    writeFileSync(blank, Buffer.alloc(8 * 1024 * 1024));
    const foreign = join(dir, 'foreign.img');
    writeFileSync(foreign, Buffer.alloc(8 * 1024 * 1024));
    await runTool('sfdisk', ['--quiet', foreign], { input: 'label: gpt\nsize=4MiB, type=L, name=home\n' });
    const infos = [await readStick(blank), await readStick(foreign)];
    expect(infos.map((i) => i.readProblem)).toEqual([{ reason: 'no-table' }, { reason: 'no-esp' }]);
    // the English stays beside it, for --json and the logs
    expect(infos[0]!.layoutError).toMatch(/^no partition table: /);
    setLocale('de');
    for (const info of infos) {
      const text = describeStick(info);
      expect(englishIn(text.split('\n').map(wordsOnly)), text).toEqual([]);
    }
    expect(stickReadWords(infos[1]!.readProblem!)).toBe('keine IIOS-ESP-Partition: kein von iios geschriebener Stick');
  });
});

describe('`iios verify`’s verdict in a German terminal', () => {
  const verdicts: [string, string | undefined, boolean, number, number][] = [
    ['/dev/sdy', undefined, true, 7, 0],
    ['/dev/sdy', '/srv/raw.img', true, 1, 0],
    ['/dev/sdy', undefined, false, 7, 2],
    ['/dev/sdy', '/srv/raw.img', false, 3, 1],
  ];
  it.each(verdicts)('%s against %s (ok %s, %i checks, %i failed): said in German with no English left', (...args) => {
    setLocale('de');
    const text = verifyVerdict(...args);
    expect(englishIn([text]), text).toEqual([]);
    expect(text).toMatch(args[2] ? /geprüft, \d+ Prüfung(en)? bestanden$/ : /NICHT IN ORDNUNG, \d+ von \d+ Prüfung(en)? fehlgeschlagen$/);
  });
});

describe('`iios verify`’s check lines in a German terminal', () => {
  const H = 'ab'.repeat(32);
  const same: ImageComparison = {
    imageBytes: 25_165_824, imageSha256: H, stickSha256: H, region: { kind: 'gpt', end: 17_408, entriesAt: 1024, entrySize: 128, entryCount: 128 },
    differingBytes: 0, differingPastTable: 0, firstDiff: null, firstDiffPastTable: null, stickEndsAt: null, tableProblems: [],
  };
  const persistence = layout.partitions[1] as never;
  const slot = { slot: 'a', root: { startBytes: 1_048_576, sizeBytes: 512 * 1_048_576 }, verity: null, bytes: 25_165_824, sha256: H, rootHash: null };
  const CHECKS: [string, { ok: boolean; id: never; said: never }][] = (
    [
      ['a raw stick that matches its image', { id: { check: 'image-sha256' }, ...judgeImage(same, null) }],
      ['a raw stick whose table iios extended', { id: { check: 'image-sha256' }, ...judgeImage({ ...same, differingBytes: 196, firstDiff: 450 }, persistence) }],
      ['a raw stick that differs past its table', { id: { check: 'image-sha256' }, ...judgeImage({ ...same, stickSha256: 'cd'.repeat(32), differingBytes: 3, differingPastTable: 1, firstDiff: 450, firstDiffPastTable: 2_097_152 }, persistence) }],
      ['a raw stick whose own table entry changed', { id: { check: 'image-sha256' }, ...judgeImage({ ...same, stickSha256: 'cd'.repeat(32), differingBytes: 16, firstDiff: 1080, tableProblems: [{ what: 'gpt-entry', index: 1 }] }, persistence) }],
      ['a raw stick shorter than its image', { id: { check: 'image-sha256' }, ...judgeImage({ ...same, stickEndsAt: 8_388_608 }, null) }],
      ['a slot that matches', judgeSlotSha256(slot, H, null)],
      ['a slot that differs', judgeSlotSha256(slot, 'cd'.repeat(32), 12_345)],
      ['the ESP files', judgeEspFiles([{ path: '/loader/loader.conf', want: H, got: H }])],
      ['a missing cache', judgeCaches([{ kind: 'apt', files: 2, sizeBytes: 20, manifestSha256: H }], new Map([['apt', null]]))],
    ] as [string, unknown][]
  ).map(([n, c]) => [n, c as { ok: boolean; id: never; said: never }]);

  it.each(CHECKS)('%s: said in German with no English left', (_, c) => {
    setLocale('de');
    const text = verifyLine(c);
    expect(text).toMatch(c.ok ? /^gut {3}/ : /^FEHL {2}/);
    expect(englishIn([wordsOnly(text)]), text).toEqual([]);
    setLocale('en');
    expect(verifyLine(c)).not.toBe(text);
  });

  it('says the numbers the German way', () => {
    setLocale('de');
    expect(verifyLine(CHECKS[0]![1])).toBe(`gut   Abbild (SHA-256): 25.165.824 Bytes stimmen mit dem Abbild überein (SHA-256 ${H})`);
    expect(verifyLine(CHECKS[6]![1])).toMatch(/das erste abweichende Byte ist Byte 12\.345 des Slots \(Byte 1\.060\.921 des Datenträgers\)$/);
  });
});

describe('`iios demo`, `update`, `payload`, `plan` and `serve` lines in a German terminal', () => {
  const keys = Object.keys(en).filter((k) => /^cli\.(demo|update|payload|plan|serve)\./.test(k)) as MessageKey[];
  const vars = { image: '/srv/demo-stick.img', size: '8,0 GB', seconds: 42, why: '…', line: 'Kernel panic', name: 'piece.html', flag: '--size', text: '…', bits: '60', profile: 'appliance', bytes: '8.000', sector: 512, source: '…', first: 2048, last: 999, need: '1 GB', port: 8080, host: '127.0.0.1', dir: '/srv', url: 'http://127.0.0.1:8080/' };
  it('has the lines to check', () => expect(keys.length).toBeGreaterThan(15));
  it.each(keys)('%s: said in German with no English left', (key) => {
    setLocale('de');
    const text = t(key, vars as never);
    expect(englishIn([wordsOnly(text).replace(/--[a-z-]+/g, '…').replace(/\bIIOS-READY\b|\bOVMF\b|\bQEMU\b|\bTCG\b|\bKVM\b|\bDebian\b|`npm run build`|\bLBA\b/g, '…')]), text).toEqual([]);
  });
});
