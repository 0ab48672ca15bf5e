// Precise, human messages for refused profile and manifest files: "<file>: <field path>: <reason>".
import type { z } from 'zod';
import type { ErrorDetailsOf } from '../contract/error-details.ts';

export interface FieldIssue {
  /** e.g. "partitions[2].size"; empty for the whole document */
  path: string;
  message: string;
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

/** ["partitions", 2, "size"] -> "partitions[2].size" */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (typeof key === 'string' && /^[A-Za-z_][A-Za-z0-9_-]*$/.test(key)) out += out ? `.${key}` : key;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return JSON.stringify(value);
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

/** Flattens a ZodError into field issues (unknown keys become one issue per key, on the key's path). */
export function fieldIssues(error: z.ZodError): FieldIssue[] {
  const out: FieldIssue[] = [];
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) out.push({ path: formatPath([...issue.path, key]), message: 'unknown field' });
    } else if (issue.code === 'invalid_union') {
      // report the first alternative's reasons: unions here are "one form or the other" and the first is the usual one
      const first = issue.errors[0] ?? [];
      if (first.length === 0) out.push({ path: formatPath(issue.path), message: issue.message });
      for (const sub of first) out.push({ path: formatPath([...issue.path, ...sub.path]), message: sub.message });
    } else {
      out.push({ path: formatPath(issue.path), message: issue.message });
    }
  }
  return out;
}
