// The rules a file iios reads is checked by (an image profile's YAML, a bundle's manifest.json, a cache set's YAML,
// the reading of the file itself), each a catalogue message (errors/file-rule-words.ts): an issue names its rule
// and the values its message says, beside its English message (logs, --json), so a German reader is told in German.

export const FILE_RULES = [
  // reading the file
  'not-yaml-file',
  'no-such-file',
  'unreadable',
  'wrong-file-kind',
  'unknown-profile',
  'not-yaml',
  'yaml-mapping',
  'not-json',
  'json-object',
  'keys-not-shown',
  'id-not-file-name',
  // an image profile's fields
  'profile-id',
  'single-line',
  'size-text',
  'size-decimal',
  'subvolume-name',
  'snapshot-path',
  // an image profile's cross-field rules (profile/profile-rules.ts)
  'role-twice',
  'mode-needs-role',
  'mode-forbids-role',
  'slot-b-pair',
  'raw-needs-section',
  'raw-section-only',
  'grow-not-last',
  'grow-role',
  'fit-role',
  'min-size-not-growing',
  'min-size-grow',
  'min-size-fit-role',
  'preferred-size-role',
  'absolute-size',
  'absolute-or-grow',
  'filesystem-from-bundle',
  'filesystem-not-allowed',
  'subvolumes-need-btrfs',
  'slot-b-size',
  'slot-b-preferred',
  'subvolume-twice',
  'snapshot-source',
  'snapshot-outside',
  'snapshot-twice',
  // a bundle's manifest.json
  'hex',
  'bundle-path',
  'block-size',
  'bundle-name',
  'not-listed',
  'size-differs',
  // a cache set
  'cache-set-id',
  'no-cache',
  'unknown-cache-set',
] as const;
export type FileRule = (typeof FILE_RULES)[number];

/** Longest piece of a failing value a rule quotes back: enough to recognise it, never a whole file's worth. */
const QUOTE_MAX = 40;

/** A value as a rule's message quotes it: in double quotes, cut short. */
export function quoted(value: unknown): string {
  const text = typeof value === 'string' ? value : String(value);
  return JSON.stringify(text.length > QUOTE_MAX ? `${text.slice(0, QUOTE_MAX)}…` : text);
}
