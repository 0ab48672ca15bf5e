// squid: a squid `cache_dir` holding every URL of the set, filled by fetching each through a private squid, and
// beside it a config snippet with `offline_mode on` (squid-config.ts) that serves them with no network.
// Every URL is asked for with `Cache-Control: max-age=0`: squid revalidates what it holds, so an unchanged object
// costs the origin a 304 and only new or changed ones are transferred. Each URL is then asked for once more with
// `only-if-cached, max-stale` (held at all, fresh or not), so a response the origin forbids squid to keep fails the
// build instead of the offline machine.
import { request } from 'node:http';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CacheKindBuilder } from '../kind-builder.ts';
import { SQUID_CACHE_SUBDIR, SQUID_SNIPPET, squidSnippetText } from './squid-config.ts';
import { startPrivateSquid } from './squid-instance.ts';
import { bytesUnder } from '../folder-bytes.ts';

interface ProxyAnswer {
  status: number;
  xCache: string;
  bytes: number;
}

/** GET `url` through the proxy on 127.0.0.1:port, reading the body to its end (that is what stores it). */
function viaProxy(port: number, url: string, cacheControl: string, signal?: AbortSignal): Promise<ProxyAnswer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: 'GET', path: url, headers: { Host: new URL(url).host, 'Cache-Control': cacheControl }, signal }, (res) => {
      let bytes = 0;
      res.on('data', (chunk: Buffer) => (bytes += chunk.length));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, xCache: String(res.headers['x-cache'] ?? ''), bytes }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

export const squidBuilder: CacheKindBuilder<'squid'> = {
  kind: 'squid',
  tools: [{ command: 'squid', debianPackage: 'squid' }],
  async build(spec, ctx) {
    for (const url of spec.urls) {
      let u: URL;
      try {
        u = new URL(url);
      } catch {
        throw new Error(`cache squid: "${url}" is not a URL: give http://host/path`);
      }
      if (u.protocol === 'https:') throw new Error(`cache squid: ${url}: squid cannot cache HTTPS (it only sees encrypted bytes): give an http:// URL`);
      if (u.protocol !== 'http:') throw new Error(`cache squid: ${url}: only http:// URLs can be cached by squid`);
    }
    const cacheDir = join(ctx.dir, SQUID_CACHE_SUBDIR);
    const squid = await startPrivateSquid(cacheDir, ctx);
    const newItems: string[] = [];
    try {
      for (const [i, url] of spec.urls.entries()) {
        ctx.progress(i / spec.urls.length, { step: 'fetching', item: url });
        const got = await viaProxy(squid.port, url, 'max-age=0', ctx.signal);
        ctx.log(`GET ${url} via squid: ${got.status} ${got.xCache || '-'} ${got.bytes} bytes`);
        if (got.status < 200 || got.status >= 300) throw new Error(`cache squid: ${url} answered ${got.status} (through squid): check the URL`);
        // "HIT" after a revalidation the origin answered 304; "MISS" when the body came from the origin
        if (!got.xCache.startsWith('HIT')) newItems.push(url);
        const kept = await viaProxy(squid.port, url, 'only-if-cached, max-stale', ctx.signal);
        if (kept.status !== 200) {
          throw new Error(`cache squid: squid did not keep ${url} (the origin forbids caching it, e.g. Cache-Control: no-store): it cannot be served offline`);
        }
      }
    } finally {
      // swap.state is complete only once squid has shut down: the cache is copied after this
      await squid.stop();
    }
    await writeFile(join(ctx.dir, SQUID_SNIPPET), squidSnippetText());
    ctx.progress(1, { step: 'done', unit: 'urls', count: spec.urls.length, newCount: newItems.length });
    return { items: [...spec.urls].sort(), newItems: newItems.sort(), bytes: await bytesUnder(ctx.dir) };
  },
};
