/**
 * Accelerator targets (src/compiler/accel.ts): random QLinearMatMul / MatMulInteger / QLinearConv /
 * ConvInteger graphs compiled with compileForAccelerators for diana-like (int8 PE array `dacc`,
 * ternary AIMC `aimc`), eyeriss-like (int16 PE array) and hermes-like (AIMC tiles), simulated with
 * runCompiled: outputs bit-exact with src/nn's evaluator wherever the mapping report says exact;
 * an inexact forced AIMC mapping equals the tile model's saturating result; forced targets and
 * diagnostics.
 */
import { describe, expect, it } from 'vitest';
import { type AccelCompileOptions, type AccelCompiled, compileForAccelerators } from '../../src/compiler/accel.js';
import { aimcParamsOf, aimcUnitRange, aimcGeometry } from '../../src/compiler/accel-aimc.js';
import { type NnGraph, type Tensor, evaluate, tensor } from '../../src/nn/index.js';
import type { PlatformGraph } from '../../src/platform/index.js';
import { aimcConfigFromParams } from '../../src/modules/aimc-tile/def.js';
import { aimcColumnRange, aimcMvm, programTile } from '../../src/modules/aimc-tile/model.js';
import { instantiate, runCompiled } from '../../src/sim/index.js';
import { Rng, formatDiagnostics } from '../../src/util/index.js';
import { cleanGraph, loadRepoPlatform, readRepoFile } from '../helpers/repo.js';
import { GraphBuilder, addConv, addMatMul, pick, randInt, randQ, randomConv, type ConvSpec } from './graphs.js';
import { values } from './helpers.js';
import { loadModel, readBytes } from '../nn/helpers.js';

const F_EXT = ', extensions: [Xedma, Xesimd, Xesync, Xeacc, F]';
/** A shipped platform (its host core has the F extension). */
function withF(file: string): PlatformGraph {
  expect(readRepoFile(file)).toContain(F_EXT);
  return cleanGraph(file);
}
/** A shipped platform with the F extension removed from its host core. */
function withoutF(file: string): PlatformGraph {
  const text = readRepoFile(file)!.replace(F_EXT, '');
  expect(text).not.toContain(', F]');
  const r = loadRepoPlatform(file, text);
  expect(r.diagnostics).toEqual([]);
  return r.graph!;
}
const diana = withF('platforms/diana-like.yaml');
const eyeriss = withF('platforms/eyeriss-like.yaml');
const hermes = withF('platforms/hermes-like.yaml');

function compileOk(graph: NnGraph, p: PlatformGraph, opts: AccelCompileOptions = {}): AccelCompiled {
  const r = compileForAccelerators(graph, p, opts);
  if (r.value === undefined) throw new Error(formatDiagnostics(r.diagnostics));
  return r.value;
}

function run(graph: NnGraph, p: PlatformGraph, inputs: Map<string, Tensor>, opts: AccelCompileOptions = {}): { c: AccelCompiled; out: Map<string, Tensor> } {
  const c = compileOk(graph, p, opts);
  const r = runCompiled(instantiate(p), c, inputs);
  return { c, out: r.outputs };
}

function exact(graph: NnGraph, p: PlatformGraph, inputs: Map<string, Tensor>, targets: Record<string, string>, opts: AccelCompileOptions = {}): AccelCompiled {
  const { c, out } = run(graph, p, inputs, opts);
  for (const [node, t] of Object.entries(targets)) expect(c.mapping.find((m) => m.node.includes(`'${node}'`))?.target, `${graph.name}: ${node}\n${JSON.stringify(c.mapping, null, 1)}`).toBe(t);
  for (const m of c.mapping) expect(m.exact).toBe(true);
  expect(c.program.asm.includes('acc.cmd')).toBe(c.mapping.some((m) => m.kind === 'pe-array' || m.kind === 'aimc-tile'));
  const want = evaluate(graph, inputs);
  for (const [name, t] of want) expect(values(out.get(name)), `${graph.name} ${name}`).toEqual(values(t));
  return c;
}

/** Zero points that centre the weights into int8 (0 for int8, 128 for uint8). */
function symmetric(b: GraphBuilder): void {
  for (const [k, t] of b.initializers) {
    if (/^(wzp|bzp)\d+$/.test(k)) b.initializers.set(k, tensor(t.dtype, [...t.shape], new Array<number>(t.data.length).fill(t.dtype === 'uint8' ? 128 : 0)));
  }
}

