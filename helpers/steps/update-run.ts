// The update job (design.md, "Updates"): a new bundle into the inactive A/B slot of each stick, in an order that
// keeps every stick bootable into its old system at every instant:
//   1. stamp: `update` names the slot being written and that slot leaves the stamp (replaced by a rename);
//   2. esp: the slot's boot entry is deleted, loader.conf picks the first good entry (`default iios-*`);
//   3. slots, verity: the root image and hash tree, read once for all sticks, into each stick's inactive slot;
//   4. btrfs: the slot's kernel and initrd onto the ESP, the bundle into @iios/bundles/ (under a temporary name, renamed
//      when whole; bundles no slot uses are pruned) and the slot's @state/<slot> emptied;
//   5. verify: veritysetup verify of the new slot with the manifest's root hash, the ESP files read back;
//   6. esp: the new entry iios-<slot>+3.conf (boot counting) sorted first, the old entry kept and sorted after it;
//   7. stamp: the slot with its bundle, version, root hash and state pending; `update` gone.
// Killed before 6, the stick boots the old slot (the new one has no entry); killed between 6 and 7, it boots the
// new, verified slot, and the old slot stays in the stamp for the initramfs's verity fallback.
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TargetResult } from '../../src-shared/job/events.ts';
import type { StickStamp } from '../../src-shared/job/stick-stamp.ts';
import { UpdateJob } from '../../src-shared/job/update-job.ts';
import type { WriteJob } from '../../src-shared/job/write-job.ts';
import type { BundleManifest } from '../../src-shared/profile/bundle-manifest.ts';
import type { CheckSaid } from '../../src-shared/verify/check-said.ts';
import { FailureError, TargetCtx, type Emit } from '../context.ts';
import { invalidJob, refusedJobError } from '../job-errors.ts';
import { fanOut, type FanoutSink } from '../io/fanout.ts';
import { fileReader } from '../io/reader.ts';
import { closeSource, loadBundle, type BundleSource } from '../source.ts';
import { sourceReadCheck, type SourceReadCheck } from '../source-access.ts';
import { fatDelete, fatReplace } from '../tools/fat-edit.ts';
import { withLoop } from '../tools/losetup.ts';
import { fatCopyIn, fatRead, type FatVolume } from '../tools/mtools.ts';
import { run } from '../tools/run.ts';
import { verityVerify } from '../tools/verity.ts';
import { bootEntry } from './boot-entries.ts';
import { refusalFailure, stickSafety } from './stick-refusals.ts';
import { gptEntries, readStamp, storedProfile, withIios, type GptEntry } from './stick-job.ts';
import { STAMP_PATH, stampText } from './stamp.ts';
import { abState, planFromGpt, type AbState } from './update-plan.ts';
import { keptOldFrame } from './update-kept-old.ts';
import { updateFit } from '../../src-shared/stick/update-fit.ts';
import { newestGoodSlot } from '../../src-shared/stick/slot-state.ts';

/** Tests stop the helper at a step (SIGKILL to itself) to show the stick still boots its old system. */
const KILL_AT = process.env.IIOS_TEST_KILL_UPDATE_AT ?? '';
function killPoint(step: string): void {
  if (KILL_AT === step) process.kill(process.pid, 'SIGKILL');
}

interface Stick {
  t: TargetCtx;
  parts: GptEntry[];
  stamp: StickStamp;
  ab: AbState;
  esp: FatVolume;
  kiosk: boolean;
  /** Set once the new slot's boot entry is on: from then on the stick boots the new system, not the old one. */
  newEntryOn: boolean;
}

const part = (s: Stick, name: string) => s.parts.find((p) => p.name === name)!;

/** Writes the stamp beside the old one and renames it over it. */
async function replaceStamp(s: Stick, stamp: Record<string, unknown>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'iios-stamp-'));
  try {
    await writeFile(join(dir, 'stick.json'), stampText(stamp));
    await fatReplace(s.esp, join(dir, 'stick.json'), STAMP_PATH, { signal: s.t.signal });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  s.stamp = stamp as StickStamp;
}

