import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The layer rules of src/ (README "Architecture"): each layer imports only the layers listed
 * for it and only through their index.ts; no import cycles between files; no hidden
 * nondeterminism (Math.random, Date.now) and no console output outside the CLI.
 */
const SRC = fileURLToPath(new URL('../src/', import.meta.url));

const ALLOWED: Readonly<Record<string, readonly string[]>> = {
  util: [],
  kernel: ['util'],
  tlm: ['util', 'kernel'],
  bench: ['util', 'kernel'],
  demo: ['util', 'kernel', 'tlm'],
  spec: ['util'],
  isa: ['util'],
  platform: ['util', 'spec'],
  trace: ['util'],
  modules: ['util', 'kernel', 'spec', 'tlm', 'isa', 'trace'],
  sim: ['util', 'kernel', 'spec', 'tlm', 'platform', 'modules', 'compiler', 'trace'],
  energy: ['util', 'spec', 'platform'],
  nn: ['util'],
  compiler: ['util', 'nn', 'spec', 'platform', 'isa'],
  rtl: ['util', 'spec', 'platform', 'modules'],
  campaign: ['util', 'kernel', 'platform', 'modules', 'sim', 'energy', 'nn', 'compiler'],
  // report: type-only imports of the run, energy and campaign data it renders
  report: ['util', 'sim', 'energy', 'campaign'],
  // dse: the mathematics of design-space exploration (Pareto, hypervolume, polynomial models, sampling) and its analytic
  // estimate (compiler reports, module closed forms, energy model)
  dse: ['util', 'platform', 'nn', 'compiler', 'energy', 'modules', 'spec'],
  cli: ['util', 'kernel', 'tlm', 'bench', 'demo', 'spec', 'platform', 'modules', 'isa', 'sim', 'energy', 'nn', 'compiler', 'campaign', 'rtl', 'trace', 'report', 'dse'],
  '.': ['util', 'kernel', 'tlm', 'bench', 'demo', 'spec', 'platform', 'modules', 'isa', 'sim', 'energy', 'nn', 'compiler', 'campaign'],
};
const THIRD_PARTY: Readonly<Record<string, readonly string[]>> = {
  kernel: ['eventemitter3'],
  platform: ['yaml', 'immer'],
  nn: ['protobufjs'],
  // yaml: the Kubernetes manifests of `edgesim k8s` are written with the same YAML library that reads platform files
  cli: ['commander', 'piscina', 'cli-progress', 'yaml'],
  // report imports no package: chart.js's browser build is read as text by cli/report-files.ts
  // (createRequire().resolve) and inlined into the page
  report: [],
};

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

const layerOf = (file: string): string => {
  const rel = relative(SRC, file);
  return rel.includes('/') ? rel.split('/')[0]! : '.';
};

const IMPORT_RE = /^\s*(?:import|export)\s+(type\s+)?(?:[^'";]*?\s+from\s+)?['"]([^'"]+)['"]/gm;

interface Edge {
  readonly from: string;
  readonly to: string;
  readonly typeOnly: boolean;
}

function edges(): Edge[] {
  const out: Edge[] = [];
  for (const f of files(SRC)) {
    const text = readFileSync(f, 'utf8');
    for (const m of text.matchAll(IMPORT_RE)) out.push({ from: f, to: m[2]!, typeOnly: m[1] !== undefined });
  }
  return out;
}

describe('architecture', () => {
  const all = edges();

  it('every layer has a README and an index.ts', () => {
    for (const layer of Object.keys(ALLOWED).filter((l) => l !== '.')) {
      expect(statSync(join(SRC, layer, 'README.md')).isFile(), `${layer}/README.md`).toBe(true);
      if (layer !== 'cli') expect(statSync(join(SRC, layer, 'index.ts')).isFile(), `${layer}/index.ts`).toBe(true);
    }
  });

  it('layers import only the layers allowed, through their index.ts, and the allowed packages', () => {
    const bad: string[] = [];
    for (const e of all) {
      const from = layerOf(e.from);
      if (!e.to.startsWith('.')) {
        const pkg = e.to.startsWith('node:') ? 'node:' : e.to.split('/')[0]!;
        const ok = pkg === 'node:' ? from === 'cli' || from === '.' : (THIRD_PARTY[from] ?? []).includes(pkg);
        if (!ok) bad.push(`${relative(SRC, e.from)} imports package '${e.to}'`);
        continue;
      }
      const target = resolve(dirname(e.from), e.to).replace(/\.js$/, '.ts');
      const to = layerOf(target);
      if (to === from) continue;
      if (!(ALLOWED[from] ?? []).includes(to)) bad.push(`${relative(SRC, e.from)} -> ${to} (not allowed for ${from})`);
      else if (!target.endsWith(`${to}/index.ts`)) bad.push(`${relative(SRC, e.from)} -> ${relative(SRC, target)} (deep import: use ${to}/index.js)`);
    }
    expect(bad).toEqual([]);
  });

  it('no import cycles between files (value imports)', () => {
    const graph = new Map<string, string[]>();
    for (const e of all) {
      if (e.typeOnly || !e.to.startsWith('.')) continue;
      const target = resolve(dirname(e.from), e.to).replace(/\.js$/, '.ts');
      graph.set(e.from, [...(graph.get(e.from) ?? []), target]);
    }
    const state = new Map<string, number>();
    const cycles: string[] = [];
    const visit = (n: string, stack: string[]): void => {
      state.set(n, 1);
      for (const m of graph.get(n) ?? []) {
        if (state.get(m) === 1) cycles.push([...stack, n, m].map((x) => relative(SRC, x)).join(' -> '));
        else if (!state.has(m)) visit(m, [...stack, n]);
      }
      state.set(n, 2);
    };
    for (const n of graph.keys()) if (!state.has(n)) visit(n, []);
    expect(cycles).toEqual([]);
  });

  it('no Math.random, Date.now or console outside the CLI', () => {
    const bad: string[] = [];
    for (const f of files(SRC)) {
      if (layerOf(f) === 'cli') continue;
      const code = readFileSync(f, 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
      for (const [word, re] of [
        ['Math.random', /Math\.random/],
        ['Date.now', /Date\.now/],
        ['console', /(?<![\w.])console\./],
        ['process', /(?<![\w./'"])process\.\w/],
      ] as const) {
        if (re.test(code)) bad.push(`${relative(SRC, f)}: ${word}`);
      }
    }
    expect(bad).toEqual([]);
  });
});