function randomMatMul(seed: number, quantized: boolean, sym: boolean, batch: boolean): { g: NnGraph; inputs: Map<string, Tensor> } {
  const r = new Rng(seed * 104729);
  const aType = pick(r, ['uint8', 'int8'] as const);
  const aBatch = batch ? pick(r, [[2], [1], [2, 2]]) : [];
  const bBatch = aBatch.length === 0 ? [] : pick(r, [[], [2], aBatch]);
  const M = randInt(r, 1, 6);
  const K = pick(r, [1, 3, 8, 17, 40]);
  const N = randInt(r, 1, 11);
  const b = new GraphBuilder();
  const shape = [...aBatch, M, K];
  const a = b.input('a', aType, shape);
  b.output(addMatMul(b, r, a, { quantized, aType, bType: pick(r, ['uint8', 'int8']), yType: pick(r, ['uint8', 'int8']), K, N, bBatch, perColumn: r.int(2) === 1 }));
  if (sym) symmetric(b);
  const n = shape.reduce((p, d) => p * d, 1);
  return { g: b.build(`mm${seed}`), inputs: new Map([['a', tensor(aType, shape, randQ(r, aType, n))]]) };
}

function randomConvGraph(seed: number, quantized: boolean, sym: boolean): { g: NnGraph; inputs: Map<string, Tensor> } {
  const r = new Rng(seed * 7919);
  const N = randInt(r, 1, 2);
  const C = pick(r, [1, 2, 3, 4]);
  const H = randInt(r, 3, 8);
  const W = randInt(r, 3, 8);
  let s: ConvSpec;
  do s = { ...randomConv(r, H, W, C, quantized), group: 1, dilations: [1, 1] };
  while (Math.floor((H + s.pads[0] + s.pads[2] - s.kh) / s.strides[0]) < 0 || Math.floor((W + s.pads[1] + s.pads[3] - s.kw) / s.strides[1]) < 0);
  const b = new GraphBuilder();
  const x = b.input('x', s.xType, [N, C, H, W]);
  b.output(addConv(b, r, x, s));
  if (sym) symmetric(b);
  return { g: b.build(`conv${seed}`), inputs: new Map([['x', tensor(s.xType, [N, C, H, W], randQ(r, s.xType, N * C * H * W))]]) };
}

describe('PE array targets, bit-exact', () => {
  for (let seed = 1; seed <= 12; seed++) {
    const q = seed % 2 === 0;
    it(`diana-like dacc (int8): seed ${seed} ${q ? 'QLinearMatMul' : 'MatMulInteger'}`, () => {
      const { g, inputs } = randomMatMul(seed, q, true, seed > 6);
      const c = exact(g, diana, inputs, { n0: 'dacc' });
      expect(c.mapping[0]!.commands).toBeGreaterThan(0);
      expect(c.images.some((i) => i.memory === 'wmem' && i.what.startsWith('weights'))).toBe(true);
    });
    it(`diana-like dacc (int8): seed ${seed} ${q ? 'QLinearConv' : 'ConvInteger'}`, () => {
      const { g, inputs } = randomConvGraph(seed, q, true);
      exact(g, diana, inputs, { n0: 'dacc' });
    });
    it(`eyeriss-like pes (int16): seed ${seed} ${q ? 'QLinearMatMul' : 'MatMulInteger'} with any zero points`, () => {
      const { g, inputs } = randomMatMul(seed + 100, q, false, seed > 6);
      exact(g, eyeriss, inputs, { n0: 'pes' });
    });
    it(`eyeriss-like pes (int16): seed ${seed} ${q ? 'QLinearConv' : 'ConvInteger'} with any zero points`, () => {
      const { g, inputs } = randomConvGraph(seed + 100, q, false);
      exact(g, eyeriss, inputs, { n0: 'pes' });
    });
  }

  it('a network mixing cores and the PE array: grouped conv (cores) -> Flatten -> QLinearMatMul (dacc) -> QLinearMatMul (forced to cores)', () => {
    const r = new Rng(42);
    const b = new GraphBuilder();
    const x = b.input('x', 'uint8', [1, 4, 6, 6]);
    const s1: ConvSpec = { ...randomConv(r, 6, 6, 4, true), group: 2, M: 4, xType: 'uint8', yType: 'int8' };
    const y1 = addConv(b, r, x, s1);
    const oh = Math.floor((6 + s1.pads[0] + s1.pads[2] - ((s1.kh - 1) * s1.dilations[0] + 1)) / s1.strides[0]) + 1;
    const ow = Math.floor((6 + s1.pads[1] + s1.pads[3] - ((s1.kw - 1) * s1.dilations[1] + 1)) / s1.strides[1]) + 1;
    const flat = b.node('Flatten', [y1], { axis: { kind: 'int', value: 1 } });
    const y2 = addMatMul(b, r, flat, { quantized: true, aType: 'int8', bType: 'int8', yType: 'uint8', K: 4 * oh * ow, N: 7, bBatch: [], perColumn: true, symmetric: true });
    const y3 = addMatMul(b, r, y2, { quantized: true, aType: 'uint8', bType: 'uint8', yType: 'int8', K: 7, N: 5, bBatch: [], perColumn: false, symmetric: true });
    b.output(y1);
    b.output(y3);
    symmetric(b);
    const g = b.build('mixed');
    const inputs = new Map([['x', tensor('uint8', [1, 4, 6, 6], randQ(r, 'uint8', 144))]]);
    const c = exact(g, diana, inputs, { n0: 'cores', n2: 'dacc', n3: 'cores' }, { targets: new Map([['n3', 'cores']]) });
    expect(c.mapping.find((m) => m.node.includes("'n3'"))!.reason).toBe('forced to the cores');
    expect(c.mapping.find((m) => m.node.includes("'n0'"))!.reason).toMatch(/dacc: (grouped convolution|dilations)/);
  });
});

