/**
 * Observability of a compiled network's run: layer intervals (runCompiled's `layers`, from the
 * cores' code profiles) ordered, disjoint across barriers and covering the run, with no effect on
 * the program's results or timing; the `layers` track; energy per sample window summing to the
 * energy report; per-bank scratchpad lanes matching known bank conflicts.
 */
import { describe, expect, it } from 'vitest';
import { tracePrices } from '../../src/cli/run-command.js';
import { compile, compileForAccelerators, type Compiled, type Tensor } from '../../src/compiler/index.js';
import { energyReport } from '../../src/energy/index.js';
import { assembleOrThrow } from '../../src/isa/index.js';
import { catalog, CoreSim } from '../../src/modules/index.js';
import { tensor } from '../../src/nn/index.js';
import type { PlatformGraph } from '../../src/platform/index.js';
import { instantiate, runCompiled, runReport, startProgram, type CompiledRun, type LayerInterval } from '../../src/sim/index.js';
import { TraceHub, energyWindows, formatVcd, perfettoTrace } from '../../src/trace/index.js';
import { formatDiagnostics, hasErrors } from '../../src/util/index.js';
import { cleanGraph } from '../helpers/repo.js';
import { loadModel, readBytes } from '../nn/helpers.js';

const images = readBytes('data/mnist_test1000_images_u8.bin');
const mnist = (i: number): Map<string, Tensor> =>
  new Map([['0', tensor('float32', [1, 1, 28, 28], Array.from(images.subarray(i * 784, (i + 1) * 784), (p) => Math.fround(p / 255)))]]);
const CYCLE = 4000; // pulp-cluster: 250 MHz

const bits = (r: CompiledRun): string => JSON.stringify([...r.outputs].map(([k, t]) => [k, Array.from(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength))]));

/** The layers are in program order, each non-empty, and none starts before the previous one ends. */
function checkOrdered(layers: readonly LayerInterval[], maxGapPs: number): void {
  for (let k = 0; k < layers.length; k++) {
    const l = layers[k]!;
    expect(l.endPs, l.node).toBeGreaterThan(l.startPs);
    if (k > 0) {
      const prev = layers[k - 1]!;
      expect(l.index).toBeGreaterThan(prev.index);
      expect(l.startPs, `${l.node} starts after ${prev.node} ends`).toBeGreaterThanOrEqual(prev.endPs);
      expect(l.startPs - prev.endPs, `gap before ${l.node}`).toBeLessThanOrEqual(maxGapPs);
    }
  }
}

