/**
 * Sweep files (src/platform/sweep.ts) and the pure sweep logic (src/dse/sweep.ts): loading with
 * positioned diagnostics for bad input, the design points of grid / random / LHS sampling, a
 * point's overrides / targets / splits / precision, objectives, constraints and the front against
 * an independent all-pairs check, normalization to a reference value.
 */
import { describe, expect, it } from 'vitest';
import { designPoints, dominates, normalizedObjectives, objectiveValues, pointSettings, sweepFront, violations, type PointResult } from '../../src/dse/index.js';
import { loadPlatform, loadSweep, type SweepSpec } from '../../src/platform/index.js';
import { catalog } from '../../src/modules/index.js';
import { Rng } from '../../src/util/index.js';
import { readRepoFile, repoRoot } from '../helpers/repo.js';

const HEAD = `sweep: t
platform: p.yaml
model: m.onnx
data: { images: i.bin, labels: l.bin, shape: [1, 28, 28] }
inferences: 4
seed: 3
evaluate: both
`;

const load = (body: string): SweepSpec => {
  const r = loadSweep('s.yaml', HEAD + body);
  expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return r.value!;
};

/** The first error's code, line and column, and its message. */
const firstError = (text: string): { code: string; line: number; column: number; message: string } => {
  const d = loadSweep('s.yaml', text).diagnostics.find((x) => x.severity === 'error');
  expect(d, 'an error').toBeDefined();
  return { code: d!.code, line: d!.line!, column: d!.column!, message: d!.message };
};

