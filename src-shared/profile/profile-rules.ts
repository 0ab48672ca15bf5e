// Cross-field rules of an image profile that a field schema cannot say: which roles each mode needs,
// where sizes may be relative or growing, A and B slots of the same size, Btrfs layouts that make sense.
import type { FileRule } from '../contract/file-rules.ts';
import { parseSizeSpec, sameSize } from './size-spec.ts';

interface PartitionShape {
  role: string;
  size: string;
  minSize?: string | undefined;
  preferredSize?: string | undefined;
  filesystem?: 'vfat' | 'btrfs' | 'ext4' | undefined;
  btrfs?: { subvolumes: string[]; snapshots: { source: string; path: string }[] } | undefined;
}

interface ProfileShape {
  mode: 'writable' | 'ab' | 'raw';
  partitions: PartitionShape[];
  raw?: { persistence: { size: string; minSize: string; filesystem: string; btrfs?: PartitionShape['btrfs'] } } | undefined;
}

export interface RuleIssue {
  path: (string | number)[];
  /** English, for logs and --json */
  message: string;
  /** The rule and the values its message says, for the reader's language (errors/file-rule-words.ts). */
  rule: FileRule;
  vars?: Record<string, string>;
}

const REQUIRED: Record<ProfileShape['mode'], string[]> = {
  writable: ['esp', 'system'],
  ab: ['esp', 'root-a', 'verity-a'],
  raw: [],
};
const FORBIDDEN: Record<ProfileShape['mode'], string[]> = {
  writable: ['root-a', 'verity-a', 'root-b', 'verity-b'],
  ab: ['system'],
  raw: ['esp', 'root-a', 'verity-a', 'root-b', 'verity-b', 'system', 'payload', 'data'],
};
/** roles whose size may follow the bundle ("fit"): they receive the root image or its hash tree */
const FIT_ROLES = new Set(['root-a', 'verity-a', 'root-b', 'verity-b', 'system']);
const FILESYSTEMS: Record<string, readonly string[]> = {
  esp: ['vfat'],
  system: ['btrfs'],
  data: ['btrfs', 'ext4'],
  payload: ['ext4', 'vfat'],
};

