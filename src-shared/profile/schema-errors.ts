// Precise, human messages for refused profile and manifest files: "<file>: <field path>: <reason>".
import type { z } from 'zod';
import type { ErrorDetailsOf } from '../contract/error-details.ts';
import { formatPath } from './field-path.ts';
import { issueSaid, type IssueSaid } from '../contract/field-issue.ts';
import type { FileRule } from '../contract/file-rules.ts';

export interface FieldIssue {
  /** e.g. "partitions[2].size"; empty for the whole document */
  path: string;
  message: string;
  /** What failed, typed, for the reader's language (contract/field-issue.ts). */
  said?: IssueSaid;
}

/** An issue of a file's own rule: its English message, and its rule and values for the reader's language. */
export function fileIssue(path: string, message: string, rule: FileRule, vars?: Record<string, string>): FieldIssue {
  return { path, message, said: { code: 'rule', rule, ...(vars ? { vars } : {}) } };
}

/** The system's reason a file could not be read: its own words for logs, its code (EACCES, ELOOP…) typed. */
export function unreadableIssue(err: { message: string; code?: string | undefined }): FieldIssue {
  return fileIssue('', err.message, 'unreadable', err.code ? { code: err.code } : undefined);
}

/** The YAML parser's complaints as issues (its own words in the English message; line and column typed). */
export function yamlSyntaxIssues(errors: readonly { message: string; linePos?: readonly { line: number; col: number }[] | undefined }[]): FieldIssue[] {
  return errors.map((e) => {
    const pos = e.linePos?.[0];
    const message = `not valid YAML: ${e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`;
    return fileIssue(pos ? `line ${pos.line}, column ${pos.col}` : '', message, 'not-yaml', pos ? { line: String(pos.line), column: String(pos.col) } : undefined);
  });
}

/** A file (profile YAML, bundle manifest) that does not satisfy its schema. */
export class SchemaError extends Error {
  constructor(
    readonly file: string,
    readonly issues: FieldIssue[],
  ) {
    super(issues.map((i) => `${file}: ${i.path ? `${i.path}: ` : ''}${i.message}`).join('\n'));
    this.name = 'SchemaError';
  }

  /** What crosses the IPC error envelope: the file and each field's problem. */
  get details(): ErrorDetailsOf<'invalid'> {
    return { kind: 'invalid', file: this.file, issues: this.issues };
  }
}

export class ProfileError extends SchemaError {
  override name = 'ProfileError';
  /** travels through the IPC error envelope */
  readonly code = 'E_PROFILE';
}

export class ManifestError extends SchemaError {
  override name = 'ManifestError';
  readonly code = 'E_MANIFEST';
}

/** Longest piece of a failing value quoted back: enough to recognise it, never a whole file's worth. */
const QUOTE_MAX = 24;

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return JSON.stringify(value.length > QUOTE_MAX ? `${value.slice(0, QUOTE_MAX)}…` : value);
  return `${typeof value} ${String(value)}`;
}

type RawIssue = z.core.$ZodRawIssue;

/** Per-parse error map: turns zod's generic issues into sentences that name the offending value. */
export function issueMessage(issue: RawIssue): string | undefined {
  const input = issue.input;
  switch (issue.code) {
    case 'invalid_type':
      if (input === undefined) return 'is required';
      return `expected ${issue.expected === 'object' ? 'a mapping' : issue.expected === 'array' ? 'a list' : issue.expected}, got ${describe(input)}`;
    case 'invalid_value': {
      const allowed = issue.values.map((v) => (typeof v === 'string' ? v : String(v))).join(', ');
      return issue.values.length === 1
        ? `must be ${allowed}, got ${describe(input)}`
        : `${describe(input)} is not one of: ${allowed}`;
    }
    case 'too_small':
      if (issue.origin === 'string') return issue.minimum === 1 ? 'must not be empty' : `must be at least ${issue.minimum} characters`;
      if (issue.origin === 'array') return `must list at least ${issue.minimum} item${issue.minimum === 1 ? '' : 's'}`;
      return `must be at least ${issue.minimum}, got ${describe(input)}`;
    case 'too_big':
      if (issue.origin === 'string') return `must be at most ${issue.maximum} characters`;
      return `must be at most ${issue.maximum}, got ${describe(input)}`;
    case 'invalid_format':
      return `${describe(input)} is not valid here`;
    case 'not_multiple_of':
      return `must be a multiple of ${issue.divisor}`;
    default:
      return undefined;
  }
}

const FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_-]{0,39}$/;

/** Flattens a ZodError into field issues (unknown keys become one issue per key, on the key's path). */
export function fieldIssues(error: z.ZodError): FieldIssue[] {
  const out: FieldIssue[] = [];
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      // A key is named back only when it looks like a field name: a file that is no profile or manifest at all
      // (a secrets file renamed .yaml) must not have its lines echoed as "unknown field" keys.
      const named = issue.keys.filter((k) => FIELD_NAME.test(k));
      for (const key of named) out.push({ path: formatPath([...issue.path, key]), message: 'unknown field', said: { code: 'unrecognized_keys' } });
      const others = issue.keys.length - named.length;
      if (others > 0) {
        const message = `${others} key${others === 1 ? '' : 's'} that ${others === 1 ? 'is' : 'are'} not a field name (not shown)`;
        out.push(fileIssue(formatPath(issue.path), message, 'keys-not-shown', { count: String(others) }));
      }
    } else if (issue.code === 'invalid_key') {
      // a record's key that failed its own schema (a bundle's files["../x"]): the key's reasons, on the key's path
      for (const sub of issue.issues) out.push({ path: formatPath(issue.path), message: sub.message, said: issueSaid(sub) });
    } else if (issue.code === 'invalid_union') {
      // report the first alternative's reasons: unions here are "one form or the other" and the first is the usual one
      const first = issue.errors[0] ?? [];
      if (first.length === 0) out.push({ path: formatPath(issue.path), message: issue.message, said: issueSaid(issue) });
      for (const sub of first) out.push({ path: formatPath([...issue.path, ...sub.path]), message: sub.message, said: issueSaid(sub) });
    } else {
      out.push({ path: formatPath(issue.path), message: issue.message, said: issueSaid(issue) });
    }
  }
  return out;
}