describe('random networks with default targets: QLinearConv -> QLinearConv -> Flatten -> QLinearMatMul', () => {
  for (let seed = 1; seed <= 8; seed++) {
    const p = seed % 2 === 0 ? { name: 'eyeriss-like', g: eyeriss } : { name: 'diana-like', g: diana };
    it(`${p.name} seed ${seed}: every output, the first also read from its (possibly padded) buffer`, () => {
      const r = new Rng(seed * 15485863);
      const C = pick(r, [1, 2, 3]);
      const H = randInt(r, 5, 9);
      const W = randInt(r, 5, 9);
      const b = new GraphBuilder();
      const s1 = { ...randomConv(r, H, W, C, true), dilations: [1, 1] as [number, number], group: 1 };
      const x = b.input('x', s1.xType, [1, C, H, W]);
      const y1 = addConv(b, r, x, s1);
      const oh = Math.floor((H + s1.pads[0] + s1.pads[2] - s1.kh) / s1.strides[0]) + 1;
      const ow = Math.floor((W + s1.pads[1] + s1.pads[3] - s1.kw) / s1.strides[1]) + 1;
      const s2 = { ...randomConv(r, oh, ow, s1.M, true), xType: s1.yType };
      const y2 = addConv(b, r, y1, s2);
      const oh2 = Math.floor((oh + s2.pads[0] + s2.pads[2] - ((s2.kh - 1) * s2.dilations[0] + 1)) / s2.strides[0]) + 1;
      const ow2 = Math.floor((ow + s2.pads[1] + s2.pads[3] - ((s2.kw - 1) * s2.dilations[1] + 1)) / s2.strides[1]) + 1;
      const flat = b.node('Flatten', [y2], { axis: { kind: 'int', value: 1 } });
      const y3 = addMatMul(b, r, flat, { quantized: true, aType: s2.yType, bType: pick(r, ['uint8', 'int8']), yType: pick(r, ['uint8', 'int8']), K: s2.M * oh2 * ow2, N: randInt(r, 2, 10), bBatch: [], perColumn: r.int(2) === 1 });
      b.output(y1);
      b.output(y3);
      if (seed % 4 === 1) symmetric(b);
      const g = b.build(`net${seed}`);
      const c = exact(g, p.g, new Map([['x', tensor(s1.xType, [1, C, H, W], randQ(r, s1.xType, C * H * W))]]), {});
      if (p.name === 'eyeriss-like') expect(c.mapping.find((m) => m.node.includes("'n0'"))!.target).toBe('pes');
      if (seed % 4 === 1) expect(c.mapping.filter((m) => m.target === 'dacc').length).toBeGreaterThanOrEqual(2);
    });
  }
});