describe('sweep files', () => {
  it('axes of every kind, ranges, constraints in units, objectives with senses', () => {
    const s = load(`axes:
  'pes.peType': [int8, int16]
  'pes.rows': { min: 4, max: 16, steps: 4 }
  'target./c1/Conv': [cores, pes]
  'split./c2/Conv': [0, 0.5]
  'precision.*.weightBits': [4, 8]
  'precision./fc*.weights': [uniform, pow2]
constraints: { area: '<= 2 mm2', latency: '<= 5 ms', accuracy: '>= 80%', energy: '<= 3 uJ' }
objectives: [accuracy, latency]
normalize: { 'pes.peType': int16 }
areaOf: 'pes'
`);
    expect(s.axes.map((a) => a.what)).toEqual([
      { kind: 'param', target: 'pes', param: 'peType' }, { kind: 'param', target: 'pes', param: 'rows' },
      { kind: 'target', node: '/c1/Conv' }, { kind: 'split', node: '/c2/Conv' },
      { kind: 'precision', layers: '*', field: 'weightBits' }, { kind: 'precision', layers: '/fc*', field: 'weights' },
    ]);
    expect(s.axes[1]!.domain).toEqual({ kind: 'range', min: 4, max: 16, steps: 4, integer: true });
    expect(s.constraints.map((c) => [c.metric, c.op, c.value])).toEqual([['area', '<=', 2e6], ['latency', '<=', 5e9], ['accuracy', '>=', 0.8], ['energy', '<=', 3e6]]);
    expect(s.objectives).toEqual([{ name: 'accuracy', sense: 'max' }, { name: 'latency', sense: 'min' }]);
    expect(s.normalize).toEqual({ axis: 'pes.peType', value: 'int16' });
    expect(s.areaOf).toMatchObject({ globs: ['pes'], at: { line: 18, column: 9 } });
    expect(s.evaluate).toEqual({ analytic: true, simulate: true });
    expect(s.sampling).toEqual({ method: 'grid' });
  });

  it('bad input: each problem at its line:column with the fix', () => {
    const cases: [string, string, number, number, RegExp][] = [
      [`${HEAD}axes: { 'pes.rows': [8] }\nobjectives: [speed]\n`, 'bad-value', 9, 14, /'speed' is not one of accuracy, latency/],
      [`${HEAD}axes: { 'split.c1': [0, 1.5] }\nobjectives: [latency]\n`, 'bad-value', 8, 25, /\[0, 1\], got 1.5/],
      [`${HEAD}axes: { 'precision.*.weightBits': [1, 8] }\nobjectives: [latency]\n`, 'bad-value', 8, 36, /integer from 2 to 8, got 1/],
      [`${HEAD}axes: { 'precision.*.bits': [4] }\nobjectives: [latency]\n`, 'bad-sweep-axis', 8, 9, /'bits' is not one of weightBits, actBits, weights/],
      [`${HEAD}axes: { rows: [4] }\nobjectives: [latency]\n`, 'bad-sweep-axis', 8, 9, /none of '<instance glob>.<param>'/],
      [`${HEAD}axes: { 'pes.rows': [4] }\nconstraints: { area: '<= 2 bananas' }\nobjectives: [latency]\n`, 'bad-value', 9, 22, /cannot read "2bananas" as an area/],
      [`${HEAD}axes: { 'pes.rows': { min: 1, max: 2.5 } }\nobjectives: [latency]\n`, 'bad-value', 8, 9, /continuous range needs steps/],
      [`${HEAD}axes: { 'pes.rows': [4, 4] }\nobjectives: [latency]\n`, 'bad-value', 8, 21, /listed twice/],
      [`${HEAD.replace('evaluate: both', 'evaluate: fast')}axes: { 'pes.rows': [4] }\nobjectives: [latency]\n`, 'bad-value', 7, 11, /evaluate must be analytic, simulate or both/],
      [`${HEAD.replace(/data:.*\n/, '').replace('inferences: 4\n', '')}axes: { 'pes.rows': [4] }\nobjectives: [accuracy]\n`, 'missing-key', 5, 11, /evaluate: simulate needs data/],
      [`${HEAD}axes: { 'pes.rows': [4] }\nobjectives: [latency]\nnormalize: { 'pes.rows': 8 }\n`, 'bad-value', 10, 12, /8 is not a value of 'pes.rows'/],
    ];
    for (const [text, code, line, column, msg] of cases) {
      const e = firstError(text);
      expect(e.message, text).toMatch(msg);
      expect([e.code, e.line, e.column], `${e.message}\n${text}`).toEqual([code, line, column]);
    }
  });

  it('grid: every combination, the last axis fastest; random and LHS: deterministic per seed, duplicates once', () => {
    const g = load(`axes:\n  'a.x': [1, 2]\n  'b.y': { min: 0, max: 1, steps: 3, integer: false }\nobjectives: [latency]\n`);
    expect(designPoints(g).map((p) => p.label)).toEqual(['a.x=1,b.y=0', 'a.x=1,b.y=0.5', 'a.x=1,b.y=1', 'a.x=2,b.y=0', 'a.x=2,b.y=0.5', 'a.x=2,b.y=1']);
    const l = load(`sampling: { method: lhs, samples: 12 }\naxes:\n  'a.x': { min: 1, max: 100 }\n  'b.y': { min: 0, max: 1, integer: false }\nobjectives: [latency]\n`);
    const p1 = designPoints(l);
    expect(p1).toEqual(designPoints(l));
    expect(p1).toHaveLength(12);
    // one sample per twelfth of each range (LHS strata)
    expect(new Set(p1.map((p) => Math.min(11, Math.floor((Number(p.values['b.y']) * 12))))).size).toBe(12);
    const other = loadSweep('s.yaml', `${HEAD.replace('seed: 3', 'seed: 4')}sampling: { method: lhs, samples: 12 }\naxes:\n  'a.x': { min: 1, max: 100 }\n  'b.y': { min: 0, max: 1, integer: false }\nobjectives: [latency]\n`).value!;
    expect(designPoints(other)).not.toEqual(p1);
    const r = load(`sampling: { method: random, samples: 50 }\naxes:\n  'a.x': [1, 2]\nobjectives: [latency]\n`);
    expect(designPoints(r).map((p) => p.label).sort()).toEqual(['a.x=1', 'a.x=2']);
  });

  it("a point's settings: fixed params first, then param axes at their value positions; targets, splits, precision rules", () => {
    const s = load(`params: { 'pes': { rows: 4 } }\naxes:\n  'pes.rows': [8, 16]\n  'target.c1': [cores]\n  'split.c2': [0.25]\n  'precision.c*.weightBits': [4]\n  'precision.c1.weights': [pow2]\nobjectives: [latency]\n`);
    const pt = designPoints(s)[1]!;
    const st = pointSettings(s, pt);
    expect(st.overrides.map((o) => [o.target, o.param, o.raw, o.at.line, o.at.column])).toEqual([['pes', 'rows', 4, 8, 26], ['pes', 'rows', 16, 10, 19]]);
    expect([...st.targets]).toEqual([['c1', 'cores']]);
    expect([...st.splits]).toEqual([['c2', 0.25]]);
    expect(st.precision).toEqual([{ layers: 'c*', weightBits: 4 }, { layers: 'c1', weights: 'pow2' }]);
  });

  it('linked axes set several keys per value; their keys join the point values (normalization may name them)', () => {
    const s = load(`axes:\n  pe:\n    - { 'pes.peType': int16 }\n    - { 'pes.peType': lightpe1, 'precision.*.weights': pow2 }\n  'pes.rows': [8]\nobjectives: [latency]\nnormalize: { 'pes.peType': int16 }\n`);
    expect(s.axes[0]!.domain).toMatchObject({ kind: 'values', values: ['int16', 'lightpe1+pow2'] });
    const pts = designPoints(s);
    expect(pts.map((p) => p.values)).toEqual([{ pe: 'int16', 'pes.rows': 8, 'pes.peType': 'int16' }, { pe: 'lightpe1+pow2', 'pes.rows': 8, 'pes.peType': 'lightpe1', 'precision.*.weights': 'pow2' }]);
    const st = pointSettings(s, pts[1]!);
    expect(st.overrides.map((o) => [o.param, o.raw, o.at.line])).toEqual([['peType', 'lightpe1', 11], ['rows', 8, 12]]);
    expect(st.precision).toEqual([{ layers: '*', weights: 'pow2' }]);
    const bad = firstError(`${HEAD}axes:\n  pe:\n    - { 'pes.peType': int16, 'split.c1': 2 }\nobjectives: [latency]\n`);
    expect([bad.code, bad.line, bad.column]).toEqual(['bad-value', 10, 42]);
    expect(firstError(`${HEAD}axes:\n  pe: [{ 'pes.peType': int16 }]\nobjectives: [latency]\nnormalize: { 'pes.peType': int8 }\n`).message).toMatch(/"int8" is not a value of 'pes.peType' \("int16"\)/);
  });

  it('overrides reach the loader: a memory size override resizes its address-map region; errors at the sweep file position', () => {
    const file = 'platforms/pulp-cluster.yaml';
    const text = readRepoFile(file)!;
    const readFile = (p: string): string | undefined => readRepoFile(p.startsWith(repoRoot) ? p.slice(repoRoot.length) : p);
    const at = { file: 's.yaml', line: 9, column: 4 };
    const base = loadPlatform(file, text, { catalog, readFile }).graph!;
    const l1 = base.addressMap.find((r) => r.target === 'l1')!;
    const big = loadPlatform(file, text, { catalog, readFile, overrides: [{ target: 'l1', param: 'sizeBytes', raw: '128KiB', at }] });
    expect(big.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(big.graph!.addressMap.find((r) => r.target === 'l1')!.size).toBe(128 * 1024);
    expect(big.graph!.instances['l1']!.paramOrigin['sizeBytes']).toBe('override:s.yaml:9');
    expect(l1.size).not.toBe(128 * 1024);
    const bad = loadPlatform(file, text, { catalog, readFile, overrides: [{ target: 'l1', param: 'sizeBites', raw: 1, at }, { target: 'zz*', param: 'x', raw: 1, at }] });
    expect(bad.diagnostics.filter((d) => d.severity === 'error').map((d) => [d.code, d.file, d.line, d.column])).toEqual([['unknown-param', 's.yaml', 9, 4], ['unknown-param-target', 's.yaml', 9, 4]]);
  });
});

/** A result with the given simulated figures (latency us, energy uJ), area mm2 and accuracy %. */
function result(index: number, acc: number, latUs: number, eUj: number, areaMm2: number): PointResult {
  return {
    index, label: `p${index}`, values: { 'a.x': index }, hash: `h${index}`, error: null, areaUm2: areaMm2 * 1e6, mapping: {}, analytic: null, energyUnpriced: [],
    simulated: { accuracy: acc / 100, accuracyCi95: [0, 1], latencyPs: latUs * 1e6, energyPj: eUj * 1e6, inferences: 10 },
  };
}

describe('objectives, constraints, front', () => {
  it('objective values in result units; perfPerArea = inferences/s/mm2', () => {
    const v = objectiveValues(result(0, 90, 250, 2, 0.5));
    expect(v).toEqual({ accuracy: 90, latency: 250, energy: 2, area: 0.5, perfPerArea: 1e6 / 250 / 0.5 });
  });

  it('the front of random results equals an all-pairs check over the feasible points; constraints exclude points', () => {
    const rng = new Rng(99);
    const spec = load(`axes:\n  'a.x': [1]\nconstraints: { area: '<= 3 mm2' }\nobjectives: { accuracy: max, latency: min, area: min }\n`);
    for (let trial = 0; trial < 20; trial++) {
      const rs = Array.from({ length: 40 }, (_, i) => result(i, Math.round(rng.next() * 20) + 70, Math.round(rng.next() * 10) + 1, 1, Math.round(rng.next() * 5) + 0.5));
      const f = sweepFront(spec, rs);
      const feasible = rs.filter((r) => violations(spec, r).length === 0);
      expect(f.feasible).toEqual(feasible.map((r) => r.index));
      const vec = (r: PointResult): number[] => { const o = objectiveValues(r); return [o.accuracy!, o.latency!, o.area!]; };
      const brute = feasible.filter((a) => !feasible.some((b) => dominates(vec(b), vec(a), ['max', 'min', 'min']))).map((r) => r.index);
      expect(f.front).toEqual(brute);
      expect(f.hypervolume).toBeGreaterThan(0);
    }
    expect(violations(spec, result(0, 90, 1, 1, 3.5))).toEqual(['area 3.5 mm2 violates <= 2 mm2'.replace('2 mm2', '3 mm2')]);
  });

  it('normalization: ratios to the best point with the reference value, per objective', () => {
    const spec = load(`axes:\n  'a.x': [0, 1, 2, 3]\nobjectives: { perfPerArea: max, energy: min }\nnormalize: { 'a.x': 1 }\n`);
    const rs = [result(0, 90, 100, 4, 1), result(1, 90, 200, 2, 1), result(2, 90, 50, 1, 1), result(3, 90, 400, 8, 1)].map((r, i) => ({ ...r, values: { 'a.x': i } }));
    const n = normalizedObjectives(spec, rs)!;
    expect(n.reference).toEqual({ perfPerArea: { value: 1e6 / 200, point: 1 }, energy: { value: 2, point: 1 } });
    expect(n.ratios.map((r) => [r.perfPerArea, r.energy])).toEqual([[2, 2], [1, 1], [4, 0.5], [0.5, 4]]);
  });
});
