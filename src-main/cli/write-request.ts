// `iios write`'s flags as the contract's WriteRequest, validated by the same schema that checks the GUI's request
// on jobs.start. Only what a terminal needs is done here, before validation: sizes like "8G" become bytes,
// relative paths become absolute, `--cache apt` names the folder under the caches root. Everything else (and
// the refusal of anything wrong) is the schema's, with its field paths said as the flags the user typed.
import { t } from '../../src-shared/i18n/index.ts';
import { isAbsolute, join, resolve } from 'node:path';
import { WriteRequestSchema, type WriteRequest } from '../../src-shared/contract/domains/jobs.ts';
import { zodFieldIssues, type FieldIssue } from '../../src-shared/contract/error-details.ts';
import { fieldIssueWords } from '../../src-shared/errors/field-words.ts';
import { UsageError } from './command.ts';
import { parseSizeArg } from './format.ts';

export interface WriteFlagsContext {
  /** Relative paths on the command line are relative to this folder. */
  cwd: string;
  /** Where `--cache KIND` (without =DIR) looks: <cachesRoot>/KIND. */
  cachesRoot: string;
}

export type WriteRequestFromFlags = { ok: true; request: WriteRequest } | { ok: false; issues: FieldIssue[]; message: string };

/** The flag that fills each field of the request (for messages that name what the user typed). */
const FLAG_OF_FIELD: Record<string, string> = {
  profileId: '--profile',
  bundleDir: '--bundle',
  imagePath: '--image',
  targets: '--target',
  sizeBytes: '--size',
  namePattern: '--name',
  firstNumber: '--first',
  payload: '--payload',
  caches: '--cache',
  cacheSet: '--cache-set',
  unmountIfMounted: '--unmount',
  verify: '--no-verify',
  persistence: '--persistence',
  capacityCheck: '--check-capacity',
};

const list = (v: unknown): string[] => (Array.isArray(v) ? (v as string[]) : typeof v === 'string' ? [v] : []);

/** Turns parsed flags into a request and validates it; text that is no size or number at all is a usage error. */
export function writeRequestFromFlags(values: Record<string, unknown>, ctx: WriteFlagsContext): WriteRequestFromFlags {
  const absolute = (p: string) => (isAbsolute(p) ? p : resolve(ctx.cwd, p));
  const size = values.size === undefined ? undefined : parseSizeArg(String(values.size));
  if (size === null) throw new UsageError(t('cli.notASize', { value: String(values.size) }));
  const first = values.first === undefined ? undefined : Number(values.first);
  if (first !== undefined && (String(values.first).trim() === '' || !Number.isFinite(first))) throw new UsageError(t('cli.firstWhole'));
  const cache = (arg: string) => {
    const eq = arg.indexOf('=');
    return eq < 0 ? { kind: arg, path: join(ctx.cachesRoot, arg) } : { kind: arg.slice(0, eq), path: absolute(arg.slice(eq + 1)) };
  };

  const input = {
    profileId: values.profile,
    ...(values.bundle !== undefined ? { bundleDir: absolute(String(values.bundle)) } : {}),
    ...(values.image !== undefined ? { imagePath: absolute(String(values.image)) } : {}),
    targets: list(values.target).map((t) => ({ path: absolute(t), ...(size !== undefined ? { sizeBytes: size } : {}) })),
    ...(values.name !== undefined ? { namePattern: values.name } : {}),
    ...(first !== undefined ? { firstNumber: first } : {}),
    payload: list(values.payload).map(absolute),
    caches: list(values.cache).map(cache),
    ...(values['cache-set'] !== undefined ? { cacheSet: String(values['cache-set']) } : {}),
    unmountIfMounted: !!values.unmount,
    verify: !values['no-verify'],
    ...(values.persistence ? { persistence: true } : {}),
    ...(values['check-capacity'] ? { capacityCheck: true } : {}),
  };
  const parsed = WriteRequestSchema.safeParse(input);
  if (parsed.success) return { ok: true, request: parsed.data };
  const issues = zodFieldIssues(parsed.error);
  return { ok: false, issues, message: issues.map((i) => flagMessage(i, values)).join('; ') };
}

/** "--first must be at least 1.", or the usage hint when a required flag is missing altogether: in the reader's language. */
function flagMessage(issue: FieldIssue, values: Record<string, unknown>): string {
  if (issue.path === 'profileId' && values.profile === undefined) return t('cli.write.needProfile');
  if (issue.path === 'targets' && list(values.target).length === 0) return t('cli.write.needTarget');
  if (issue.path === 'bundleDir' && (values.bundle === undefined) === (values.image === undefined)) return t('cli.write.bundleOrImage');
  const field = issue.path.match(/[A-Za-z]+/g)?.at(-1) ?? '';
  const flag = FLAG_OF_FIELD[field] ?? FLAG_OF_FIELD[issue.path.match(/^[A-Za-z]+/)?.[0] ?? ''];
  if (!flag) return fieldIssueWords(issue);
  // a schema rule's own sentence (a custom check) follows the flag as it is; every other issue is said typed
  if (!issue.said || issue.said.code === 'custom') return t('cli.write.flagRule', { flag, message: issue.message });
  return fieldIssueWords({ ...issue, path: flag });
}