describe('bands: results larger than the scratch memory are computed a band of output rows at a time', () => {
  it('eyeriss-like: a 2000x24 x 24x14 QLinearMatMul (int32 results 112 KB > the 108 KB glb) and a 16x40x40-output conv', () => {
    const r = new Rng(2024);
    const b = new GraphBuilder();
    const a = b.input('a', 'uint8', [2000, 24]);
    b.output(addMatMul(b, r, a, { quantized: true, aType: 'uint8', bType: 'uint8', yType: 'int8', K: 24, N: 14, bBatch: [], perColumn: true }));
    const x = b.input('x', 'int8', [1, 3, 40, 40]);
    b.output(addConv(b, r, x, { ...randomConv(r, 40, 40, 3, true), group: 1, M: 16, kh: 3, kw: 3, strides: [1, 1], dilations: [1, 1], pads: [1, 1, 1, 1], xType: 'int8' }));
    const g = b.build('bands');
    const c = exact(g, eyeriss, new Map([['a', tensor('uint8', [2000, 24], randQ(r, 'uint8', 48000))], ['x', tensor('int8', [1, 3, 40, 40], randQ(r, 'int8', 4800))]]), { n0: 'pes', n1: 'pes' });
    expect(c.mapping[0]!.commands).toBeGreaterThan(1);
    expect(c.mapping[1]!.commands).toBeGreaterThan(1);
  }, 60000);
});

