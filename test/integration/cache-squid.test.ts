// The squid cache: URLs of a local origin (a node HTTP server on 127.0.0.1) fetched through a private squid into
// a cache_dir, then served by a squid that reads it with the configuration `iios offline` plans (offline_mode on)
// while the origin is stopped, fetched with curl. A rebuild after one more URL transfers that URL alone (the
// origin answers the others 304).
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { squidBuilder } from '../../src-main/services/caches/kinds/squid.ts';
import { squidOffline } from '../../src-main/services/caches/offline/squid.ts';
import { buildKind } from '../support/cache-fixtures/build-kind.ts';
import { curlVia, startOrigin, startSquid, type Origin, type TestSquid } from '../support/cache-fixtures/squid.ts';

let work: string;
let origin: Origin;
const squids: TestSquid[] = [];
const big = randomBytes(300 * 1024);
const small = randomBytes(2 * 1024);
const added = randomBytes(64 * 1024);

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'iios-cache-squid-'));
  // run as root, squid works as "proxy", who must reach the library inside
  await chmod(work, 0o755);
  origin = await startOrigin();
  origin.set('big.iso', big);
  origin.set('small.deb', small);
});

afterAll(async () => {
  for (const s of squids) await s.stop();
  await origin?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

/** A machine's squid reading the cache with the planned configuration; the origin is stopped meanwhile. */
async function offlineFetch(cacheDir: string, name: string, urls: string[]): Promise<{ bodies: Buffer[]; log: string }> {
  const plan = squidOffline.plan({ cacheDir, root: join(work, name) });
  expect(plan.map((c) => c.path)).toEqual([join(work, name, 'etc/squid/conf.d/iios-offline.conf')]);
  expect(plan[0]!.content).toContain('offline_mode on');
  await origin.stop();
  const squid = await startSquid(join(work, `${name}-squid`), plan[0]!.content.split('\n'));
  squids.push(squid);
  try {
    const bodies: Buffer[] = [];
    for (const url of urls) {
      const r = await curlVia(squid.port, url);
      expect(r.status).toBe(200);
      bodies.push(r.body);
    }
    return { bodies, log: await squid.accessLog() };
  } finally {
    await squid.stop();
    await origin.restart();
  }
}

describe('squid cache', () => {
  it('fills a cache_dir through a private squid, serves it with offline_mode and the origin stopped, and a rebuild fetches only the new URL', async () => {
    const library = join(work, 'library');
    const urls = [origin.url('big.iso'), origin.url('small.deb')];
    const first = await buildKind(squidBuilder, { urls }, library);
    expect(first.newItems).toEqual([...urls].sort());
    expect(origin.answers).toEqual(['200 /big.iso', '200 /small.deb']);
    const cacheDir = join(library, 'squid');
    const snippet = await readFile(join(cacheDir, 'squid-offline.conf'), 'utf8');
    expect(snippet).toMatch(/^cache_dir ufs @CACHE_DIR@ /m);
    expect(snippet).toMatch(/^offline_mode on$/m);
    expect(first.bytes).toBeGreaterThan(big.length + small.length);

    const one = await offlineFetch(cacheDir, 'machine', urls);
    expect(one.bodies[0]!.equals(big)).toBe(true);
    expect(one.bodies[1]!.equals(small)).toBe(true);
    expect(one.log.match(/TCP_OFFLINE_HIT\/200/g)).toHaveLength(2);

    origin.answers.length = 0;
    origin.set('added.tar', added);
    const second = await buildKind(squidBuilder, { urls: [...urls, origin.url('added.tar')] }, library);
    expect(second.newItems).toEqual([origin.url('added.tar')]);
    // the two carried URLs cost a revalidation each; only the new one's body crossed
    expect(origin.answers).toEqual(['304 /big.iso', '304 /small.deb', '200 /added.tar']);

    const two = await offlineFetch(cacheDir, 'machine2', [origin.url('added.tar'), origin.url('big.iso')]);
    expect(two.bodies[0]!.equals(added)).toBe(true);
    expect(two.bodies[1]!.equals(big)).toBe(true);
  });

  it('refuses HTTPS, a URL the origin does not have, a library squid cannot reach, and an answer squid may not keep', async () => {
    const lib = join(work, 'library-refused');
    await expect(buildKind(squidBuilder, { urls: ['https://example.invalid/x.iso'] }, lib)).rejects.toThrow(/squid cannot cache HTTPS .*give an http:\/\/ URL/);
    await expect(buildKind(squidBuilder, { urls: [origin.url('missing.iso')] }, lib)).rejects.toThrow(/missing\.iso answered 404/);
    // run as root, squid works as "proxy", who cannot reach a library inside a private folder: said, nothing left
    const scratchBefore = (await readdir(tmpdir())).filter((f) => f.startsWith('iios-squid-'));
    const hidden = join(work, 'private');
    await mkdir(hidden, { mode: 0o700 });
    await expect(buildKind(squidBuilder, { urls: [origin.url('big.iso')] }, join(hidden, 'library'))).rejects.toThrow(
      /squid could not prepare its cache_dir .*works as the user "proxy", who must be able to reach the cache library/,
    );
    expect((await readdir(tmpdir())).filter((f) => f.startsWith('iios-squid-'))).toEqual(scratchBefore);
    origin.set('private-report.pdf', randomBytes(1024));
    await expect(buildKind(squidBuilder, { urls: [origin.url('private-report.pdf')] }, lib)).rejects.toThrow(
      /squid did not keep .*private-report\.pdf .*cannot be served offline/,
    );
  });
});
