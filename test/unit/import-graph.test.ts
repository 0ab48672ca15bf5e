// The layers' arrows (design.md, "Layers"): renderer -> shared, main -> shared, helpers -> shared, and no import
// circles anywhere. Every relative import of src-*/ and helpers/ is read with TypeScript's own pre-processor
// (static, type-only, re-exports and dynamic import()), so a circle made only of `import type` lines counts too:
// it still ties the files together for every reader and every refactor.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const LAYERS = ['src-shared', 'src-main', 'src-renderer', 'helpers'];
const SOURCE = /\.(ts|tsx|mts|mjs|js)$/;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' ? [] : sourceFiles(p);
    return SOURCE.test(e.name) && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

/** The file a relative specifier names (the repo imports with extensions; bare folder imports resolve to index). */
function resolveRelative(from: string, spec: string): string | null {
  const base = resolve(dirname(from), spec);
  const tries = [base, ...['.ts', '.tsx', '.mjs', '.js'].map((x) => base + x), ...['index.ts', 'index.tsx'].map((i) => join(base, i))];
  return tries.find(isFile) ?? null;
}

interface ImportGraph {
  /** file (repo-relative) -> the repo-relative files it imports */
  edges: Map<string, string[]>;
  /** file -> bare specifiers (packages, node: built-ins) */
  bare: Map<string, string[]>;
  unresolved: string[];
}

function importGraph(root: string, layers: string[]): ImportGraph {
  const edges = new Map<string, string[]>();
  const bare = new Map<string, string[]>();
  const unresolved: string[] = [];
  for (const file of layers.flatMap((l) => sourceFiles(join(root, l)))) {
    const rel = relative(root, file);
    const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    const specs = info.importedFiles.map((f) => f.fileName);
    const out: string[] = [];
    const pkgs: string[] = [];
    for (const spec of specs) {
      if (spec.startsWith('.')) {
        const target = resolveRelative(file, spec);
        if (target) out.push(relative(root, target));
        else unresolved.push(`${rel} -> ${spec}`);
      } else pkgs.push(spec);
    }
    edges.set(rel, [...new Set(out)]);
    bare.set(rel, [...new Set(pkgs)]);
  }
  return { edges, bare, unresolved };
}

/** Every import circle, each as the path that closes it (a -> b -> … -> a); Tarjan's strongly connected components. */
function importCycles(edges: Map<string, string[]>): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const visit = (v: string): void => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const comp: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        comp.push(w);
      } while (w !== v);
      if (comp.length > 1 || (edges.get(v) ?? []).includes(v)) components.push(comp.sort());
    }
  };
  for (const v of [...edges.keys()].sort()) if (!idx.has(v)) visit(v);
  return components;
}

/** Arrows that break the layers: into src-main from the renderer or the helper; out of src-shared at all. */
function layerViolations(graph: ImportGraph): string[] {
  const builtins = new Set(builtinModules);
  const bad: string[] = [];
  for (const [from, tos] of graph.edges) {
    for (const to of tos) {
      if ((from.startsWith('src-renderer/') || from.startsWith('helpers/')) && to.startsWith('src-main/')) bad.push(`${from} -> ${to}`);
      if (from.startsWith('src-shared/') && !to.startsWith('src-shared/')) bad.push(`${from} -> ${to}`);
    }
  }
  for (const [from, specs] of graph.bare) {
    if (!from.startsWith('src-shared/')) continue;
    for (const s of specs) if (s.startsWith('node:') || builtins.has(s) || s === 'electron' || s.startsWith('electron/')) bad.push(`${from} -> ${s}`);
  }
  return bad.sort();
}

describe('the import graph of src-*/ and helpers/', () => {
  const graph = importGraph(ROOT, LAYERS);

  it('was read whole: every relative import names a file', () => {
    expect(graph.edges.size).toBeGreaterThan(100);
    expect(graph.unresolved).toEqual([]);
  });

  it('has no import circles', () => {
    expect(importCycles(graph.edges)).toEqual([]);
  });

  it('keeps the layers: renderer and helper never import main, shared imports only shared (no node:, no electron)', () => {
    expect(layerViolations(graph)).toEqual([]);
  });
});

describe('the checks themselves', () => {
  it('find a circle, a self-import and the longest way round', () => {
    const edges = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a', 'd']],
      ['d', []],
      ['e', ['e']],
    ]);
    expect(importCycles(edges)).toEqual([['a', 'b', 'c'], ['e']]);
  });

  it('find every kind of wrong arrow', () => {
    const graph: ImportGraph = {
      edges: new Map([
        ['src-renderer/x.ts', ['src-main/y.ts', 'src-shared/z.ts']],
        ['helpers/h.ts', ['src-main/y.ts']],
        ['src-shared/z.ts', ['helpers/h.ts']],
        ['src-main/y.ts', ['src-shared/z.ts', 'helpers/h.ts']],
      ]),
      bare: new Map([
        ['src-shared/z.ts', ['zod', 'node:fs', 'path', 'electron']],
        ['src-main/y.ts', ['node:fs', 'electron']],
      ]),
      unresolved: [],
    };
    expect(layerViolations(graph)).toEqual([
      'helpers/h.ts -> src-main/y.ts',
      'src-renderer/x.ts -> src-main/y.ts',
      'src-shared/z.ts -> electron',
      'src-shared/z.ts -> helpers/h.ts',
      'src-shared/z.ts -> node:fs',
      'src-shared/z.ts -> path',
    ]);
  });

  it('read type-only imports, re-exports and dynamic imports', () => {
    const text = "import type { A } from './a.ts';\nexport * from './b.ts';\nconst c = await import('./c.ts');\nimport './d.ts';";
    expect(ts.preProcessFile(text, true, true).importedFiles.map((f) => f.fileName)).toEqual(['./a.ts', './b.ts', './c.ts', './d.ts']);
  });
});