describe('AIMC targets', () => {
  it('the compiler\'s column range agrees with the tile model (aimcColumnRange) over the full input range', () => {
    const r = new Rng(5);
    const base = cleanGraph('platforms/hermes-like.yaml').instances['aimc0']!.params;
    const variants: Record<string, unknown>[] = [
      {}, { subtraction: 'digital' }, { cellBits: 3 }, { cellBits: 2, subtraction: 'digital' }, { mapping: 'offset', cellBits: 4 },
      { mapping: 'ternary', inputBits: 7 }, { inputSigned: false },
    ];
    for (const v of variants) {
      const params = { ...base, ...v };
      const c = aimcParamsOf(params);
      const g = aimcGeometry(c);
      const K = randInt(r, 1, 20);
      const N = randInt(r, 1, 6);
      const w = Array.from({ length: K * N }, () => randInt(r, g.minWeight, g.maxWeight));
      const cfg = aimcConfigFromParams(params as never);
      const want = aimcColumnRange(cfg, programTile(cfg, w, K, N));
      expect(aimcUnitRange(c, w, K, N, g.minInput, g.maxInput), JSON.stringify(v)).toEqual({ min: want.min, max: want.max });
    }
  });

  for (let seed = 1; seed <= 6; seed++) {
    const q = seed % 2 === 0;
    it(`hermes-like, exact: seed ${seed} ${q ? 'QLinearMatMul' : 'MatMulInteger'} with small weights (digit-sliced inputs)`, () => {
      const r = new Rng(seed * 31);
      const aType = pick(r, ['uint8', 'int8'] as const);
      const M = randInt(r, 1, 5);
      const K = randInt(r, 2, 12);
      const N = randInt(r, 1, 9);
      const b = new GraphBuilder();
      const a = b.input('a', aType, [M, K]);
      b.output(addMatMul(b, r, a, { quantized: q, aType, bType: 'int8', yType: pick(r, ['uint8', 'int8']), K, N, bBatch: [], perColumn: false, symmetric: true }));
      b.initializers.set('b0', tensor('int8', [K, N], Array.from({ length: K * N }, () => randInt(r, -3, 3))));
      const g = b.build(`aimc${seed}`);
      const c = exact(g, hermes, new Map([['a', tensor(aType, [M, K], randQ(r, aType, M * K))]]), { n0: 'aimc0' });
      expect(c.mapping[0]!.aimc!.planes).toBeGreaterThan(1);
      expect(c.mapping[0]!.errorBound).toBe(0);
    });
  }

  it('hermes-like: 1x1 QLinearConv with small weights on a tile, two layers on two tiles', () => {
    const r = new Rng(77);
    const b = new GraphBuilder();
    const x = b.input('x', 'int8', [1, 5, 4, 3]);
    const s: ConvSpec = { ...randomConv(r, 4, 3, 5, true), group: 1, M: 6, kh: 1, kw: 1, pads: [0, 0, 0, 0], strides: [1, 2], dilations: [1, 1], xType: 'int8', wType: 'int8', yType: 'int8' };
    const y = addConv(b, r, x, s);
    symmetric(b);
    b.initializers.set('w0', tensor('int8', [6, 5, 1, 1], Array.from({ length: 30 }, () => randInt(r, -2, 2))));
    const oh = 4;
    const ow = 2;
    const flat = b.node('Flatten', [y], { axis: { kind: 'int', value: 1 } });
    const y2 = addMatMul(b, r, flat, { quantized: true, aType: 'int8', bType: 'int8', yType: 'int8', K: 6 * oh * ow, N: 3, bBatch: [], perColumn: false, symmetric: true });
    b.initializers.set('b2', tensor('int8', [48, 3], Array.from({ length: 144 }, () => randInt(r, -1, 1))));
    b.output(y2);
    exact(b.build('aimc-conv'), hermes, new Map([['x', tensor('int8', [1, 5, 4, 3], randQ(r, 'int8', 60))]]), { n0: 'aimc0', n2: 'aimc1' });
  });

  it('diana-like: ternary weights go to the AIMC core, other int8 weights to the PE array', () => {
    const r = new Rng(8);
    const b = new GraphBuilder();
    const a = b.input('a', 'int8', [3, 16]);
    const y1 = addMatMul(b, r, a, { quantized: true, aType: 'int8', bType: 'int8', yType: 'int8', K: 16, N: 8, bBatch: [], perColumn: true, symmetric: true });
    b.initializers.set('b0', tensor('int8', [16, 8], Array.from({ length: 128 }, () => randInt(r, -1, 1))));
    const y2 = addMatMul(b, r, y1, { quantized: true, aType: 'int8', bType: 'int8', yType: 'int8', K: 8, N: 4, bBatch: [], perColumn: false, symmetric: true });
    b.output(y2);
    const c = exact(b.build('diana-mix'), diana, new Map([['a', tensor('int8', [3, 16], randQ(r, 'int8', 48))]]), { n0: 'aimc', n1: 'dacc' });
    expect(c.mapping[0]!.kind).toBe('aimc-tile');
  });

  it('hermes-like: large weights are not exact, so the default keeps the layer on the cores; forced, it saturates as the tile model computes', () => {
    const r = new Rng(99);
    const M = 4;
    const K = 16;
    const N = 5;
    const b = new GraphBuilder();
    const a = b.input('a', 'int8', [M, K]);
    b.output(addMatMul(b, r, a, { quantized: false, aType: 'int8', bType: 'int8', yType: 'int8', K, N, bBatch: [], perColumn: false, symmetric: true }));
    const w = Array.from({ length: K * N }, () => randInt(r, -127, 127));
    b.initializers.set('b0', tensor('int8', [K, N], w));
    const g = b.build('inexact');
    const inputs = new Map([['a', tensor('int8', [M, K], randQ(r, 'int8', M * K))]]);
    // default: cores (no PE array on hermes), exact
    const d = exact(g, hermes, inputs, { n0: 'cores' });
    expect(d.mapping[0]!.reason).toContain('not exact');
    // forced: a warning, the report's bound, and the tile model's saturating result
    const res = compileForAccelerators(g, hermes, { targets: new Map([['n0', 'aimc2']]) });
    expect(res.diagnostics.map((x) => `${x.severity}:${x.code}`)).toEqual(['warning:aimc-inexact']);
    const c = res.value!;
    const m = c.mapping[0]!;
    expect(m.exact).toBe(false);
    expect(m.errorBound).toBeGreaterThan(0);
    const out = runCompiled(instantiate(hermes), c, inputs).outputs.get(g.outputs[0]!.name)!;
    const ref = evaluate(g, inputs).get(g.outputs[0]!.name)!;
    const cfg = aimcConfigFromParams(hermes.instances['aimc2']!.params as never);
    const st = programTile(cfg, w, K, N);
    const az = (g.initializers.get('azp0')!.data[0]!);
    const { sliceBits: s, planes, inputOffset } = m.aimc!;
    expect(inputOffset).toBe(az);
    const model: number[] = [];
    for (let i = 0; i < M; i++) {
      const v = Array.from({ length: K }, (_, k) => inputs.get('a')!.data[i * K + k]! - inputOffset);
      const acc = new Array<number>(N).fill(0);
      for (let p = 0; p < planes; p++) {
        const digits = v.map((x) => (p === planes - 1 ? x >> (s * p) : (x >> (s * p)) & (2 ** s - 1)));
        const y = aimcMvm(st, digits).out;
        for (let j = 0; j < N; j++) acc[j]! += 2 ** (s * p) * y[j]!;
      }
      model.push(...acc.map((x) => x | 0));
    }
    expect(Array.from(out.data)).toEqual(model);
    expect(Array.from(out.data)).not.toEqual(Array.from(ref.data));
    for (let i = 0; i < model.length; i++) expect(Math.abs(out.data[i]! - ref.data[i]!)).toBeLessThanOrEqual(m.errorBound);
  });
});