describe('layer intervals of a compiled network', () => {
  const g = loadModel('qonnx_tfc_2w2a_mnist.qonnx.onnx');
  const pulp = cleanGraph('platforms/pulp-cluster.yaml');
  const r = compile(g, pulp);
  expect(hasErrors(r.diagnostics), formatDiagnostics(r.diagnostics)).toBe(false);
  const c: Compiled = r.value!;

  it('the compiled program records one code range per computed layer, in program order, inside the program', () => {
    const code = c.layerCode;
    expect(code.map((x) => x.node)).toEqual(c.layers.filter((l) => l.target !== 'alias').map((l) => l.node));
    const lo = c.program.origin;
    const hi = lo + 4 * c.program.words.length;
    code.forEach((x, k) => {
      expect(x.start).toBeGreaterThanOrEqual(lo);
      expect(x.end).toBeLessThanOrEqual(hi);
      expect(x.end).toBeGreaterThan(x.start);
      // the barrier between two layers: one instruction, in no range
      if (k > 0) expect(x.start - code[k - 1]!.end).toBe(4);
    });
  });

  it('pulp-cluster, 9 cores: ordered, separated by barriers only, covering the run; results, latency and activity unchanged', () => {
    const p0 = instantiate(pulp);
    const plain = runCompiled(p0, c, mnist(0));
    expect(plain.layers).toBeUndefined();
    const p1 = instantiate(pulp);
    const prof = runCompiled(p1, c, mnist(0), { layers: true });
    expect(bits(prof)).toBe(bits(plain));
    expect(prof.time).toBe(plain.time);
    expect(prof.cores).toEqual(plain.cores);
    expect(JSON.stringify(runReport(p1.sim, p1.modules.values(), p1.skipped))).toBe(JSON.stringify(runReport(p0.sim, p0.modules.values(), p0.skipped)));
    const layers = prof.layers!;
    expect(layers.map((l) => l.node)).toEqual(c.layerCode.map((x) => x.node));
    // between layers: the barrier (the last core's arrival to the first core past it), a few cycles
    checkOrdered(layers, 12 * CYCLE);
    // from the prologue to the epilogue (li a0, 0; ecall): a few cycles each
    expect(layers[0]!.startPs).toBeLessThanOrEqual(5 * CYCLE);
    expect(prof.time - layers[layers.length - 1]!.endPs).toBeLessThanOrEqual(5 * CYCLE);
    const sum = layers.reduce((a, l) => a + l.endPs - l.startPs, 0);
    expect(sum / prof.time).toBeGreaterThan(0.98);
    expect(sum).toBeLessThanOrEqual(prof.time);
  });

  it('one core (no barriers): the layers tile the run', () => {
    const one = compile(g, pulp, { cores: ['pe0'] }).value!;
    const run = runCompiled(instantiate(pulp), one, mnist(1), { layers: true });
    const layers = run.layers!;
    checkOrdered(layers, 0);
    for (let k = 1; k < layers.length; k++) expect(layers[k]!.startPs).toBe(layers[k - 1]!.endPs);
    expect(bits(run)).toBe(bits(runCompiled(instantiate(pulp), one, mnist(1))));
  });

  it('accelerator program (hermes-exact: every matrix product on AIMC tiles): one range per layer, ordered, results unchanged', () => {
    const h = cleanGraph('platforms/hermes-exact.yaml');
    const a = compileForAccelerators(g, h).value!;
    expect(a.layerCode.map((x) => x.node)).toEqual(a.mapping.filter((m) => m.kind !== 'alias').map((m) => m.node));
    expect(a.mapping.filter((m) => m.kind === 'aimc-tile')).toHaveLength(4);
    const on = runCompiled(instantiate(h), a, mnist(2), { layers: true });
    const off = runCompiled(instantiate(h), a, mnist(2));
    expect(bits(on)).toBe(bits(off));
    expect(on.time).toBe(off.time);
    checkOrdered(on.layers!, 0);
    const sum = on.layers!.reduce((s, l) => s + l.endPs - l.startPs, 0);
    expect(sum / on.time).toBeGreaterThan(0.98);
  });

  it('traced: a `layers` track (slices and the VCD integer `layer`), and energy per window summing to the energy report', () => {
    const hub = new TraceHub();
    const p = instantiate(pulp, { trace: hub });
    const run = runCompiled(p, c, mnist(0));
    hub.finish(p.sim.now);
    const layers = run.layers!;
    const f = perfettoTrace(hub, { processName: 'tfc' });
    const tid = f.traceEvents.find((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.['name'] === 'layers')!.tid;
    const slices = f.traceEvents.filter((e) => e.ph === 'X' && e.tid === tid);
    expect(slices.map((e) => e.name)).toEqual(layers.map((l) => l.node));
    expect(slices.map((e) => e.ts)).toEqual(layers.map((l) => l.startPs / 1e6));
    expect(formatVcd(hub)).toMatch(/\$scope module layers \$end\n\$var wire 1 \S+ busy \$end\n\$var integer 32 \S+ layer \$end/);

    const report = runReport(p.sim, p.modules.values(), p.skipped);
    const energy = energyReport(pulp, report.components, report.simulatedTimePs, catalog);
    const w = energyWindows(hub, tracePrices(energy));
    expect(w.starts.length).toBe(Math.ceil(p.sim.now / 1e6));
    const dyn = w.dynamicPj.reduce((a, b) => a + b, 0);
    const stat = w.staticPj.reduce((a, b) => a + b, 0);
    expect(dyn).toBeGreaterThan(0);
    expect(Math.abs(dyn - energy.dynamicPj) / energy.dynamicPj).toBeLessThan(1e-9);
    expect(Math.abs(stat - energy.staticPj) / Math.max(1, energy.staticPj)).toBeLessThan(1e-9);
    // the trace's counters: per window and cumulative, units in the names
    const withEnergy = perfettoTrace(hub, { energy: tracePrices(energy) });
    const cum = withEnergy.traceEvents.filter((e) => e.name === 'energy.dynamic cumulative [pJ]');
    expect(cum).toHaveLength(w.starts.length);
    expect(Math.abs((cum[cum.length - 1]!.args!['value'] as number) - energy.dynamicPj) / energy.dynamicPj).toBeLessThan(1e-9);
    expect(withEnergy.traceEvents.filter((e) => e.name === 'energy.dynamic [pJ per 1 us]')).toHaveLength(w.starts.length);
  });
});

describe('per-bank scratchpad lanes', () => {
  const L1 = 0x1000_0000;
  const L2 = 0x1c00_0000;
  const WORKERS = ['pe0', 'pe1', 'pe2', 'pe3', 'pe4', 'pe5', 'pe6', 'pe7'];
  /** Core h loads the word at L1 + (h << shift), then exits (see test/sim/contention.test.ts). */
  const oneLoad = (shift: number): string => `
        slli  t1, a0, ${shift}
        lui   t0, ${L1 >>> 12}
        add   t0, t0, t1
        lw    t2, 0(t0)
        li    a0, 0
        ecall
`;
  const run = (shift: number, g: PlatformGraph = cleanGraph('platforms/pulp-cluster.yaml')): { hub: TraceHub; exits: number[] } => {
    const hub = new TraceHub({ include: ['l1', 'pe*'] });
    const p = instantiate(g, { trace: hub });
    startProgram(p, WORKERS, assembleOrThrow(oneLoad(shift), { origin: L2 }, 'inline.s'));
    p.sim.run();
    hub.finish(p.sim.now);
    return { hub, exits: WORKERS.map((n) => p.get(n, CoreSim).exitTime! / CYCLE) };
  };
  const lane = (hub: TraceHub, b: number): readonly number[] => hub.recorder('l1')!.lanes.get(`bank${b}`)!.intervals();

  it('8 loads to bank 0 in cycle 3: bank 0 busy in cycles 3..10 (7 conflicts), the other banks idle', () => {
    const { hub, exits } = run(6);
    expect(exits).toEqual([6, 7, 8, 9, 10, 11, 12, 13]);
    expect(lane(hub, 0)).toEqual([3 * CYCLE, 11 * CYCLE]);
    for (let b = 1; b < 16; b++) expect(lane(hub, b), `bank${b}`).toEqual([]);
    // VCD wire and Perfetto counter per bank
    expect(formatVcd(hub)).toContain(' bank15 $end');
    const f = perfettoTrace(hub);
    expect(f.traceEvents.filter((e) => e.name === 'l1.bank0.busy_fraction').map((e) => e.args!['value'])).toEqual([(8 * CYCLE) / 1e6, 0]);
    expect(f.traceEvents.some((e) => e.name === 'l1.bank1.busy_fraction')).toBe(false);
  });

  it('8 loads to banks 0..7 in cycle 3: each of them busy in cycle 3 only, no conflict', () => {
    const { hub, exits } = run(2);
    expect(exits).toEqual(Array(8).fill(6));
    for (let b = 0; b < 8; b++) expect(lane(hub, b), `bank${b}`).toEqual([3 * CYCLE, 4 * CYCLE]);
    for (let b = 8; b < 16; b++) expect(lane(hub, b), `bank${b}`).toEqual([]);
  });
});
