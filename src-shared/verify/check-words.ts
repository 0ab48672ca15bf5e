// A verify check's name and finding in the reader's language: the typed outcome (check-said.ts) said with the
// catalogue, numbers grouped and sizes written the reader's way. Hashes, paths, partition and cache names are
// data, the same in every language; a tool's own output (veritysetup's, sgdisk's, btrfs check's) and a read's
// error are said as the tool said them, inside a translated frame.
import { stickReadWords } from '../errors/stick-read-words.ts';
import { formatBytes, formatBytesApart } from '../format/bytes.ts';
import { t } from '../i18n/index.ts';
import type { CacheFileDiff, CacheProblem, CheckId, CheckResult, CheckSaid, FileProblem, TableProblem } from './check-said.ts';

const SLOT = (slot: string) => slot.toUpperCase();

/** "slot A sha256", "esp files", "btrfs iios-data". */
export function checkNameWords(id: CheckId): string {
  switch (id.check) {
    case 'slot-sha256':
      return t('verify.check.slotSha256', { slot: SLOT(id.slot) });
    case 'slot-verity':
      return t('verify.check.slotVerity', { slot: SLOT(id.slot) });
    case 'esp-files':
      return t('verify.check.espFiles');
    case 'caches':
      return t('verify.check.caches');
    case 'payload':
      return t('verify.check.payload');
    case 'stamp':
      return t('verify.check.stamp');
    case 'gpt':
      return t('verify.check.gpt');
    case 'btrfs':
      return t('verify.check.btrfs', { partition: id.partition });
    case 'ext4':
      return t('verify.check.ext4', { partition: id.partition });
    case 'image-sha256':
      return t('verify.check.image');
  }
}

function fileDiffWords(d: CacheFileDiff): string {
  switch (d.how) {
    case 'missing':
      return t('verify.said.fileMissing', { path: d.path });
    case 'extra':
      return t('verify.said.fileExtra', { path: d.path });
    case 'link':
      if (d.got === null) return t('verify.said.fileNotLink', { path: d.path, want: d.want ?? '' });
      if (d.want === null) return t('verify.said.fileIsLink', { path: d.path, got: d.got });
      return t('verify.said.fileLinkTo', { path: d.path, got: d.got, want: d.want });
    case 'content': {
      const [size, wantSize] = formatBytesApart(d.got.sizeBytes, d.want.sizeBytes);
      return t('verify.said.fileContent', { path: d.path, got: d.got.sha256, size, want: d.want.sha256, wantSize });
    }
  }
}

function cacheProblemWords(p: CacheProblem): string {
  switch (p.problem) {
    case 'missing':
      return t('verify.said.cacheMissing', { kind: p.kind });
    case 'not-subvolume':
      return t('verify.said.cacheNotSubvolume', { kind: p.kind });
    case 'differs': {
      const [size, wantSize] = formatBytesApart(p.got.sizeBytes, p.want.sizeBytes);
      const vars = { kind: p.kind, files: p.got.files, size, got: p.got.sha256, wantFiles: p.want.files, wantSize, want: p.want.sha256 };
      return p.files.length ? t('verify.said.cacheDiffersFiles', { ...vars, list: p.files.map(fileDiffWords).join(', ') }) : t('verify.said.cacheDiffers', vars);
    }
  }
}

function espProblemWords(p: FileProblem): string {
  return p.got === null ? t('verify.said.espMissing', { path: p.path }) : t('verify.said.espDiffers', { path: p.path, got: p.got.sha256, want: p.want.sha256 });
}

function payloadProblemWords(p: FileProblem): string {
  if (p.got === null) return t('verify.said.payloadMissing', { path: p.path });
  if (p.got.sizeBytes === undefined || p.want.sizeBytes === undefined) return t('verify.said.payloadDiffers', { path: p.path, got: p.got.sha256, want: p.want.sha256 });
  const [size, wantSize] = formatBytesApart(p.got.sizeBytes, p.want.sizeBytes);
  return t('verify.said.payloadDiffersSize', { path: p.path, got: p.got.sha256, size, want: p.want.sha256, wantSize });
}

function tableProblemWords(p: TableProblem): string {
  switch (p.what) {
    case 'no-table':
      return t('verify.table.noTable');
    case 'boot-code':
      return t('verify.table.bootCode');
    case 'mbr-signature':
      return t('verify.table.mbrSignature');
    case 'mbr-entry':
      return t('verify.table.mbrEntry', { index: p.index });
    case 'gpt-entry':
      return t('verify.table.gptEntry', { index: p.index });
  }
}

