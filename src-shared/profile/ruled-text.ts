// A text field of a file that iios refuses with one of its own rules (contract/file-rules.ts): the English message
// for logs, and the rule with the value quoted, so the reader's language says it (errors/file-rule-words.ts).
import * as z from 'zod';
import { ruleParams } from '../contract/field-issue.ts';
import { quoted, type FileRule } from '../contract/file-rules.ts';

/** A string that `ok` accepts; anything else is refused with `rule` and the value it had. */
export function ruledText(ok: (s: string) => boolean, rule: FileRule, message: (s: string) => string) {
  return z.string().superRefine((s, ctx) => {
    if (!ok(s)) ctx.addIssue({ code: 'custom', message: message(s), input: s, ...ruleParams(rule, { value: quoted(s) }) });
  });
}
