/**
 * ODiMO-style channel splits (src/compiler/accel.ts `splits`, ACCEL.md "Channel splits"): one dot
 * layer's output channels divided between diana-like's AIMC core (`aimc`, the first
 * round(f x Cout) channels, ternary weights) and its digital PE array (`dacc`, the rest, int8
 * weights), both writing the same output tensor, the two accelerators commanded so that they
 * compute at once. Random convolutions and matrix products with several fractions and ResNet-8
 * with two layers split are bit-exact with src/nn's evaluator; the mapping report shows both
 * parts; a split layer's simulated latency is below the slower of its two unsplit mappings;
 * diagnostics for bad fractions, nodes and platforms.
 */
import { describe, expect, it } from 'vitest';
import { type AccelCompileOptions, type AccelCompiled, type AccelMapping, compileForAccelerators } from '../../src/compiler/accel.js';
import { type NnGraph, type Tensor, evaluate, tensor } from '../../src/nn/index.js';
import type { PlatformGraph } from '../../src/platform/index.js';
import { instantiate, runCompiled } from '../../src/sim/index.js';
import { Rng, formatDiagnostics } from '../../src/util/index.js';
import { cleanGraph } from '../helpers/repo.js';
import { GraphBuilder, addConv, addMatMul, pick, randInt, randQ, randomConv, type ConvSpec } from './graphs.js';
import { values } from './helpers.js';
import { loadModel, readBytes } from '../nn/helpers.js';

const diana = cleanGraph('platforms/diana-like.yaml');

function compileOk(graph: NnGraph, p: PlatformGraph, opts: AccelCompileOptions): AccelCompiled {
  const r = compileForAccelerators(graph, p, opts);
  if (r.value === undefined) throw new Error(formatDiagnostics(r.diagnostics));
  expect(r.diagnostics, formatDiagnostics(r.diagnostics)).toEqual([]);
  return r.value;
}

/** Compiles, runs and checks every graph output against the evaluator; returns the mapping of `node` and the run's layer intervals. */
function exactRun(graph: NnGraph, p: PlatformGraph, inputs: Map<string, Tensor>, opts: AccelCompileOptions, node: string): { c: AccelCompiled; m: AccelMapping; ps: number } {
  const c = compileOk(graph, p, opts);
  const run = runCompiled(instantiate(p), c, inputs, { layers: true });
  const want = evaluate(graph, inputs);
  const m = c.mapping.find((x) => x.node.includes(`'${node}'`))!;
  for (const [name, t] of want) expect(values(run.outputs.get(name)), `${graph.name} ${name}\n${JSON.stringify(m, null, 1)}`).toEqual(values(t));
  const iv = run.layers!.find((x) => x.node === m.node)!;
  return { c, m, ps: iv.endPs - iv.startPs };
}

/**
 * Weights of initializer `name` (zero point(s) set to 0, int8): output channel m (`channelOf(i)`)
 * ternary when m < `ternary` (the AIMC part), else random int8 in [-lim, lim].
 */
function odimoWeights(b: GraphBuilder, r: Rng, name: string, ternary: number, channelOf: (i: number) => number, lim = 127): void {
  const t = b.initializers.get(name)!;
  b.initializers.set(name, tensor('int8', [...t.shape], Array.from({ length: t.data.length }, (_, i) => (channelOf(i) < ternary ? randInt(r, -1, 1) : randInt(r, -lim, lim)))));
  const zp = name.replace(/^(w|b)/, '$1zp');
  const z = b.initializers.get(zp)!;
  b.initializers.set(zp, tensor('int8', [...z.shape], new Array<number>(z.data.length).fill(0)));
}

interface Case {
  readonly g: NnGraph;
  readonly inputs: Map<string, Tensor>;
  readonly channels: number;
}

function splitConv(seed: number, f: number): Case {
  const r = new Rng(seed * 7717);
  const N = randInt(r, 1, 2);
  const C = pick(r, [1, 3, 4, 8]);
  const H = randInt(r, 4, 9);
  const W = randInt(r, 4, 9);
  let s: ConvSpec;
  do s = { ...randomConv(r, H, W, C, seed % 2 === 0), group: 1, dilations: [1, 1], wType: 'int8', symmetric: true, M: randInt(r, 2, 24) };
  while (Math.floor((H + s.pads[0] + s.pads[2] - s.kh) / s.strides[0]) < 0 || Math.floor((W + s.pads[1] + s.pads[3] - s.kw) / s.strides[1]) < 0);
  const b = new GraphBuilder();
  const x = b.input('x', s.xType, [N, C, H, W]);
  b.output(addConv(b, r, x, s));
  const K = C * s.kh * s.kw;
  odimoWeights(b, r, 'w0', Math.round(f * s.M), (i) => Math.floor(i / K));
  return { g: b.build(`split-conv${seed}`), inputs: new Map([['x', tensor(s.xType, [N, C, H, W], randQ(r, s.xType, N * C * H * W))]]), channels: s.M };
}

