// zod's issues said in the reader's language: a request, a job and a cache-set file that fail their real schemas
// reach the GUI and the CLI as field issues with a typed form (contract/field-issue.ts), and detailsWords says
// each with the field's path, in English and in German; a custom rule's own sentence is said inside a frame.
import { afterEach, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { CacheSetError, parseCacheSet } from '../../src-shared/caches/cache-set.ts';
import { CloneRequestSchema } from '../../src-shared/contract/domains/jobs.ts';
import { zodFieldIssues, type ErrorDetailsOf } from '../../src-shared/contract/error-details.ts';
import { detailsWords } from '../../src-shared/errors/error-words.ts';
import { setLocale } from '../../src-shared/i18n/index.ts';
import { CloneJob } from '../../src-shared/job/clone-job.ts';
import { englishIn } from '../support/untranslated.ts';

afterEach(() => setLocale('en'));

/** The words of a sentence, its field paths and allowed values (data, as the GUI shows them) left out. */
const wordsOf = (text: string, d: ErrorDetailsOf<'invalid'>) =>
  d.issues.reduce((s, i) => s.split(i.path).join(' '), text).replace(/device, image-file/g, '');

function invalid(schema: { safeParse(v: unknown): { success: boolean; error?: unknown } }, value: unknown): ErrorDetailsOf<'invalid'> {
  const r = schema.safeParse(value);
  if (r.success) throw new Error('the value passed its schema');
  return { kind: 'invalid', issues: zodFieldIssues(r.error as Parameters<typeof zodFieldIssues>[0]) };
}

const badClone = { sourcePath: 'stick.img', targets: [], namePattern: 7, firstNumber: 0.5, extra: true };

describe('zod issues in the reader’s language', () => {
  it('maps each code (invalid_format, too_small, invalid_type, unrecognized_keys …) with the field path, in English', () => {
    const d = invalid(CloneRequestSchema, badClone);
    expect(d.issues.map((i) => i.said?.code)).toEqual(['invalid_format', 'too_small', 'invalid_type', 'invalid_type', 'unrecognized_keys']);
    setLocale('en');
    expect(detailsWords(d, 'x')).toBe(
      'sourcePath must start with /. targets must list at least 1 item. namePattern must be text. firstNumber must be a whole number. extra is not a known field.',
    );
  });

  it('says the same in German, with no English left', () => {
    setLocale('de');
    const d = invalid(CloneRequestSchema, badClone);
    const text = detailsWords(d, 'x');
    expect(text).toBe(
      'sourcePath muss mit / beginnen. targets muss mindestens 1 Eintrag nennen. namePattern muss Text sein. firstNumber muss eine ganze Zahl sein. extra ist kein bekanntes Feld.',
    );
    expect(englishIn([wordsOf(text, d)]), text).toEqual([]);
  });

  it('a missing field, a value not in an enum, a number too small', () => {
    const job = { kind: 'clone', jobId: 'j1', sourcePath: '/dev/sdb', targets: [{ id: 't1', kind: 'stick', path: '/dev/sdc', sizeBytes: -1 }] };
    const d = invalid(CloneJob, job);
    setLocale('en');
    const en = detailsWords(d, 'x');
    expect(en).toContain('targets[0].kind must be one of: device, image-file.');
    expect(en).toContain('targets[0].hostname is missing.');
    setLocale('de');
    const de = detailsWords(d, 'x');
    expect(de).toContain('targets[0].kind muss einer dieser Werte sein: device, image-file.');
    expect(de).toContain('targets[0].hostname fehlt.');
    expect(englishIn([wordsOf(de, d)]), de).toEqual([]);
  });

  it('a custom rule of iios’s own (superRefine): said from its key, not its English sentence', () => {
    const t = { id: 't1', kind: 'device', path: '/dev/sdb', sizeBytes: 8e9, hostname: 'class-01' };
    const d = invalid(CloneJob, { kind: 'clone', jobId: 'j1', sourcePath: '/dev/sdb', targets: [t] });
    expect(d.issues[0]!.said).toEqual({ code: 'rule', rule: 'target-is-source', vars: { target: '/dev/sdb' } });
    setLocale('de');
    expect(detailsWords(d, 'x')).toBe('targets[0].path: /dev/sdb ist die Quelle; sie wird nie beschrieben.');
    setLocale('en');
    expect(detailsWords(d, 'x')).toBe('targets[0].path: /dev/sdb is the source; it is never written.');
  });

  it('a custom rule without a key: its own sentence inside the translated frame', () => {
    const d = invalid(z.object({ n: z.number().refine((n) => n % 2 === 0, 'an even number') }), { n: 3 });
    expect(d.issues[0]!.said).toEqual({ code: 'custom' });
    setLocale('de');
    expect(detailsWords(d, 'x')).toBe('Feld n: an even number');
  });

  it('a cache-set file: the file named, each field in German', () => {
    let err: unknown;
    try {
      parseCacheSet('format: 1\nid: lab\ntitle: Lab\ncaches:\n  apt:\n    packages: []\n  colour: blue\n', '/home/ann/lab.yaml');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CacheSetError);
    setLocale('de');
    const text = detailsWords((err as CacheSetError).details, (err as Error).message);
    expect(text).toMatch(/^\/home\/ann\/lab\.yaml: /);
    expect(text).toContain('caches.colour ist kein bekanntes Feld.');
    expect(englishIn([text.replace(/^\S+: /, '')]), text).toEqual([]);
  });

  it('issues from an older sender, without a typed form, are said as the message came', () => {
    setLocale('de');
    expect(detailsWords({ kind: 'invalid', issues: [{ path: 'a', message: 'bad' }] }, 'a: bad')).toBe('a: bad');
  });
});