const FS_TOOL = { btrfs: 'btrfs check --readonly', e2fsck: 'e2fsck -fn' } as const;

/** What the check found, as a sentence (it follows the check's name). */
export function checkSaidWords(said: CheckSaid): string {
  switch (said.key) {
    case 'slot-match':
      return t('verify.said.slotMatch', { count: said.bytes });
    case 'slot-differs': {
      const vars = { slot: SLOT(said.slot), got: said.got, want: said.want };
      return said.byte === null || said.diskByte === null ? t('verify.said.slotDiffers', vars) : t('verify.said.slotDiffersAt', { ...vars, byte: said.byte, diskByte: said.diskByte });
    }
    case 'slot-too-big': {
      const [size, part] = formatBytesApart(said.bytes, said.partBytes);
      return t('verify.said.slotTooBig', { slot: SLOT(said.slot), size, part });
    }
    case 'verity-ok':
      return t('verify.said.verityOk', { hash: said.rootHash });
    case 'verity-fails':
      return t('verify.said.verityFails', { slot: SLOT(said.slot), part: `iios-verity-${said.slot}`, hash: said.rootHash, why: said.why });
    case 'esp-match':
      return t('verify.said.espMatch', { count: said.files });
    case 'esp-differs':
      return said.problems.map(espProblemWords).join('; ');
    case 'caches-match':
      return t('verify.said.cachesMatch', { kinds: said.kinds.join(', ') });
    case 'caches-differ':
      return said.problems.map(cacheProblemWords).join('; ');
    case 'no-cache-partition':
      return t('verify.said.noCachePartition');
    case 'payload-match':
      return t('verify.said.payloadMatch', { count: said.files });
    case 'payload-differs':
      return said.problems.map(payloadProblemWords).join('; ');
    case 'no-payload':
      return t('verify.said.noPayload');
    case 'no-payload-partition':
      return t('verify.said.noPayloadPartition');
    case 'stamp-complete':
      return t('verify.said.stampComplete', { profile: said.profile ?? '?', hostname: said.hostname ?? '?' });
    case 'stamp-incomplete':
      return t('verify.said.stampIncomplete');
    case 'stamp-unreadable':
      return t('verify.said.stampUnreadable', { why: said.problem ? stickReadWords(said.problem) : said.why });
    case 'no-stamp-raw':
      return t('verify.said.noStampRaw', { path: said.path });
    case 'gpt-ok':
      return t('verify.said.gptOk');
    case 'gpt-problems':
      return t('verify.said.gptProblems', { output: said.output });
    case 'fs-clean':
      return t('verify.said.fsClean', { tool: FS_TOOL[said.tool] });
    case 'fs-problems':
      return t('verify.said.fsProblems', { tool: FS_TOOL[said.tool], output: said.output });
    case 'image-match':
      return t('verify.said.imageMatch', { count: said.bytes, sha256: said.sha256 });
    case 'image-match-extended':
      return t('verify.said.imageMatchExtended', { bytes: said.bytes, sha256: said.sha256, partition: said.partition, differing: said.differing, region: formatBytes(said.regionBytes) });
    case 'image-short':
      return t('verify.said.imageShort', { endsAt: said.endsAt, bytes: said.bytes });
    case 'image-differs': {
      const vars = { count: said.differing, first: said.first, stick: said.stickSha256, image: said.imageSha256 };
      return said.inTable > 0 ? t('verify.said.imageDiffersTable', { ...vars, inTable: said.inTable }) : t('verify.said.imageDiffers', vars);
    }
    case 'image-table-differs':
      return t('verify.said.imageTableDiffers', { count: said.differing, first: said.first, stick: said.stickSha256, image: said.imageSha256 });
    case 'image-table-changed':
      return t('verify.said.imageTableChanged', { problems: said.problems.map(tableProblemWords).join(', '), stick: said.stickSha256, image: said.imageSha256 });
    case 'error':
      return t('verify.said.error', { text: said.text });
  }
}

/** "esp files: ESP file /loader/loader.conf is missing": one check, named, with what it found. */
export function checkWords(c: Pick<CheckResult, 'id' | 'said'>): string {
  return t('verify.line', { check: checkNameWords(c.id), said: checkSaidWords(c.said) });
}