function splitMatMul(seed: number, f: number): Case {
  const r = new Rng(seed * 5171);
  const aType = pick(r, ['uint8', 'int8'] as const);
  const M = randInt(r, 1, 9);
  const K = pick(r, [3, 8, 17, 40, 100]);
  const N = randInt(r, 2, 40);
  const b = new GraphBuilder();
  const a = b.input('a', aType, [M, K]);
  b.output(addMatMul(b, r, a, { quantized: seed % 2 === 1, aType, bType: 'int8', yType: pick(r, ['uint8', 'int8']), K, N, bBatch: [], perColumn: r.int(2) === 1, symmetric: true }));
  odimoWeights(b, r, 'b0', Math.round(f * N), (i) => i % N);
  return { g: b.build(`split-mm${seed}`), inputs: new Map([['a', tensor(aType, [M, K], randQ(r, aType, M * K))]]), channels: N };
}

/** The split's report: kinds, targets, channel ranges as the fraction says, exactness. */
function checkReport(m: AccelMapping, f: number, channels: number): void {
  const na = Math.round(f * channels);
  if (na === 0 || na === channels) {
    expect(m.kind, m.reason).toBe(na === 0 ? 'pe-array' : 'aimc-tile');
    expect(m.target).toBe(na === 0 ? 'dacc' : 'aimc');
    expect(m.split).toBeUndefined();
    return;
  }
  expect(m.kind, m.reason).toBe('split');
  expect(m.target).toBe('dacc+aimc');
  const s = m.split!;
  expect(s.fraction).toBe(f);
  expect([s.aimc.target, s.aimc.kind, s.aimc.firstChannel, s.aimc.channels]).toEqual(['aimc', 'aimc-tile', 0, na]);
  expect([s.digital.target, s.digital.kind, s.digital.firstChannel, s.digital.channels]).toEqual(['dacc', 'pe-array', na, channels - na]);
  expect(s.aimc.macs + s.digital.macs).toBe(m.macs);
  expect(s.aimc.commands + s.digital.commands).toBe(m.commands);
  expect(s.aimc.exact && s.digital.exact && m.exact).toBe(true);
  expect(m.aimc!.tiles).toEqual(['aimc']);
  expect(m.reason).toContain(`${na} output channel(s)`);
}

const FRACTIONS = [0, 0.25, 0.5, 0.75, 1];

describe('channel splits on diana-like, bit-exact with the evaluator', () => {
  for (let seed = 1; seed <= 6; seed++) {
    it(`seed ${seed}: random ${seed % 2 === 0 ? 'QLinearConv' : 'ConvInteger'}, fractions ${FRACTIONS.join(', ')}`, () => {
      for (const f of FRACTIONS) {
        const k = splitConv(seed, f);
        const { m } = exactRun(k.g, diana, k.inputs, { splits: new Map([['n0', f]]) }, 'n0');
        checkReport(m, f, k.channels);
      }
    });
    it(`seed ${seed}: random ${seed % 2 === 1 ? 'QLinearMatMul' : 'MatMulInteger'}, fractions ${FRACTIONS.join(', ')}`, () => {
      for (const f of FRACTIONS) {
        const k = splitMatMul(seed, f);
        const { m } = exactRun(k.g, diana, k.inputs, { splits: new Map([['n0', f]]) }, 'n0');
        checkReport(m, f, k.channels);
      }
    });
  }

  it('the host issues each PE-array command, runs AIMC work, then drains the array (both compute at once); a batch of 2 interleaves twice', () => {
    let seed = 1;
    while (splitConv(seed, 0.5).inputs.get('x')!.shape[0] !== 2) seed++;
    const k = splitConv(seed, 0.5);
    const c = compileOk(k.g, diana, { splits: new Map([['n0', 0.5]]) });
    const m = c.mapping.find((x) => x.kind === 'split')!;
    const code = c.program.asm.split('\n').map((s) => s.trim());
    const at = (re: RegExp): number[] => code.flatMap((s, i) => (re.test(s) ? [i] : []));
    const issues = at(/^acc\.cmd t3, t1, t2, 0$/);
    const drains = at(/^acc\.drain 0$/);
    const aimc = at(/^acc\.cmd t3, t1, t2, 1$/);
    expect(at(/^acc\.wait t3, 0$/)).toEqual([]);
    expect(issues.length).toBe(m.split!.digital.commands);
    expect(issues.length).toBe(2);
    expect(drains.length).toBe(issues.length);
    expect(aimc.length).toBe(m.split!.aimc.commands);
    issues.forEach((i, n) => {
      expect(drains[n]!).toBeGreaterThan(i);
      expect(aimc.some((j) => j > i && j < drains[n]!), `AIMC commands between PE issue ${n} and its drain`).toBe(true);
    });
  });
});