async function writeText(s: Stick, fatPath: string, text: string, viaRename: boolean): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'iios-esp-'));
  try {
    await writeFile(join(dir, 'f'), text);
    if (viaRename) await fatReplace(s.esp, join(dir, 'f'), fatPath, { signal: s.t.signal });
    else await fatCopyIn(s.esp, join(dir, 'f'), fatPath, { signal: s.t.signal });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

/** The newest bundle another iios stick carries: its most recently written slot's, checked against its manifest. */
async function bundleFromStick(path: string, fn: (dir: string) => Promise<TargetResult[]>): Promise<TargetResult[]> {
  const parts = await gptEntries(path);
  const stamp = await readStamp(path, parts);
  if (!stamp?.complete) throw new FailureError(`${path} is not a complete iios stick (no complete stamp)`, { key: 'stick-refused', refusal: { reason: 'source-incomplete', source: path } });
  const newest = newestGoodSlot(stamp.slots);
  if (!newest) throw new FailureError(`${path} has no good slot to take a bundle from`, { key: 'stick-refused', refusal: { reason: 'source-no-good-slot', source: path } });
  return withIios(path, parts, (mnt) => fn(join(mnt, '@iios/bundles', `${newest.bundle}-${newest.version}`)));
}

async function openStick(target: UpdateJob['targets'][number], emit: Emit, signal: AbortSignal, m: BundleManifest): Promise<Stick> {
  const { refusal } = await stickSafety(target);
  if (refusal) throw refusal;
  const parts = await gptEntries(target.path);
  const stamp = await readStamp(target.path, parts);
  if (!stamp) throw new FailureError('it is not an iios stick (no readable stamp on an IIOS-ESP)', { key: 'stick-refused', refusal: { reason: 'not-iios' } });
  if (!stamp.complete) throw new FailureError('its last write did not finish (the stamp is incomplete); write or repair it first', { key: 'stick-refused', refusal: { reason: 'incomplete' } });
  if (!parts.some((p) => p.name === 'iios-root-b')) throw new FailureError(`its ${stamp.profile} profile has no A/B slots to update; write it again with the new bundle`, { key: 'stick-refused', refusal: { reason: 'no-ab', profile: stamp.profile } });
  const profile = await withIios(target.path, parts, (mnt) => storedProfile(mnt, stamp.profile));
  const plan = planFromGpt(profile.id, stamp.diskBytes, parts);
  const t = new TargetCtx({ ...target, hostname: stamp.hostname }, plan, profile, emit, signal);
  const espPart = parts.find((p) => p.name === 'IIOS-ESP')!;
  const ab = await abState(target.path, espPart.startBytes, stamp, signal);
  const s: Stick = { t, parts, stamp, ab, esp: { disk: target.path, offset: espPart.startBytes }, kiosk: parts.some((p) => p.name === 'iios-payload'), newEntryOn: false };
  // refused before anything is written: the new system must fit the slot the update would overwrite
  const root = part(s, `iios-root-${ab.inactive}`);
  const verity = part(s, `iios-verity-${ab.inactive}`);
  const verityBytes = m.verity?.sizeBytes ?? 0;
  if (!m.verity) throw new FailureError(`the bundle ${m.name} ${m.version} has no verity hash tree; A/B slots need one`, { key: 'stick-refused', refusal: { reason: 'bundle-no-verity', bundle: m.name, version: m.version } });
  if (!updateFit({ rootBytes: root.sizeBytes, verityBytes: verity.sizeBytes }, { rootfsBytes: m.rootfs.sizeBytes, verityBytes }).fits) {
    throw new FailureError(
      `the bundle ${m.name} ${m.version} needs ${m.rootfs.sizeBytes} bytes for its root image and ${verityBytes} for its hash tree; ` +
        `slot ${ab.inactive} holds ${root.sizeBytes} and ${verity.sizeBytes}. Write the stick again with a larger slot (the profile's slot size) to take this bundle`,
      {
        key: 'stick-refused',
        refusal: { reason: 'slot-too-small', bundle: m.name, version: m.version, slot: ab.inactive, rootBytes: m.rootfs.sizeBytes, verityBytes, slotRootBytes: root.sizeBytes, slotVerityBytes: verity.sizeBytes },
      },
    );
  }
  // Until the new entry is on, whatever stops the update leaves the stick booting its old system: said so.
  t.frameFailure = keptOldFrame(ab.active, stamp.slots[ab.active]?.version ?? null, () => s.newEntryOn);
  return s;
}

/** loader.conf of an updated stick: the first entry in systemd-boot's order that has tries left. */
const LOADER_CONF = ['default iios-*', 'timeout 0', 'console-mode keep', 'editor no', ''].join('\n');

/** Steps 1 and 2: the slot leaves the stamp and loses its boot entry. */
async function retireSlot(s: Stick, m: BundleManifest): Promise<void> {
  const x = s.ab.inactive;
  s.t.enter('esp');
  const slots = { ...s.stamp.slots };
  delete slots[x];
  await replaceStamp(s, { ...s.stamp, slots, update: { slot: x, bundle: m.name, version: m.version, startedAt: new Date().toISOString() } });
  killPoint('stamp');
  await fatDelete(s.esp, s.ab.entries.filter((e) => e.startsWith(`iios-${x}.`) || e.startsWith(`iios-${x}+`)).map((e) => `/loader/entries/${e}`), { signal: s.t.signal });
  await writeText(s, '/loader/loader.conf', LOADER_CONF, true);
  killPoint('entry-removed');
}

/** Step 3 for all sticks at once: one read of each file, each stick at its own inactive slot. */
async function streamSlots(sticks: Stick[], bundle: BundleSource, signal: AbortSignal): Promise<void> {
  const m = bundle.manifest;
  const files: [string, number, string, 'root' | 'verity'][] = [
    [m.rootfs.file, m.rootfs.sizeBytes, m.files[m.rootfs.file]!.sha256, 'root'],
    [m.verity!.hashFile, m.verity!.sizeBytes, m.files[m.verity!.hashFile]!.sha256, 'verity'],
  ];
  for (const [name, bytes, wantSha, kind] of files) {
    const live = sticks.filter((s) => s.t.alive);
    if (live.length === 0) return;
    const sinks: FanoutSink[] = live.map((s) => {
      s.t.enter(kind === 'root' ? 'slots' : 'verity');
      s.t.progress(0, bytes, true);
      return { ctx: s.t, offsets: [part(s, `iios-${kind}-${s.ab.inactive}`).startBytes], keepZeros: true, onProgress: (n) => s.t.progress(n, bytes, n >= bytes) };
    });
    const reader = await fileReader(bundle.files[name]!, bytes);
    try {
      const got = await fanOut(reader, bytes, sinks, signal, { sha256: true, chunkDigests: false });
      if (got.sha256 !== wantSha) for (const s of live) s.t.fail(new Error(`the bundle file ${name} changed while it was written`));
    } finally {
      await reader.close();
    }
    killPoint(kind);
  }
}

/** Step 4: kernel and initrd onto the ESP, the bundle into @iios/bundles/, the slot's old state emptied. */
async function storeBundle(s: Stick, bundle: BundleSource): Promise<void> {
  const m = bundle.manifest;
  const x = s.ab.inactive;
  s.t.enter('btrfs');
  await fatCopyIn(s.esp, bundle.files[m.kernel]!, `/iios/${x}/vmlinuz`, { signal: s.t.signal });
  await fatCopyIn(s.esp, bundle.files[m.initrd]!, `/iios/${x}/initrd.img`, { signal: s.t.signal });
  killPoint('kernel');
  const keep = new Set([`${m.name}-${m.version}`, ...Object.values(s.stamp.slots).map((v) => `${v.bundle}-${v.version}`)]);
  await withIios(s.t.disk, s.parts, async (mnt) => {
    const root = join(mnt, '@iios/bundles');
    const name = `${m.name}-${m.version}`;
    const tmp = join(root, `.${name}.iios-new`);
    await rm(tmp, { recursive: true, force: true });
    await mkdir(tmp, { recursive: true });
    await writeFile(join(tmp, 'manifest.json'), bundle.manifestText);
    for (const [file, from] of Object.entries(bundle.files)) {
      await mkdir(join(tmp, file, '..'), { recursive: true });
      await run('cp', ['--reflink=auto', from, join(tmp, file)], { signal: s.t.signal });
    }
    await rm(join(root, name), { recursive: true, force: true });
    await rename(tmp, join(root, name));
    for (const old of await readdir(root)) {
      if (!keep.has(old)) {
        await rm(join(root, old), { recursive: true, force: true });
        s.t.log('info', `pruned the bundle ${old} from @iios/bundles/ (no slot uses it)`);
      }
    }
    // the overlay upper of the old system in this slot does not belong over the new one
    await rm(join(mnt, '@state', x), { recursive: true, force: true });
    await run('btrfs', ['filesystem', 'sync', mnt], { signal: s.t.signal });
  }, false);
  killPoint('bundle');
}

/** Step 5: the new slot against the manifest's root hash, the ESP's kernel and initrd read back. */
async function verifySlot(s: Stick, m: BundleManifest): Promise<void> {
  const x = s.ab.inactive;
  s.t.enter('verify');
  const root = part(s, `iios-root-${x}`);
  const verity = part(s, `iios-verity-${x}`);
  const r = await withLoop(s.t.disk, root.startBytes, root.sizeBytes, (d) =>
    withLoop(s.t.disk, verity.startBytes, verity.sizeBytes, (h) => verityVerify(d, h, m.verity!.rootHash, { signal: s.t.signal }), { readOnly: true, signal: s.t.signal }),
    { readOnly: true, signal: s.t.signal },
  );
  if (r.exitCode !== 0) {
    const why = r.stderr.trim() || `veritysetup exit ${r.exitCode}`;
    const said: CheckSaid = { key: 'verity-fails', slot: x, rootHash: m.verity!.rootHash.slice(0, 12), why };
    throw new FailureError(`slot ${x} does not verify after the update: ${why}`, { key: 'verify-failed', checks: [{ id: { check: 'slot-verity', slot: x }, ok: false, said }] });
  }
  for (const [fat, name] of [[`/iios/${x}/vmlinuz`, m.kernel], [`/iios/${x}/initrd.img`, m.initrd]] as const) {
    const got = sha(await fatRead(s.esp, fat, { signal: s.t.signal }));
    const want = m.files[name]!.sha256;
    if (got !== want) {
      const said: CheckSaid = { key: 'esp-differs', problems: [{ path: fat, got: { sha256: got }, want: { sha256: want } }] };
      throw new FailureError(`${fat} on the ESP does not read back as written`, { key: 'verify-failed', checks: [{ id: { check: 'esp-files' }, ok: false, said }] });
    }
  }
  s.t.verified = true;
}

/** Steps 6 and 7: the new entry first, the old one after it, then the stamp. */
async function switchOver(s: Stick, m: BundleManifest): Promise<void> {
  const x = s.ab.inactive;
  const y = s.ab.active;
  s.t.enter('stamp');
  const sortKey = (text: string, key: string) => text.replace(/^sort-key .*$/m, `sort-key ${key}`);
  const newEntry = sortKey(bootEntry(m, x, { kiosk: s.kiosk }), 'iios-boot');
  await writeText(s, `/loader/entries/iios-${x}+3.conf`, newEntry, true);
  s.newEntryOn = true;
  killPoint('entry');
  const oldName = s.ab.entries.find((e) => e.startsWith(`iios-${y}.`) || e.startsWith(`iios-${y}+`));
  const now = new Date().toISOString();
  const espFiles = { ...s.stamp.espFiles };
  for (const k of Object.keys(espFiles)) if (k.startsWith(`/loader/entries/iios-`)) delete espFiles[k];
  if (oldName) {
    const old = sortKey((await fatRead(s.esp, `/loader/entries/${oldName}`, { signal: s.t.signal })).toString('utf8'), 'iios-fallback');
    await writeText(s, `/loader/entries/${oldName}`, old, true);
    espFiles[`/loader/entries/${oldName}`] = sha(old);
  }
  espFiles['/loader/loader.conf'] = sha(LOADER_CONF);
  espFiles[`/loader/entries/iios-${x}+3.conf`] = sha(newEntry);
  espFiles[`/iios/${x}/vmlinuz`] = m.files[m.kernel]!.sha256;
  espFiles[`/iios/${x}/initrd.img`] = m.files[m.initrd]!.sha256;
  const slots = { ...s.stamp.slots };
  for (const k of Object.keys(slots)) if (slots[k]!.state !== 'bad') slots[k] = { ...slots[k]!, state: 'active' };
  slots[x] = { bundle: m.name, version: m.version, rootHash: m.verity!.rootHash, rootfsSha256: m.files[m.rootfs.file]!.sha256, rootfsBytes: m.rootfs.sizeBytes, state: 'pending', writtenAt: now };
  const { update: _done, ...rest } = s.stamp;
  void _done;
  await replaceStamp(s, { ...rest, slots, espFiles, updatedAt: now });
}

export async function runUpdateJob(rawJob: unknown, emit: Emit, signal: AbortSignal): Promise<TargetResult[]> {
  const parsed = UpdateJob.safeParse(rawJob);
  if (!parsed.success) {
    emit(invalidJob(parsed.error));
    return [];
  }
  const job = parsed.data;
  /** Every stick refused for one reason (the source): `err` is what refused them; `what` names it in the log. */
  const refuse = (err: unknown, what = ''): TargetResult[] => {
    const message = `refused before changing anything: ${what}${(err as Error).message}`;
    const failure = refusalFailure(err, signal.aborted);
    const results = job.targets.map((t) => ({ targetId: t.id, ok: false, verified: false, message, failure }));
    for (const t of job.targets) emit({ kind: 'target-failed', targetId: t.id, message, cancelled: signal.aborted, failure });
    return refusedJob(results, emit);
  };
  for (const t of job.targets) emit({ kind: 'phase', targetId: t.id, phase: 'check' });
  const withBundle = async (dir: string, access: SourceReadCheck): Promise<TargetResult[]> => {
    let bundle: BundleSource;
    try {
      bundle = await loadBundle({ bundleDir: dir } as WriteJob, access, signal);
    } catch (err) {
      return refuse(err, 'the bundle: ');
    }
    try {
      return await updateSticks(job, bundle, emit, signal);
    } finally {
      await closeSource(bundle);
    }
  };
  try {
    if (job.source.kind === 'bundle') return await withBundle(job.source.dir, await sourceReadCheck(process.env));
    // a stick the user named: its bundle folder is on a mount only the helper can read
    const open: SourceReadCheck = { users: [], check: async () => undefined, checkEntry: () => undefined } as unknown as SourceReadCheck;
    return await bundleFromStick(job.source.path, (dir) => withBundle(dir, open));
  } catch (err) {
    return refuse(err);
  }
}

/** A job every stick of which was refused: the whole-job error names each one's typed failure, then `done`. */
function refusedJob(results: TargetResult[], emit: Emit): TargetResult[] {
  emit(refusedJobError(results.map((r) => r.message).join('; '), results));
  emit({ kind: 'done', results });
  return results;
}

async function updateSticks(job: UpdateJob, bundle: BundleSource, emit: Emit, signal: AbortSignal): Promise<TargetResult[]> {
  const m = bundle.manifest;
  const sticks: Stick[] = [];
  const results: TargetResult[] = [];
  for (const target of job.targets) {
    try {
      sticks.push(await openStick(target, emit, signal, m));
    } catch (err) {
      const message = `refused before changing anything: ${(err as Error).message}`;
      const failure = refusalFailure(err, signal.aborted);
      results.push({ targetId: target.id, ok: false, verified: false, message, failure });
      emit({ kind: 'target-failed', targetId: target.id, message, cancelled: signal.aborted, failure });
    }
  }
  // each stick already has its own refusal: the job's error names them, without saying them again per stick
  if (sticks.length === 0) return refusedJob(results, emit);
  const each = (fn: (s: Stick) => Promise<void>) =>
    Promise.all(
      sticks.filter((s) => s.t.alive).map(async (s) => {
        try {
          await fn(s);
        } catch (err) {
          s.t.fail(err);
        }
      }),
    );
  await each((s) => retireSlot(s, m));
  try {
    await streamSlots(sticks.filter((s) => s.t.alive), bundle, signal);
  } catch (err) {
    for (const s of sticks) s.t.fail(err);
  }
  await each((s) => storeBundle(s, bundle));
  await each((s) => verifySlot(s, m));
  await each((s) => switchOver(s, m));
  for (const s of sticks) {
    if (s.t.failure) {
      results.push({ targetId: s.t.id, ok: false, verified: false, message: s.t.failure.message, failure: s.t.failure.failure });
      continue;
    }
    s.t.log('info', `slot ${s.ab.inactive}: ${m.name} ${m.version} (boots next, 3 tries); slot ${s.ab.active}: ${s.stamp.slots[s.ab.active]?.version ?? '?'} (fallback)`);
    s.t.enter('complete');
    emit({ kind: 'target-done', targetId: s.t.id, verified: s.t.verified });
    results.push({ targetId: s.t.id, ok: true, verified: s.t.verified });
  }
  const ordered = job.targets.map((t) => results.find((r) => r.targetId === t.id)!);
  emit({ kind: 'done', results: ordered });
  return ordered;
}
