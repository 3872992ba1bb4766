/**
 * The analytic path (`analyticEstimate`) against simulation: ResNet-8 (MLPerf Tiny, CIFAR image
 * 0) on the shipped platforms, latency and energy errors (analytic / simulated - 1) printed and
 * bounded; exact invariants: the PE-array and AIMC-tile events of ResNet-8 and of small forced
 * GEMMs equal the simulated ones. One simulation per case; the simulated energy is priced from
 * that run's activity. Figures: src/dse/README.md ("Analytic estimate").
 */
import { describe, expect, it } from 'vitest';
import { compile, compileForAccelerators, type AccelCompiled, type Compiled } from '../../src/compiler/index.js';
import { analyticEstimate, type AnalyticEstimate } from '../../src/dse/index.js';
import { energyReport, type EnergyReport } from '../../src/energy/index.js';
import { catalog } from '../../src/modules/index.js';
import { tensor, type NnGraph, type Tensor } from '../../src/nn/index.js';
import type { PlatformGraph } from '../../src/platform/index.js';
import { instantiate, runCompiled, runReport } from '../../src/sim/index.js';
import { Rng, formatDiagnostics } from '../../src/util/index.js';
import { GraphBuilder, addMatMul, randQ } from '../compiler/graphs.js';
import { cleanGraph } from '../helpers/repo.js';
import { loadModel, readBytes } from '../nn/helpers.js';

const resnet8 = loadModel('mlperf_tiny_resnet8_int8_qop.onnx');
const images = readBytes('data/cifar10_test500_images_u8.bin');
const x0 = new Map([['input', tensor('int8', [1, 3, 32, 32], Array.from(images.subarray(0, 3072), (p) => p - 128))]]);

interface Simulated {
  readonly time: number;
  readonly energy: EnergyReport;
  readonly events: ReadonlyMap<string, Readonly<Record<string, number>>>;
}

/** One simulation; the energy report is priced from the run's own activity. */
function simulate(platform: PlatformGraph, c: Compiled, inputs: ReadonlyMap<string, Tensor>): Simulated {
  const p = instantiate(platform);
  const run = runCompiled(p, c, inputs);
  const rep = runReport(p.sim, p.modules.values(), p.skipped);
  return { time: run.time, energy: energyReport(platform, rep.components, rep.simulatedTimePs, catalog), events: new Map(rep.components.map((k) => [k.path, k.energyEvents])) };
}

const pct = (v: number): string => `${v >= 0 ? '+' : ''}${(100 * v).toFixed(1)} %`;

/** Per-event estimated / simulated counts, for the printout. */
function eventLines(a: AnalyticEstimate, s: Simulated): string[] {
  const out: string[] = [];
  for (const k of a.activity) {
    const sim = s.events.get(k.path) ?? {};
    const parts = Object.entries(k.energyEvents).filter(([ev, v]) => v > 0 || (sim[ev] ?? 0) > 0).map(([ev, v]) => `${ev} ${v} / ${sim[ev] ?? 0}`);
    if (parts.length > 0) out.push(`  ${k.path}: ${parts.join(', ')}`);
  }
  return out;
}

/** Every event of the instances of `kind` equals the simulated count. */
function expectExactEvents(a: AnalyticEstimate, s: Simulated, kind: string): void {
  const ours = a.activity.filter((k) => k.kind === kind);
  expect(ours.length).toBeGreaterThan(0);
  for (const k of ours) expect(k.energyEvents, k.path).toEqual(s.events.get(k.path));
}

describe('analytic estimate against simulation (ResNet-8, CIFAR image 0)', () => {
  // [platform, latency tolerance, energy tolerance]: the measured error (README) plus a margin.
  // Energy: diana-like prices only the PE array's MACs and hermes-exact only the AIMC tiles in
  // their tech files (exact counts there, asserted below; the 8 % leaves room for static power
  // priced over the estimated latency), hermes-like nothing (0 = 0): there the printed event
  // counts are the check. eyeriss-like is in: its host's DRAM latency is priced per access.
  const cases: [string, number, number][] = [
    ['pulp-cluster', 0.12, 0.05],
    ['diana-like', 0.08, 0.08],
    ['eyeriss-like', 0.08, 0.05],
    ['hermes-like', 0.06, 0.05],
    ['hermes-exact', 0.05, 0.08],
  ];
  for (const [name, latTol, enTol] of cases) {
    it(`${name}: latency within ${100 * latTol} %, energy within ${100 * enTol} %`, () => {
      const platform = cleanGraph(`platforms/${name}.yaml`);
      const r = name === 'pulp-cluster' ? compile(resnet8, platform) : compileForAccelerators(resnet8, platform);
      const c: Compiled | AccelCompiled = r.value!;
      const a = analyticEstimate(platform, c, catalog, { graph: resnet8 });
      const s = simulate(platform, c, x0);
      const latErr = a.latencyPs / s.time - 1;
      const enErr = s.energy.totalPj > 0 ? a.energy.totalPj / s.energy.totalPj - 1 : a.energy.totalPj === 0 ? 0 : Infinity;
      console.log([
        `${name}: latency analytic ${(a.latencyPs / 1e6).toFixed(1)} us, simulated ${(s.time / 1e6).toFixed(1)} us (${pct(latErr)}); energy analytic ${(a.energy.totalPj / 1e6).toFixed(3)} uJ, simulated ${(s.energy.totalPj / 1e6).toFixed(3)} uJ (${s.energy.totalPj > 0 ? pct(enErr) : 'nothing priced'}); events analytic / simulated:`,
        ...eventLines(a, s),
      ].join('\n'));
      expect(Math.abs(latErr)).toBeLessThan(latTol);
      expect(Math.abs(enErr)).toBeLessThan(enTol);
      // the energy report is the energy model's of the estimated counts over the estimated latency
      expect(a.energy.elapsedPs).toBe(a.latencyPs);
      expect(a.cycles).toBeCloseTo(a.perLayer.reduce((t, l) => t + l.cycles, 0), 6);
      // closed forms: accelerator events exactly as simulated
      if (name === 'diana-like' || name === 'eyeriss-like') expectExactEvents(a, s, 'pe-array');
      if (name === 'hermes-exact') expectExactEvents(a, s, 'aimc-tile');
    }, 120_000);
  }
});

