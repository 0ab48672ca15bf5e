// Which helper files count as changeable by someone other than root: the file and every folder above it (of the
// path as named and of a link's target), owned by root and writable by nobody else; a root-owned sticky folder
// (/tmp) is fine. A checkout (build.mjs beside node_modules) is a developer setup and is not checked.
import { describe, expect, it } from 'vitest';
import { assertHelperTrusted, helperSetup, HelperTrustError, modifiableBy, type TrustFs } from '../../src-main/services/elevation/helper-trust.ts';

interface Node {
  uid?: number;
  mode: number;
  dir?: boolean;
  link?: string;
}

function memFs(nodes: Record<string, Node>): TrustFs {
  const get = (p: string) => {
    const n = nodes[p];
    if (!n) throw new Error(`ENOENT: ${p}`);
    return n;
  };
  return {
    lstat: (p) => {
      const n = get(p);
      return { uid: n.uid ?? 0, mode: n.mode, isDirectory: () => !!n.dir, isSymbolicLink: () => !!n.link };
    },
    realpath: (p) => get(p).link ?? p,
    exists: (p) => p in nodes,
    readdir: (p) => Object.keys(nodes).filter((k) => k !== p && k.startsWith(`${p}/`) && !k.slice(p.length + 1).includes('/')).map((k) => k.slice(p.length + 1)),
  };
}

const tree = (extra: Record<string, Node> = {}) =>
  memFs({
    '/': { mode: 0o755, dir: true },
    '/opt': { mode: 0o755, dir: true },
    '/opt/iios': { mode: 0o755, dir: true },
    '/opt/iios/dist': { mode: 0o755, dir: true },
    '/opt/iios/dist/helper': { mode: 0o755, dir: true },
    '/opt/iios/dist/helper/main.js': { mode: 0o644 },
    '/usr': { mode: 0o755, dir: true },
    '/usr/bin': { mode: 0o755, dir: true },
    '/usr/bin/node': { mode: 0o755 },
    '/tmp': { mode: 0o1777, dir: true },
    ...extra,
  });

describe('modifiableBy', () => {
  it('accepts a root-owned path writable only by root, and a root-owned sticky folder above it', () => {
    expect(modifiableBy('/opt/iios/dist/helper/main.js', tree())).toEqual([]);
    const fs = tree({ '/tmp/app': { mode: 0o755, dir: true }, '/tmp/app/main.js': { mode: 0o644 } });
    expect(modifiableBy('/tmp/app/main.js', fs)).toEqual([]);
  });

  it('names a file or folder owned by someone else, or writable by its group or by everyone', () => {
    expect(modifiableBy('/opt/iios/dist/helper/main.js', tree({ '/opt/iios/dist/helper/main.js': { uid: 1001, mode: 0o644 } }))).toEqual([
      '/opt/iios/dist/helper/main.js belongs to uid 1001, not root',
    ]);
    expect(modifiableBy('/opt/iios/dist/helper/main.js', tree({ '/opt/iios': { mode: 0o775, dir: true } }))).toEqual(['/opt/iios is writable by its group']);
    expect(modifiableBy('/opt/iios/dist/helper/main.js', tree({ '/opt': { mode: 0o757, dir: true } }))).toEqual(['/opt is writable by everyone']);
    // a sticky folder only helps when root owns it
    const fs = tree({ '/tmp/app': { uid: 1001, mode: 0o1777, dir: true }, '/tmp/app/main.js': { mode: 0o644 } });
    expect(modifiableBy('/tmp/app/main.js', fs)).toEqual(['/tmp/app belongs to uid 1001, not root']);
  });

  it("follows a link: the link's own folders and its target's are checked", () => {
    const fs = tree({
      '/usr/bin/node': { mode: 0o777, link: '/home/dev/node/bin/node' },
      '/home': { mode: 0o755, dir: true },
      '/home/dev': { uid: 1001, mode: 0o755, dir: true },
      '/home/dev/node': { uid: 1001, mode: 0o755, dir: true },
      '/home/dev/node/bin': { uid: 1001, mode: 0o755, dir: true },
      '/home/dev/node/bin/node': { uid: 1001, mode: 0o755 },
    });
    expect(modifiableBy('/usr/bin/node', fs)).toEqual([
      '/home/dev/node/bin/node belongs to uid 1001, not root',
      '/home/dev/node/bin belongs to uid 1001, not root',
      '/home/dev/node belongs to uid 1001, not root',
      '/home/dev belongs to uid 1001, not root',
    ]);
  });
});

describe('assertHelperTrusted', () => {
  const cmd = { file: '/usr/bin/node', args: ['/opt/iios/dist/helper/main.js'], cwd: '/opt/iios' };

  it('refuses an installed helper someone else could change, with every reason and what to do', () => {
    const fs = tree({ '/opt/iios/dist': { mode: 0o775, dir: true }, '/opt/iios/dist/helper/main.js': { uid: 1001, mode: 0o644 } });
    const setup = helperSetup('/opt/iios', fs);
    expect(setup.kind).toBe('installed');
    expect(() => assertHelperTrusted(cmd, setup, fs)).toThrow(HelperTrustError);
    expect(() => assertHelperTrusted(cmd, setup, fs)).toThrow(
      'refusing to run the helper as root: its files can be changed without administrator rights (/opt/iios/dist/helper/main.js belongs to uid 1001, not root; /opt/iios/dist is writable by its group). An installed iios must be owned by root and writable only by root: reinstall it from its package, or fix the owner and modes of the folders named',
    );
    expect(() => assertHelperTrusted(cmd, setup, tree())).not.toThrow();
  });

  it('checks the chunks a split helper bundle imports (dist/helper/chunks/) like its entry', () => {
    const chunks = { '/opt/iios/dist/helper/chunks': { mode: 0o755, dir: true }, '/opt/iios/dist/helper/chunks/raw-AB12.js': { mode: 0o644 } };
    expect(() => assertHelperTrusted(cmd, helperSetup('/opt/iios', tree(chunks)), tree(chunks))).not.toThrow();
    const userChunk = tree({ ...chunks, '/opt/iios/dist/helper/chunks/raw-AB12.js': { uid: 1001, mode: 0o644 } });
    expect(() => assertHelperTrusted(cmd, helperSetup('/opt/iios', userChunk), userChunk)).toThrow('/opt/iios/dist/helper/chunks/raw-AB12.js belongs to uid 1001, not root');
    const openFolder = tree({ ...chunks, '/opt/iios/dist/helper/chunks': { mode: 0o775, dir: true } });
    expect(() => assertHelperTrusted(cmd, helperSetup('/opt/iios', openFolder), openFolder)).toThrow('/opt/iios/dist/helper/chunks is writable by its group');
  });

  it('does not check a checkout (build.mjs and node_modules): that is a developer setup, named instead', () => {
    const fs = tree({ '/opt/iios/build.mjs': { mode: 0o644 }, '/opt/iios/node_modules': { mode: 0o755, dir: true }, '/opt/iios/dist/helper/main.js': { uid: 1001, mode: 0o644 } });
    const setup = helperSetup('/opt/iios', fs);
    expect(setup).toEqual({ kind: 'developer', root: '/opt/iios' });
    expect(() => assertHelperTrusted(cmd, setup, fs)).not.toThrow();
  });
});