export function checkProfileRules(profile: ProfileShape): RuleIssue[] {
  const issues: RuleIssue[] = [];
  const parts = profile.partitions;
  const firstIndex = new Map<string, number>();
  parts.forEach((p, i) => {
    const seen = firstIndex.get(p.role);
    if (seen !== undefined) issues.push({ path: ['partitions', i, 'role'], message: `"${p.role}" appears twice (also partitions[${seen}])`, rule: 'role-twice', vars: { role: p.role, first: `partitions[${seen}]` } });
    else firstIndex.set(p.role, i);
  });
  const has = (role: string) => firstIndex.has(role);

  for (const role of REQUIRED[profile.mode]) {
    if (!has(role)) issues.push({ path: ['partitions'], message: `a ${profile.mode} profile needs a "${role}" partition`, rule: 'mode-needs-role', vars: { mode: profile.mode, role } });
  }
  parts.forEach((p, i) => {
    if (FORBIDDEN[profile.mode].includes(p.role)) {
      issues.push({ path: ['partitions', i, 'role'], message: `a ${profile.mode} profile cannot have a "${p.role}" partition`, rule: 'mode-forbids-role', vars: { mode: profile.mode, role: p.role } });
    }
  });
  if (profile.mode === 'ab' && has('root-b') !== has('verity-b')) {
    issues.push({ path: ['partitions'], message: 'slot b needs both "root-b" and "verity-b" (or neither)', rule: 'slot-b-pair' });
  }
  if (profile.mode === 'raw' && !profile.raw) issues.push({ path: ['raw'], message: 'a raw profile needs a "raw" section', rule: 'raw-needs-section' });
  if (profile.mode !== 'raw' && profile.raw) issues.push({ path: ['raw'], message: `only a raw profile has a "raw" section (mode is ${profile.mode})`, rule: 'raw-section-only', vars: { mode: profile.mode } });

  parts.forEach((p, i) => issues.push(...checkPartition(p, i, i === parts.length - 1)));

  for (const [b, a] of [['root-b', 'root-a'], ['verity-b', 'verity-a']] as const) {
    const ib = firstIndex.get(b);
    const ia = firstIndex.get(a);
    if (ib === undefined || ia === undefined) continue;
    const pb = parts[ib]!;
    const pa = parts[ia]!;
    if (parseSizeSpec(pb.size) && parseSizeSpec(pa.size) && !sameSize(pb.size, pa.size)) {
      issues.push({
        path: ['partitions', ib, 'size'],
        message: `slot b must be the same size as slot a: "${pb.size}" differs from ${a}'s "${pa.size}"`,
        rule: 'slot-b-size',
        vars: { size: pb.size, slotA: a, sizeA: pa.size },
      });
    }
  }

  const [ia, ib] = [firstIndex.get('root-a'), firstIndex.get('root-b')];
  if (ia !== undefined && ib !== undefined && (parts[ia]!.preferredSize ?? '') !== (parts[ib]!.preferredSize ?? '') && !sameSize(parts[ia]!.preferredSize ?? '', parts[ib]!.preferredSize ?? '')) {
    const preferredA = parts[ia]!.preferredSize;
    issues.push({
      path: ['partitions', ib, 'preferredSize'],
      message: `slot b must prefer the same size as slot a ("${preferredA ?? 'none'}")`,
      rule: 'slot-b-preferred',
      ...(preferredA !== undefined ? { vars: { size: preferredA } } : {}),
    });
  }

  const persistence = profile.raw?.persistence;
  if (persistence) {
    const spec = parseSizeSpec(persistence.size);
    if (spec?.kind === 'fit') issues.push({ path: ['raw', 'persistence', 'size'], message: 'must be absolute (e.g. 4GiB) or "grow"', rule: 'absolute-or-grow', vars: { example: '4GiB' } });
    if (parseSizeSpec(persistence.minSize)?.kind !== 'absolute' && parseSizeSpec(persistence.minSize)) {
      issues.push({ path: ['raw', 'persistence', 'minSize'], message: 'must be absolute (e.g. 256MiB)', rule: 'absolute-size', vars: { example: '256MiB' } });
    }
    if (persistence.btrfs && persistence.filesystem !== 'btrfs') {
      issues.push({
        path: ['raw', 'persistence', 'btrfs'],
        message: `subvolumes need filesystem btrfs (this one is ${persistence.filesystem})`,
        rule: 'subvolumes-need-btrfs',
        vars: { filesystem: persistence.filesystem },
      });
    }
    if (persistence.btrfs) issues.push(...checkBtrfs(persistence.btrfs, ['raw', 'persistence', 'btrfs']));
  }
  return issues;
}

