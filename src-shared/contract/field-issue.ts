// What a field failed, typed from zod's issue (its code and numbers, no sentence), so the GUI and the CLI can say
// it in the reader's language (src-shared/errors/field-words.ts). Kept beside the English message of the issue,
// which stays for logs; a custom rule without a key is said inside a translated frame.
import * as z from 'zod';
import { FILE_RULES, type FileRule } from './file-rules.ts';

/**
 * The custom rules iios words itself (refine, superRefine), each a catalogue message (field-words.ts): the rule
 * gives its key and its names as the issue's params (ruleParams), so a German reader is not shown its English.
 */
export const SCHEMA_RULES = [
  'one-source',
  'cache-kind',
  'duplicate-id',
  'duplicate-target',
  'target-is-source',
  'profile-needs-image',
  'profile-needs-bundle',
  'bundle-manifest',
  'path-or-name',
  'payload-name',
] as const;
export type SchemaRule = (typeof SCHEMA_RULES)[number];

/** Every rule an issue can name: the requests' and jobs' (SCHEMA_RULES) and the files' (file-rules.ts). */
const ALL_RULES = [...SCHEMA_RULES, ...FILE_RULES] as const;
export type AnyRule = SchemaRule | FileRule;

/** A custom rule's params: its key and the names its message says (a target's path, an id). */
export function ruleParams(rule: AnyRule, vars?: Record<string, string>): { params: { rule: AnyRule; vars?: Record<string, string> } } {
  return { params: { rule, ...(vars ? { vars } : {}) } };
}

export const IssueSaidSchema = z.discriminatedUnion('code', [
  /** `missing`: nothing was given where a value is required. */
  z.object({ code: z.literal('invalid_type'), expected: z.string().max(40), missing: z.boolean() }),
  z.object({ code: z.literal('too_small'), origin: z.string().max(40), minimum: z.number() }),
  z.object({ code: z.literal('too_big'), origin: z.string().max(40), maximum: z.number() }),
  /** An enum or a literal: the values allowed. */
  z.object({ code: z.literal('invalid_value'), values: z.array(z.string().max(200)).max(64) }),
  /** A key the schema does not know (the key is the last part of the issue's path). */
  z.object({ code: z.literal('unrecognized_keys') }),
  z.object({ code: z.literal('invalid_format'), format: z.string().max(40), prefix: z.string().max(200).optional() }),
  z.object({ code: z.literal('not_multiple_of'), divisor: z.number() }),
  /** One of iios's own custom rules (SCHEMA_RULES, FILE_RULES), with the names its message says. */
  z.object({ code: z.literal('rule'), rule: z.enum(ALL_RULES), vars: z.record(z.string().max(40), z.string().max(1000)).optional() }),
  /** A custom rule (refine, superRefine) with no key, or anything else: its own message, said in a frame. */
  z.object({ code: z.literal('custom') }),
]);
export type IssueSaid = z.infer<typeof IssueSaidSchema>;

/** zod's issue as data. (zod 4 names an enum's wrong value `invalid_value`; zod 3 called it `invalid_enum_value`.) */
export function issueSaid(issue: z.core.$ZodIssue): IssueSaid {
  switch (issue.code) {
    case 'invalid_type':
      // zod 4 keeps no input on a finished issue: "received undefined" in its message is how a missing field shows
      return { code: 'invalid_type', expected: String(issue.expected), missing: issue.input === undefined && /received undefined$|^is required$/.test(issue.message) };
    case 'too_small':
      return { code: 'too_small', origin: String(issue.origin), minimum: Number(issue.minimum) };
    case 'too_big':
      return { code: 'too_big', origin: String(issue.origin), maximum: Number(issue.maximum) };
    case 'invalid_value':
      return { code: 'invalid_value', values: issue.values.map((v) => String(v)) };
    case 'unrecognized_keys':
      return { code: 'unrecognized_keys' };
    case 'invalid_format': {
      // a pattern's own explanation ("lowercase letters, digits…") says more than "not in the right form"
      if (issue.format === 'regex') return { code: 'custom' };
      const prefix = (issue as { prefix?: unknown }).prefix;
      return { code: 'invalid_format', format: String(issue.format), ...(typeof prefix === 'string' ? { prefix } : {}) };
    }
    case 'not_multiple_of':
      return { code: 'not_multiple_of', divisor: Number(issue.divisor) };
    case 'custom':
      return ruleSaid(issue.params) ?? { code: 'custom' };
    default:
      return { code: 'custom' };
  }
}

/** The typed form of a custom rule that names its key (ruleParams), or null for one that does not. */
function ruleSaid(params: unknown): IssueSaid | null {
  const p = params as { rule?: unknown; vars?: unknown } | undefined;
  const rule = ALL_RULES.find((r) => r === p?.rule);
  if (!rule) return null;
  const vars = p?.vars && typeof p.vars === 'object' ? Object.fromEntries(Object.entries(p.vars).map(([k, v]) => [k, String(v)])) : undefined;
  return { code: 'rule', rule, ...(vars ? { vars } : {}) };
}