describe('latency of a split (simulated)', () => {
  it('a 3x3 convolution 16 -> 64 channels on 16x16 pixels: the split at 0.5 is faster than the slower unsplit mapping', () => {
    const r = new Rng(2024);
    const b = new GraphBuilder();
    const [C, H, W, M] = [16, 16, 16, 64];
    const x = b.input('x', 'int8', [1, C, H, W]);
    const s: ConvSpec = {
      quantized: true, xType: 'int8', wType: 'int8', yType: 'int8', C, M, group: 1, kh: 3, kw: 3, strides: [1, 1], dilations: [1, 1], pads: [1, 1, 1, 1],
      perChannel: true, bias: true, tieScales: false, symmetric: true,
    };
    b.output(addConv(b, r, x, s));
    odimoWeights(b, r, 'w0', M, () => 0);
    const g = b.build('latency');
    const inputs = new Map([['x', tensor('int8', [1, C, H, W], randQ(r, 'int8', C * H * W))]]);
    const ms: Record<string, number> = {};
    const lines: string[] = [];
    for (const f of [0, 0.5, 1]) {
      const { m, ps } = exactRun(g, diana, inputs, { splits: new Map([['n0', f]]) }, 'n0');
      ms[String(f)] = ps;
      lines.push(`f = ${f}: ${m.kind} (${m.target}) ${(ps / 1e6).toFixed(3)} us, ${m.commands} commands, predicted ${m.predictedCycles} host cycles`);
    }
    console.log(`diana-like, QLinearConv 3x3 ${C}->${M} on ${H}x${W}, layer latency:\n  ${lines.join('\n  ')}`);
    expect(ms['0.5']!).toBeLessThan(Math.max(ms['0']!, ms['1']!));
  }, 60_000);
});

describe('diagnostics', () => {
  const k = splitConv(3, 0.5);
  const codes = (g: NnGraph, p: PlatformGraph, opts: AccelCompileOptions): string[] => compileForAccelerators(g, p, opts).diagnostics.filter((x) => x.severity === 'error').map((x) => x.code);
  it('a fraction outside [0, 1] (or not a number)', () => {
    for (const f of [-0.1, 1.5, Number.NaN]) {
      const r = compileForAccelerators(k.g, diana, { splits: new Map([['n0', f]]) });
      expect(r.value).toBeUndefined();
      expect(r.diagnostics.map((x) => x.code)).toEqual(['split-fraction']);
      expect(r.diagnostics[0]!.message).toContain("node 'n0'");
      expect(r.diagnostics[0]!.hint).toContain('[0, 1]');
    }
  });
  it('an unknown node, a node that is not a dot layer, a node both split and forced', () => {
    expect(codes(k.g, diana, { splits: new Map([['nope', 0.5]]) })).toEqual(['unknown-node']);
    const b = new GraphBuilder();
    const r = new Rng(5);
    const a = b.input('a', 'int8', [2, 8]);
    const y = addMatMul(b, r, a, { quantized: true, aType: 'int8', bType: 'int8', yType: 'int8', K: 8, N: 4, bBatch: [], perColumn: false, symmetric: true });
    b.output(b.node('Flatten', [y], { axis: { kind: 'int', value: 1 } }));
    const g = b.build('flat');
    const res = compileForAccelerators(g, diana, { splits: new Map([['n1', 0.5]]) });
    expect(res.diagnostics.map((x) => x.code)).toEqual(['split-not-dot']);
    expect(res.diagnostics[0]!.message).toContain("node 'n1'");
    expect(codes(k.g, diana, { splits: new Map([['n0', 0.5]]), targets: new Map([['n0', 'dacc']]) })).toEqual(['split-conflict']);
  });
  it('a platform without a PE array or without an AIMC tile', () => {
    for (const [file, missing] of [['platforms/eyeriss-like.yaml', 'no AIMC tile'], ['platforms/hermes-like.yaml', 'no PE array']] as const) {
      const r = compileForAccelerators(k.g, cleanGraph(file), { splits: new Map([['n0', 0.5]]) });
      expect(r.diagnostics.map((x) => x.code)).toEqual(['split-platform']);
      expect(r.diagnostics[0]!.message).toContain(missing);
      expect(r.diagnostics[0]!.message).toContain("node 'n0'");
    }
  });
  it('a part that cannot be placed: int8 weights on the ternary AIMC core, a grouped convolution', () => {
    const int8 = splitConv(3, 0);
    const r = compileForAccelerators(int8.g, diana, { splits: new Map([['n0', 0.5]]) });
    expect(r.diagnostics.map((x) => x.code)).toEqual(['split-unplaceable']);
    expect(r.diagnostics[0]!.message).toContain("node 'n0'");
    expect(r.diagnostics[0]!.message).toContain('ternary');
    expect(r.diagnostics[0]!.hint).toContain('fraction');
    const b = new GraphBuilder();
    const rng = new Rng(9);
    const x = b.input('x', 'int8', [1, 4, 5, 5]);
    b.output(addConv(b, rng, x, { ...randomConv(rng, 5, 5, 4, true), group: 2, M: 4, symmetric: true, wType: 'int8', dilations: [1, 1] }));
    odimoWeights(b, rng, 'w0', 4, () => 0);
    const grouped = compileForAccelerators(b.build('grouped'), diana, { splits: new Map([['n0', 0.5]]) });
    expect(grouped.diagnostics.map((x) => x.code)).toEqual(['split-unplaceable']);
    expect(grouped.diagnostics[0]!.message).toContain('grouped convolution');
  });
});