describe('forced targets and diagnostics', () => {
  const { g, inputs } = randomMatMul(3, true, true, false);
  it('forcing a PE-array layer to the cores keeps it exact', () => {
    exact(g, diana, inputs, { n0: 'cores' }, { targets: new Map([['n0', 'cores']]) });
  });
  it('a layer the array cannot run, forced to it, is an error naming the reason', () => {
    const wide = randomMatMul(3, true, false, false);
    const inits = wide.g.initializers as Map<string, Tensor>;
    const b0 = inits.get('b0')!;
    inits.set('bzp0', tensor(b0.dtype, [], [b0.dtype === 'int8' ? -100 : 0]));
    inits.set('b0', tensor(b0.dtype, [...b0.shape], new Array<number>(b0.data.length).fill(b0.dtype === 'int8' ? 100 : 255)));
    const r = compileForAccelerators(wide.g, diana, { targets: new Map([['n0', 'dacc']]) });
    expect(r.value).toBeUndefined();
    expect(r.diagnostics.map((x) => x.code)).toEqual(['unsupported-target']);
    expect(r.diagnostics[0]!.message).toContain('do not fit int8');
    // by default it stays on the cores, exactly
    exact(wide.g, diana, wide.inputs, { n0: 'cores' });
  });
  it('unknown nodes and targets', () => {
    const r = compileForAccelerators(g, diana, { targets: new Map([['nope', 'dacc'], ['n0', 'pes']]) });
    expect(r.diagnostics.map((x) => x.code).sort()).toEqual(['unknown-node', 'unknown-target']);
  });
  it('requantizing layers need F on the host; int32 layers run without it', () => {
    const plain = withoutF('platforms/diana-like.yaml');
    const r = compileForAccelerators(g, plain);
    expect(r.diagnostics.map((x) => x.code)).toEqual(['missing-extension']);
    expect(r.diagnostics[0]!.message).toContain('after the accelerator');
    const i32 = randomMatMul(5, false, true, false);
    exact(i32.g, plain, i32.inputs, { n0: 'dacc' });
  });
  it('a target must be an accelerator the host commands (pulp-cluster has none)', () => {
    const r = compileForAccelerators(g, cleanGraph('platforms/pulp-cluster.yaml'), { targets: new Map([['n0', 'x']]) });
    expect(r.diagnostics.map((x) => x.code)).toEqual(['unknown-target']);
  });
});

describe('ResNet-8 (MLPerf Tiny int8 QOperator) on diana-like', () => {
  it('every convolution and the FC on the PE array, the float side on the host: outputs bit-exact on CIFAR sample 0', () => {
    const graph = loadModel('mlperf_tiny_resnet8_int8_qop.onnx');
    const images = readBytes('data/cifar10_test500_images_u8.bin');
    const inputs = new Map<string, Tensor>([['input', tensor('int8', [1, 3, 32, 32], Array.from(images.subarray(0, 3072), (p) => p - 128))]]);
    const c = exact(graph, diana, inputs, {});
    const convs = c.mapping.filter((m) => m.opType === 'QLinearConv');
    expect(convs.length).toBe(10);
    for (const m of convs) expect(m.target, m.reason).toBe('dacc');
  }, 60000);
});
