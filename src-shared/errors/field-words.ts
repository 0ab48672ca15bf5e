// A field that failed its schema, in the reader's language: the typed issue (contract/field-issue.ts) said with
// the catalogue, naming the field by its path; a custom rule's own English sentence inside a translated frame.
// Profiles, jobs, requests and cache sets all reach the GUI and the CLI as these issues (error-words.ts).
import type { FieldIssue } from '../contract/error-details.ts';
import { SCHEMA_RULES, type SchemaRule } from '../contract/field-issue.ts';
import { fileRuleWords } from './file-rule-words.ts';
import { t, type PlainKey } from '../i18n/index.ts';

const TYPE: Record<string, PlainKey> = {
  string: 'field.type.string',
  number: 'field.type.number',
  int: 'field.type.int',
  boolean: 'field.type.boolean',
  object: 'field.type.object',
  array: 'field.type.array',
};

/** One field's problem as a sentence in the reader's language. */
export function fieldIssueWords(issue: Pick<FieldIssue, 'path' | 'message' | 'said'>): string {
  const field = issue.path || t('field.top');
  const said = issue.said;
  if (!said) return t('field.custom', { field, message: issue.message });
  switch (said.code) {
    case 'invalid_type': {
      if (said.missing) return t('field.missing', { field });
      const key = TYPE[said.expected];
      return t('field.wrongType', { field, expected: key ? t(key) : said.expected });
    }
    case 'too_small':
      if (said.origin === 'string') return said.minimum <= 1 ? t('field.empty', { field }) : t('field.minChars', { field, minimum: said.minimum });
      if (said.origin === 'array' || said.origin === 'set') return t('field.minItems', { field, count: said.minimum });
      return t('field.min', { field, minimum: said.minimum });
    case 'too_big':
      if (said.origin === 'string') return t('field.maxChars', { field, maximum: said.maximum });
      if (said.origin === 'array' || said.origin === 'set') return t('field.maxItems', { field, count: said.maximum });
      return t('field.max', { field, maximum: said.maximum });
    case 'invalid_value':
      return t('field.oneOf', { field, values: said.values.join(', ') });
    case 'unrecognized_keys':
      return t('field.unknown', { field });
    case 'invalid_format':
      return said.format === 'starts_with' && said.prefix !== undefined ? t('field.startsWith', { field, prefix: said.prefix }) : t('field.format', { field });
    case 'not_multiple_of':
      return t('field.multipleOf', { field, divisor: said.divisor });
    case 'rule': {
      const schemaRule = SCHEMA_RULES.find((r) => r === said.rule);
      return schemaRule ? ruleWords(field, schemaRule, said.vars ?? {}) : fileRuleWords(issue.path, said.rule as Exclude<typeof said.rule, SchemaRule>, said.vars ?? {});
    }
    case 'custom':
      return t('field.custom', { field, message: issue.message });
  }
}

/** One of iios's own schema rules (contract/field-issue.ts SCHEMA_RULES), naming the field. */
function ruleWords(field: string, rule: SchemaRule, vars: Record<string, string>): string {
  switch (rule) {
    case 'one-source':
      return t('field.rule.one-source', { field });
    case 'cache-kind':
      return t('field.rule.cache-kind', { field });
    case 'duplicate-id':
      return t('field.rule.duplicate-id', { field, id: vars.id ?? '?' });
    case 'duplicate-target':
      return t('field.rule.duplicate-target', { field, target: vars.target ?? '?' });
    case 'target-is-source':
      return t('field.rule.target-is-source', { field, target: vars.target ?? '?' });
    case 'profile-needs-image':
      return t('field.rule.profile-needs-image', { field, profile: vars.profile ?? '?' });
    case 'profile-needs-bundle':
      return t('field.rule.profile-needs-bundle', { field, profile: vars.profile ?? '?' });
    case 'bundle-manifest':
      return t('field.rule.bundle-manifest', { field });
    case 'path-or-name':
      return t('field.rule.path-or-name', { field });
    case 'payload-name':
      return t('field.rule.payload-name', { field });
  }
}