/** ResNet-8 with the first `fraction` of the output channels of `layers` made ternary (as ODiMO trains its AIMC channels): sign(w) above the channel's median magnitude, else 0. */
function resnet8(layers: RegExp, fraction: number): { graph: NnGraph; split: string[] } {
  const graph = loadModel('mlperf_tiny_resnet8_int8_qop.onnx');
  const nodes = graph.nodes.filter((n) => n.opType === 'QLinearConv' && layers.test(n.name));
  const inits = graph.initializers as Map<string, Tensor>;
  for (const n of nodes) {
    const w = inits.get(n.inputs[3]!)!;
    const [M] = w.shape as [number];
    const K = w.data.length / M;
    const data = Array.from(w.data);
    for (let m = 0; m < Math.round(fraction * M); m++) {
      const mags = data.slice(m * K, (m + 1) * K).map(Math.abs).sort((p, q) => p - q);
      const med = mags[Math.floor(K / 2)]!;
      for (let i = m * K; i < (m + 1) * K; i++) data[i] = Math.abs(data[i]!) > med ? Math.sign(data[i]!) : 0;
    }
    inits.set(n.inputs[3]!, tensor(w.dtype, [...w.shape], data));
  }
  return { graph, split: nodes.map((n) => n.name) };
}

describe('ResNet-8 (MLPerf Tiny int8) on diana-like with layers split', () => {
  it('conv_2d_8 (3x3/2, 32 -> 64) does not fit all on the AIMC core, but split at 0.5 it fits (the parts share the scratch unevenly)', () => {
    const { graph, split } = resnet8(/^conv_2d_8$/, 1);
    expect(split).toEqual(['conv_2d_8']);
    const all = compileForAccelerators(graph, diana, { splits: new Map([['conv_2d_8', 1]]) });
    expect(all.diagnostics.map((x) => x.code)).toEqual(['out-of-memory']);
    expect(all.diagnostics[0]!.message).toContain("node 'conv_2d_8'");
    const c = compileOk(graph, diana, { splits: new Map([['conv_2d_8', 0.5]]) });
    const m = c.mapping.find((x) => x.node.includes("'conv_2d_8'"))!;
    expect([m.kind, m.split!.aimc.channels, m.split!.digital.channels]).toEqual(['split', 32, 32]);
  }, 60_000);
  it('conv_2d_6 and conv_2d_10 (the 1x1 shortcuts): their first half of the channels ternary on the AIMC core, the rest on the PE array; outputs bit-exact on CIFAR sample 0', () => {
    const images = readBytes('data/cifar10_test500_images_u8.bin');
    const inputs = new Map<string, Tensor>([['input', tensor('int8', [1, 3, 32, 32], Array.from(images.subarray(0, 3072), (p) => p - 128))]]);
    const { graph, split } = resnet8(/^conv_2d_(6|10)$/, 0.5);
    expect(split.length).toBe(2);
    const splits = new Map(split.map((n) => [n, 0.5]));
    const c = compileOk(graph, diana, { splits });
    const run = runCompiled(instantiate(diana), c, inputs);
    const want = evaluate(graph, inputs);
    for (const [name, t] of want) expect(values(run.outputs.get(name)), name).toEqual(values(t));
    const ms = c.mapping.filter((m) => m.kind === 'split');
    expect(ms.length).toBe(2);
    for (const m of ms) {
      expect(m.exact).toBe(true);
      expect(m.split!.aimc.channels).toBe(m.split!.digital.channels);
      console.log(`${m.node}: ${m.reason}`);
    }
    expect(c.mapping.filter((m) => m.opType === 'QLinearConv' && m.kind === 'pe-array').length).toBe(8);
    console.log(`ResNet-8 on diana-like with 2 split layers: ${(run.time / 1e9).toFixed(3)} ms simulated`);
  }, 120_000);
});