/** A QLinearMatMul `a[...batch, M, K] x b[K, N]`, int8, symmetric weights in [-127, 127] (every tile mapping holds them). */
function gemm(seed: number, batch: number[], M: number, K: number, N: number): { g: NnGraph; inputs: Map<string, Tensor> } {
  const r = new Rng(seed);
  const b = new GraphBuilder();
  const shape = [...batch, M, K];
  const a = b.input('a', 'int8', shape);
  b.output(addMatMul(b, r, a, { quantized: true, aType: 'int8', bType: 'int8', yType: 'int8', K, N, bBatch: [], perColumn: false, symmetric: true }));
  const w = b.initializers.get('b0')!;
  b.initializers.set('b0', tensor('int8', [...w.shape], Array.from(w.data, (v) => Math.max(-127, v))));
  const n = shape.reduce((p, d) => p * d, 1);
  return { g: b.build(`gemm${seed}`), inputs: new Map([['a', tensor('int8', shape, randQ(r, 'int8', n))]]) };
}

function compileOk(g: NnGraph, p: PlatformGraph, target: string): AccelCompiled {
  const r = compileForAccelerators(g, p, { targets: new Map([['n0', target]]) });
  if (r.value === undefined) throw new Error(formatDiagnostics(r.diagnostics));
  expect(r.value.mapping.find((m) => m.node.includes("'n0'"))?.target).toBe(target);
  return r.value;
}

describe('analytic estimate: exact accelerator counts on small layers', () => {
  it('a PE-array GEMM (diana-like dacc, batch 2): MACs, register-file and buffer events, weight-memory reads as simulated', () => {
    const platform = cleanGraph('platforms/diana-like.yaml');
    const { g, inputs } = gemm(3, [2], 37, 40, 21);
    const c = compileOk(g, platform, 'dacc');
    const a = analyticEstimate(platform, c, catalog, { graph: g });
    const s = simulate(platform, c, inputs);
    expectExactEvents(a, s, 'pe-array');
    expect(a.activity.find((k) => k.path === 'dacc')!.energyEvents['mac']).toBe(2 * 37 * 40 * 21);
    expect(a.activity.find((k) => k.path === 'wmem')!.energyEvents).toEqual(s.events.get('wmem'));
    // without the graph: the MACs still (the shapes are not known, so no buffer events)
    const b = analyticEstimate(platform, c, catalog);
    expect(b.activity.find((k) => k.path === 'dacc')!.energyEvents['mac']).toBe(s.events.get('dacc')!['mac']);
  });

  it('an AIMC GEMM over row groups and column blocks (hermes-exact aimc0): MVM, conversion and programming events as simulated', () => {
    const platform = cleanGraph('platforms/hermes-exact.yaml');
    const { g, inputs } = gemm(5, [], 6, 300, 40);
    const c = compileOk(g, platform, 'aimc0');
    const A = c.mapping.find((m) => m.kind === 'aimc-tile')!.aimc!;
    expect(A.rowGroups).toBeGreaterThan(1);
    expect(A.colBlocks).toBeGreaterThan(1);
    const a = analyticEstimate(platform, c, catalog, { graph: g });
    const s = simulate(platform, c, inputs);
    expectExactEvents(a, s, 'aimc-tile');
    // MVMs: every vector's conversions, one per output unit and plane
    expect(a.activity.find((k) => k.path === 'aimc0')!.energyEvents['conversion']).toBe(s.events.get('aimc0')!['conversion']);
    const err = a.latencyPs / s.time - 1;
    console.log(`AIMC GEMM 6x300x40 on hermes-exact: ${A.rowGroups} row groups x ${A.colBlocks} column blocks, ${A.planes} planes, ${A.mvms} MVMs; latency ${pct(err)}`);
    expect(Math.abs(err)).toBeLessThan(0.15);
  });
});