function checkPartition(p: PartitionShape, i: number, isLast: boolean): RuleIssue[] {
  const issues: RuleIssue[] = [];
  const at = (...rest: (string | number)[]) => ['partitions', i, ...rest];
  const spec = parseSizeSpec(p.size);
  if (spec?.kind === 'grow') {
    if (!isLast) issues.push({ path: at('size'), message: 'only the last partition may "grow"', rule: 'grow-not-last' });
    if (p.role !== 'system' && p.role !== 'data') issues.push({ path: at('size'), message: `a "${p.role}" partition cannot "grow" (only system or data)`, rule: 'grow-role', vars: { role: p.role } });
  }
  if (spec?.kind === 'fit' && !FIT_ROLES.has(p.role)) {
    issues.push({
      path: at('size'),
      message: `"${p.size}" is relative to the bundle, but a "${p.role}" partition holds no bundle image (use an absolute size)`,
      rule: 'fit-role',
      vars: { size: p.size, role: p.role },
    });
  }
  if (p.minSize !== undefined) {
    const min = parseSizeSpec(p.minSize);
    if (spec && spec.kind !== 'grow') issues.push({ path: at('minSize'), message: 'only a growing partition (size: grow) has a minSize', rule: 'min-size-not-growing' });
    if (min?.kind === 'grow') issues.push({ path: at('minSize'), message: '"grow" is not a minimum (use e.g. 1GiB)', rule: 'min-size-grow', vars: { example: '1GiB' } });
    if (min?.kind === 'fit' && !FIT_ROLES.has(p.role)) {
      issues.push({
        path: at('minSize'),
        message: `"${p.minSize}" is relative to the bundle, but a "${p.role}" partition holds no bundle image`,
        rule: 'min-size-fit-role',
        vars: { size: p.minSize, role: p.role },
      });
    }
  }
  if (p.preferredSize !== undefined) {
    const preferred = parseSizeSpec(p.preferredSize);
    if (p.role !== 'root-a' && p.role !== 'root-b') {
      issues.push({ path: at('preferredSize'), message: `only an A/B root slot (root-a, root-b) has a preferredSize; its verity partition follows it`, rule: 'preferred-size-role' });
    } else if (preferred && preferred.kind !== 'absolute') {
      issues.push({ path: at('preferredSize'), message: 'must be absolute (e.g. 1GiB)', rule: 'absolute-size', vars: { example: '1GiB' } });
    }
  }
  const allowed = FILESYSTEMS[p.role];
  if (allowed === undefined && p.filesystem !== undefined) {
    issues.push({ path: at('filesystem'), message: `the filesystem of "${p.role}" comes from the bundle; remove this field`, rule: 'filesystem-from-bundle', vars: { role: p.role } });
  } else if (allowed && p.filesystem !== undefined && !allowed.includes(p.filesystem)) {
    issues.push({
      path: at('filesystem'),
      message: `"${p.filesystem}" is not possible for "${p.role}" (allowed: ${allowed.join(', ')})`,
      rule: 'filesystem-not-allowed',
      vars: { filesystem: p.filesystem, role: p.role, allowed: allowed.join(', ') },
    });
  }
  if (p.btrfs) {
    const fs = p.filesystem ?? allowed?.[0];
    if (fs !== 'btrfs') {
      // no filesystem of its own: it comes from the bundle (vars without one say so)
      issues.push({
        path: at('btrfs'),
        message: `subvolumes need filesystem btrfs (this one is ${fs ?? 'from the bundle'})`,
        rule: 'subvolumes-need-btrfs',
        ...(fs !== undefined ? { vars: { filesystem: fs } } : {}),
      });
    }
    issues.push(...checkBtrfs(p.btrfs, at('btrfs')));
  }
  return issues;
}

function checkBtrfs(layout: NonNullable<PartitionShape['btrfs']>, base: (string | number)[]): RuleIssue[] {
  const issues: RuleIssue[] = [];
  const names = new Set<string>();
  layout.subvolumes.forEach((name, j) => {
    if (names.has(name)) issues.push({ path: [...base, 'subvolumes', j], message: `"${name}" is listed twice`, rule: 'subvolume-twice', vars: { name } });
    names.add(name);
  });
  const paths = new Set<string>();
  layout.snapshots.forEach((s, j) => {
    if (!names.has(s.source)) {
      issues.push({
        path: [...base, 'snapshots', j, 'source'],
        message: `"${s.source}" is not one of the subvolumes (${[...names].join(', ')})`,
        rule: 'snapshot-source',
        vars: { source: s.source, subvolumes: [...names].join(', ') },
      });
    }
    const parent = s.path.split('/')[0]!;
    if (!names.has(parent)) {
      issues.push({
        path: [...base, 'snapshots', j, 'path'],
        message: `"${s.path}" must lie inside a listed subvolume ("${parent}" is not one)`,
        rule: 'snapshot-outside',
        vars: { path: s.path, parent },
      });
    }
    if (paths.has(s.path)) issues.push({ path: [...base, 'snapshots', j, 'path'], message: `"${s.path}" is listed twice`, rule: 'snapshot-twice', vars: { path: s.path } });
    paths.add(s.path);
  });
  return issues;
}
