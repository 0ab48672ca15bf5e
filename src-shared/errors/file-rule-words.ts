// A file's rule (contract/file-rules.ts: an image profile's, a bundle manifest's, a cache set's, or the reading of
// the file) in the reader's language, naming the field by its path and the values the rule was given.
import type { FileRule } from '../contract/file-rules.ts';
import type { FileKind } from '../format/file-kind.ts';
import { t, type PlainKey } from '../i18n/index.ts';

const KIND: Record<FileKind, PlainKey> = {
  file: 'file.kind.file',
  directory: 'file.kind.directory',
  fifo: 'file.kind.fifo',
  socket: 'file.kind.socket',
  'character-device': 'file.kind.character-device',
  'block-device': 'file.kind.block-device',
  symlink: 'file.kind.symlink',
  other: 'file.kind.other',
};

/**
 * One file rule's issue as a sentence; `path` is the field's ("" for the whole file), `vars` are what the rule
 * gave (a missing one shows as "?").
 */
export function fileRuleWords(path: string, rule: FileRule, vars: Record<string, string>): string {
  const field = path || t('field.top');
  const v = (name: string) => vars[name] ?? '?';
  switch (rule) {
    case 'not-yaml-file':
      return t('file.rule.not-yaml-file', { example: v('example') });
    case 'no-such-file':
      return t('file.rule.no-such-file');
    case 'unreadable':
      return vars.code ? t('file.rule.unreadable', { code: vars.code }) : t('file.rule.unreadable-plain');
    case 'wrong-file-kind': {
      const kind = KIND[vars.kind as FileKind] ?? 'file.kind.other';
      return t('file.rule.wrong-file-kind', { kind: t(kind) });
    }
    case 'unknown-profile':
      return t('file.rule.unknown-profile', { ids: v('ids') });
    case 'not-yaml':
      return vars.line ? t('file.rule.not-yaml-at', { line: vars.line, column: v('column') }) : t('file.rule.not-yaml');
    case 'yaml-mapping':
      return t('file.rule.yaml-mapping', { fields: v('fields') });
    case 'not-json':
      return t('file.rule.not-json');
    case 'json-object':
      return t('file.rule.json-object');
    case 'keys-not-shown':
      return path ? t('file.rule.keys-not-shown', { field, count: Number(v('count')) }) : t('file.rule.keys-not-shown-top', { count: Number(v('count')) });
    case 'id-not-file-name':
      return t('file.rule.id-not-file-name', { field, id: v('id'), expected: v('expected') });
    case 'profile-id':
      return t('file.rule.profile-id', { field, value: v('value') });
    case 'single-line':
      return t('file.rule.single-line', { field });
    case 'size-text':
      return t('file.rule.size-text', { field, value: v('value') });
    case 'size-decimal':
      return t('file.rule.size-decimal', { field, value: v('value') });
    case 'subvolume-name':
      return t('file.rule.subvolume-name', { field, value: v('value') });
    case 'snapshot-path':
      return t('file.rule.snapshot-path', { field, value: v('value') });
    case 'role-twice':
      return t('file.rule.role-twice', { field, role: v('role'), first: v('first') });
    case 'mode-needs-role':
      return t('file.rule.mode-needs-role', { field, mode: v('mode'), role: v('role') });
    case 'mode-forbids-role':
      return t('file.rule.mode-forbids-role', { field, mode: v('mode'), role: v('role') });
    case 'slot-b-pair':
      return t('file.rule.slot-b-pair', { field });
    case 'raw-needs-section':
      return t('file.rule.raw-needs-section', { field });
    case 'raw-section-only':
      return t('file.rule.raw-section-only', { field, mode: v('mode') });
    case 'grow-not-last':
      return t('file.rule.grow-not-last', { field });
    case 'grow-role':
      return t('file.rule.grow-role', { field, role: v('role') });
    case 'fit-role':
      return t('file.rule.fit-role', { field, size: v('size'), role: v('role') });
    case 'min-size-not-growing':
      return t('file.rule.min-size-not-growing', { field });
    case 'min-size-grow':
      return t('file.rule.min-size-grow', { field, example: v('example') });
    case 'min-size-fit-role':
      return t('file.rule.min-size-fit-role', { field, size: v('size'), role: v('role') });
    case 'preferred-size-role':
      return t('file.rule.preferred-size-role', { field });
    case 'absolute-size':
      return t('file.rule.absolute-size', { field, example: v('example') });
    case 'absolute-or-grow':
      return t('file.rule.absolute-or-grow', { field, example: v('example') });
    case 'filesystem-from-bundle':
      return t('file.rule.filesystem-from-bundle', { field, role: v('role') });
    case 'filesystem-not-allowed':
      return t('file.rule.filesystem-not-allowed', { field, filesystem: v('filesystem'), role: v('role'), allowed: v('allowed') });
    case 'subvolumes-need-btrfs':
      // no filesystem named: the partition's comes from the bundle
      return vars.filesystem ? t('file.rule.subvolumes-need-btrfs', { field, filesystem: vars.filesystem }) : t('file.rule.subvolumes-need-btrfs-bundle', { field });
    case 'slot-b-size':
      return t('file.rule.slot-b-size', { field, size: v('size'), slotA: v('slotA'), sizeA: v('sizeA') });
    case 'slot-b-preferred':
      return vars.size ? t('file.rule.slot-b-preferred', { field, size: vars.size }) : t('file.rule.slot-b-preferred-none', { field });
    case 'subvolume-twice':
      return t('file.rule.subvolume-twice', { field, name: v('name') });
    case 'snapshot-source':
      return t('file.rule.snapshot-source', { field, source: v('source'), subvolumes: v('subvolumes') });
    case 'snapshot-outside':
      return t('file.rule.snapshot-outside', { field, path: v('path'), parent: v('parent') });
    case 'snapshot-twice':
      return t('file.rule.snapshot-twice', { field, path: v('path') });
    case 'hex':
      return vars.digits ? t('file.rule.hex-digits', { field, value: v('value'), digits: vars.digits }) : t('file.rule.hex', { field, value: v('value') });
    case 'bundle-path':
      return t('file.rule.bundle-path', { field, value: v('value') });
    case 'block-size':
      return t('file.rule.block-size', { field, value: v('value') });
    case 'bundle-name':
      return t('file.rule.bundle-name', { field, value: v('value') });
    case 'not-listed':
      return t('file.rule.not-listed', { field, name: v('name') });
    case 'size-differs':
      return t('file.rule.size-differs', { field, size: v('size'), name: v('name'), listed: v('listed') });
    case 'cache-set-id':
      return t('file.rule.cache-set-id', { field, value: v('value') });
    case 'no-cache':
      return t('file.rule.no-cache', { field, kinds: v('kinds') });
    case 'unknown-cache-set':
      return vars.ids ? t('file.rule.unknown-cache-set', { dir: v('dir'), ids: vars.ids }) : t('file.rule.unknown-cache-set-none', { dir: v('dir') });
  }
}
