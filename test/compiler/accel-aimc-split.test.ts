/**
 * AIMC tiles beyond one 1x1 block (src/compiler/accel.ts, accel-aimc.ts; ACCEL.md "AIMC blocks"):
 * k x k convolutions (pads, strides, dilations; grouped and depthwise as block-diagonal matrices)
 * through the host's im2col, layers split into row groups and column blocks over several tiles
 * (reprogrammed when there are more blocks than tiles), the active-row bound that keeps every ADC
 * conversion exact, integer MatMul layers with K > rows (TFC-like ternary layers), all bit-exact
 * with src/nn's evaluator; a forced inexact split equal to the tile model (programTile + aimcMvm
 * per block and plane, summed); and ResNet-8 entirely on hermes-exact's tiles, bit-exact with
 * onnxruntime's stored outputs and intermediates on CIFAR-10 images 0 and 1.
 */
import { describe, expect, it } from 'vitest';
import { type AccelCompileOptions, type AccelCompiled, type AccelMapping, compileForAccelerators } from '../../src/compiler/accel.js';
import { aimcParamsOf, planAimcBlocks } from '../../src/compiler/accel-aimc.js';
import { aimcConfigFromParams } from '../../src/modules/aimc-tile/def.js';
import { aimcMvm, programTile } from '../../src/modules/aimc-tile/model.js';
import { type NnGraph, type Tensor, evaluate, tensor } from '../../src/nn/index.js';
import type { PlatformGraph } from '../../src/platform/index.js';
import { instantiate, readCompiledTensor, runCompiled } from '../../src/sim/index.js';
import { Rng, formatDiagnostics } from '../../src/util/index.js';
import { cleanGraph } from '../helpers/repo.js';
import { GraphBuilder, addConv, addMatMul, pick, randInt, randQ, randomConv, type ConvSpec } from './graphs.js';
import { values } from './helpers.js';
import { loadModel, readBytes, readJson } from '../nn/helpers.js';

const hermes = cleanGraph('platforms/hermes-like.yaml');
const exactP = cleanGraph('platforms/hermes-exact.yaml');

function compileOk(graph: NnGraph, p: PlatformGraph, opts: AccelCompileOptions = {}): AccelCompiled {
  const r = compileForAccelerators(graph, p, opts);
  if (r.value === undefined) throw new Error(formatDiagnostics(r.diagnostics));
  return r.value;
}

/** Compiles, runs, checks every output against the evaluator; returns the first layer's mapping. */
function exactRun(graph: NnGraph, p: PlatformGraph, inputs: Map<string, Tensor>, opts: AccelCompileOptions = {}): { c: AccelCompiled; m: AccelMapping } {
  const c = compileOk(graph, p, opts);
  const out = runCompiled(instantiate(p), c, inputs).outputs;
  const want = evaluate(graph, inputs);
  for (const [name, t] of want) expect(values(out.get(name)), `${graph.name} ${name}\n${JSON.stringify(c.mapping, null, 1)}`).toEqual(values(t));
  for (const m of c.mapping) expect(m.exact).toBe(true);
  return { c, m: c.mapping.find((m) => m.kind !== 'alias')! };
}

/** Random centred int8 weights in [-lim, lim] for initializer `name` (zero points set to 0). */
function weights(b: GraphBuilder, r: Rng, name: string, lim: number): void {
  const t = b.initializers.get(name)!;
  b.initializers.set(name, tensor('int8', [...t.shape], Array.from({ length: t.data.length }, () => randInt(r, -lim, lim))));
  const zp = name.replace(/^(w|b)/, '$1zp');
  const z = b.initializers.get(zp);
  if (z !== undefined) b.initializers.set(zp, tensor('int8', [...z.shape], new Array<number>(z.data.length).fill(0)));
}

describe('k x k convolutions on AIMC tiles (im2col on the host)', () => {
  for (let seed = 1; seed <= 10; seed++) {
    const q = seed % 2 === 0;
    it(`seed ${seed}: ${q ? 'QLinearConv' : 'ConvInteger'} with random pads, strides and dilations: ${seed <= 6 ? 'hermes-exact, full int8 weights' : 'hermes-like, small weights'}`, () => {
      const r = new Rng(seed * 6151);
      const C = pick(r, [1, 2, 3, 5, 8]);
      const H = randInt(r, 4, 9);
      const W = randInt(r, 4, 9);
      const N = randInt(r, 1, 2);
      let s: ConvSpec;
      do s = { ...randomConv(r, H, W, C, q), group: 1, symmetric: true, wType: 'int8' };
      while (s.kh * s.kw === 1 && seed % 3 !== 0);
      const b = new GraphBuilder();
      const x = b.input('x', s.xType, [N, C, H, W]);
      b.output(addConv(b, r, x, s));
      weights(b, r, 'w0', seed <= 6 ? 127 : 2);
      const g = b.build(`kxk${seed}`);
      const p = seed <= 6 ? exactP : hermes;
      const { m } = exactRun(g, p, new Map([['x', tensor(s.xType, [N, C, H, W], randQ(r, s.xType, N * C * H * W))]]));
      expect(m.kind, m.reason).toBe('aimc-tile');
      expect(m.aimc!.rowsPerMvm).toBe(C * s.kh * s.kw);
      expect(m.aimc!.mvms).toBe(N * m.aimc!.planes * m.aimc!.blocks * (m.macs / (N * C * s.kh * s.kw * s.M)));
    });
  }
});

describe('grouped and depthwise convolutions on AIMC tiles (one block-diagonal matrix)', () => {
  for (let seed = 1; seed <= 4; seed++) {
    const depthwise = seed % 2 === 0;
    it(`seed ${seed}: ${depthwise ? 'depthwise' : 'group 2'} QLinearConv on hermes-exact`, () => {
      const r = new Rng(seed * 7717);
      const C = depthwise ? pick(r, [3, 8]) : pick(r, [2, 4, 6]);
      const group = depthwise ? C : 2;
      const H = randInt(r, 4, 8);
      const W = randInt(r, 4, 8);
      let s: ConvSpec;
      do s = { ...randomConv(r, H, W, C, true), group, M: group * randInt(r, 1, 2), symmetric: true, wType: 'int8' };
      while (Math.floor((H + s.pads[0] + s.pads[2] - ((s.kh - 1) * s.dilations[0] + 1)) / s.strides[0]) < 0 || Math.floor((W + s.pads[1] + s.pads[3] - ((s.kw - 1) * s.dilations[1] + 1)) / s.strides[1]) < 0);
      const b = new GraphBuilder();
      const x = b.input('x', s.xType, [1, C, H, W]);
      b.output(addConv(b, r, x, s));
      weights(b, r, 'w0', 127);
      const g = b.build(`grouped${seed}`);
      const { m } = exactRun(g, exactP, new Map([['x', tensor(s.xType, [1, C, H, W], randQ(r, s.xType, C * H * W))]]));
      expect(m.kind, m.reason).toBe('aimc-tile');
      expect(m.aimc!.rowsPerMvm * m.aimc!.rowGroups).toBeGreaterThanOrEqual(C * s.kh * s.kw);
    });
  }
});

describe('depthwise 3x3 over 64 channels on hermes-exact: diagonal blocks of whole groups', () => {
  it('3 blocks of 22, 22 and 20 whole channels (their rows x their outputs) instead of 3 row groups x 2 column blocks, bit-exact', () => {
    const r = new Rng(17);
    const C = 64;
    const b = new GraphBuilder();
    const x = b.input('x', 'int8', [1, C, 6, 6]);
    const s: ConvSpec = { ...randomConv(r, 6, 6, C, true), group: C, M: C, kh: 3, kw: 3, pads: [1, 1, 1, 1], strides: [1, 1], dilations: [1, 1], xType: 'int8', wType: 'int8', symmetric: true };
    b.output(addConv(b, r, x, s));
    weights(b, r, 'w0', 127);
    const g = b.build('depthwise64');
    const { m } = exactRun(g, exactP, new Map([['x', tensor('int8', [1, C, 6, 6], randQ(r, 'int8', C * 36))]]));
    const A = m.aimc!;
    expect(m.kind).toBe('aimc-tile');
    expect(A.diagonal).toBe(true);
    expect([A.blocks, A.rowGroups, A.colBlocks]).toEqual([3, 3, 3]);
    expect(A.mvms).toBe(36 * A.planes * 3);
  });
});

describe('row and column blocks over several tiles', () => {
  it('hermes-like: a 600 x 300 ternary MatMulInteger = 3 row groups x 2 column blocks on 4 tiles, reprogrammed between blocks, partial sums added by the host', () => {
    const r = new Rng(11);
    const K = 600;
    const N = 300;
    const b = new GraphBuilder();
    const a = b.input('a', 'int8', [2, 3, K]);
    b.output(addMatMul(b, r, a, { quantized: false, aType: 'int8', bType: 'int8', yType: 'int8', K, N, bBatch: [], perColumn: false, symmetric: true }));
    weights(b, r, 'b0', 1);
    const g = b.build('blocks');
    const { m } = exactRun(g, hermes, new Map([['a', tensor('int8', [2, 3, K], randQ(r, 'int8', 6 * K))]]));
    const A = m.aimc!;
    expect(m.kind).toBe('aimc-tile');
    expect([A.rowGroups, A.colBlocks, A.blocks]).toEqual([3, 2, 6]);
    expect(A.rowsPerMvm).toBe(200);
    expect(A.outputsPerBlock).toBe(150);
    expect(A.tiles).toHaveLength(4);
    expect(A.programs).toBeGreaterThan(A.blocks);
    expect(A.reprogrammings).toBe(A.programs - 4);
    expect(A.programCycles).toBe(A.programRows * 8);
    expect(A.mvms).toBe(6 * A.planes * A.blocks);
    // one MVM command per band, block and plane (bands: output rows whose inputs and partial sums fit the scratch)
    expect((m.commands - A.programs) % (A.planes * A.blocks)).toBe(0);
    expect(m.commands - A.programs).toBeGreaterThanOrEqual(2 * A.planes * A.blocks);
  });

  it('a forced tile takes every block itself (reprogrammed between them)', () => {
    const r = new Rng(12);
    const b = new GraphBuilder();
    const a = b.input('a', 'int8', [4, 300]);
    b.output(addMatMul(b, r, a, { quantized: true, aType: 'int8', bType: 'int8', yType: 'int8', K: 300, N: 7, bBatch: [], perColumn: true, symmetric: true }));
    weights(b, r, 'b0', 1);
    const g = b.build('forced-blocks');
    const { m } = exactRun(g, hermes, new Map([['a', tensor('int8', [4, 300], randQ(r, 'int8', 1200))]]), { targets: new Map([['n0', 'aimc3']]) });
    expect(m.target).toBe('aimc3');
    expect(m.aimc!.tiles).toEqual(['aimc3']);
    expect(m.aimc!.rowGroups).toBeGreaterThanOrEqual(2);
    expect(m.aimc!.programs).toBe(m.aimc!.blocks);
    expect(m.aimc!.reprogrammings).toBe(m.aimc!.blocks - 1);
  });
});

describe('the active-row bound', () => {
  it('hermes-like: 200 rows of +1 weights overflow the 8-bit ADC even with 1-bit digits; two groups of 100 rows are exact', () => {
    const r = new Rng(13);
    const K = 200;
    const N = 5;
    const b = new GraphBuilder();
    const a = b.input('a', 'int8', [3, K]);
    b.output(addMatMul(b, r, a, { quantized: true, aType: 'int8', bType: 'int8', yType: 'int8', K, N, bBatch: [], perColumn: false, symmetric: true }));
    b.initializers.set('b0', tensor('int8', [K, N], Array.from({ length: K * N }, (_, i) => (i % 7 === 0 ? 0 : 1))));
    b.initializers.set('bzp0', tensor('int8', [], [0]));
    const g = b.build('bound');
    const { m } = exactRun(g, hermes, new Map([['a', tensor('int8', [3, K], randQ(r, 'int8', 3 * K))]]));
    const A = m.aimc!;
    expect(m.kind).toBe('aimc-tile');
    expect(A.activeRowBound).toBe(true);
    expect(A.rowsPerMvm).toBeLessThan(256);
    expect(A.rowsPerMvm).toBeLessThan(K);
    expect(A.rowGroups).toBeGreaterThan(1);
    for (const u of A.unitRanges) expect(u.max).toBeLessThanOrEqual(127);
    // the planner's choice: no plan without the bound (one group of K rows) is exact, whatever the digits
    const c = aimcParamsOf(hermes.instances['aimc0']!.params);
    const w = Array.from(g.initializers.get('b0')!.data);
    const p = planAimcBlocks(c, w, K, 1, N, -128 - A.inputOffset, 127 - A.inputOffset, 32)!;
    expect(p.mvmsPerVector).toBe(A.planes * A.blocks);
    expect(planAimcBlocks(c, w, K, 1, N, -128 - A.inputOffset, 127 - A.inputOffset, K)!.exact).toBe(false);
  });

  it('below 32 rows per MVM only with aimcMinRowsPerMvm: a 3x3 conv of weights 0 or 10 on hermes-like needs at most 2 channels (18 rows) per MVM', () => {
    const r = new Rng(14);
    const b = new GraphBuilder();
    const x = b.input('x', 'int8', [1, 4, 5, 5]);
    const s: ConvSpec = { ...randomConv(r, 5, 5, 4, false), group: 1, M: 3, kh: 3, kw: 3, pads: [1, 1, 1, 1], strides: [1, 1], dilations: [1, 1], xType: 'int8', wType: 'int8', symmetric: true };
    b.output(addConv(b, r, x, s));
    b.initializers.set('w0', tensor('int8', [3, 4, 3, 3], Array.from({ length: 108 }, (_, i) => (i % 3 === 0 ? 0 : 10))));
    const g = b.build('bound-conv');
    const inputs = new Map([['x', tensor('int8', [1, 4, 5, 5], randQ(r, 'int8', 100))]]);
    const d = exactRun(g, hermes, inputs);
    expect(d.m.kind).toBe('cores');
    expect(d.m.reason).toContain('not exact');
    const { m } = exactRun(g, hermes, inputs, { aimcMinRowsPerMvm: 1 });
    expect(m.kind).toBe('aimc-tile');
    expect(m.aimc!.activeRowBound).toBe(true);
    expect(m.aimc!.rowsPerMvm % 9).toBe(0);
    expect(m.aimc!.rowsPerMvm).toBeLessThan(36);
  });
});

describe('forced inexact blocks', () => {
  it('hermes-like: a 300-row matmul of large weights forced to aimc1 (2 row groups) equals the tile model per block and plane, summed', () => {
    const r = new Rng(16);
    const M = 2;
    const K = 300;
    const N = 4;
    const b = new GraphBuilder();
    const a = b.input('a', 'int8', [M, K]);
    b.output(addMatMul(b, r, a, { quantized: false, aType: 'int8', bType: 'int8', yType: 'int8', K, N, bBatch: [], perColumn: false, symmetric: true }));
    weights(b, r, 'b0', 127);
    const g = b.build('inexact-blocks');
    const inputs = new Map([['a', tensor('int8', [M, K], randQ(r, 'int8', M * K))]]);
    const res = compileForAccelerators(g, hermes, { targets: new Map([['n0', 'aimc1']]) });
    expect(res.diagnostics.map((x) => `${x.severity}:${x.code}`)).toEqual(['warning:aimc-inexact']);
    const c = res.value!;
    const m = c.mapping[0]!;
    const A = m.aimc!;
    expect(m.exact).toBe(false);
    expect(A.rowGroups).toBe(2);
    const out = runCompiled(instantiate(hermes), c, inputs).outputs.get(g.outputs[0]!.name)!;
    const ref = evaluate(g, inputs).get(g.outputs[0]!.name)!;
    const cfg = aimcConfigFromParams(hermes.instances['aimc1']!.params as never);
    const w = g.initializers.get('b0')!.data;
    const { sliceBits: s, planes, inputOffset } = A;
    const model: number[] = [];
    for (let i = 0; i < M; i++) {
      const v = Array.from({ length: K }, (_, k) => inputs.get('a')!.data[i * K + k]! - inputOffset);
      const acc = new Array<number>(N).fill(0);
      for (let gr = 0; gr < A.rowGroups; gr++) {
        const k0 = gr * A.rowsPerMvm;
        const rows = gr === A.rowGroups - 1 ? A.lastRows : A.rowsPerMvm;
        const st = programTile(cfg, Array.from(w).slice(k0 * N, (k0 + rows) * N), rows, N);
        for (let p = 0; p < planes; p++) {
          const digits = v.slice(k0, k0 + rows).map((x) => (p === planes - 1 ? x >> (s * p) : (x >> (s * p)) & (2 ** s - 1)));
          const y = aimcMvm(st, digits).out;
          for (let j = 0; j < N; j++) acc[j]! += 2 ** (s * p) * y[j]!;
        }
      }
      model.push(...acc.map((x) => x | 0));
    }
    expect(Array.from(out.data)).toEqual(model);
    expect(Array.from(out.data)).not.toEqual(Array.from(ref.data));
    for (let i = 0; i < model.length; i++) expect(Math.abs(out.data[i]! - ref.data[i]!)).toBeLessThanOrEqual(m.errorBound);
  });
});

describe('integer MatMul layers with K > rows (TFC-2W2A-like: ternary weights, ternary int8 inputs, int32 out)', () => {
  for (const [name, p] of [['hermes-like', hermes], ['hermes-exact', exactP]] as const) {
    it(`${name}: a 784 x 64 MatMulInteger goes to the tiles in row blocks, exactly`, () => {
      const r = new Rng(15);
      const K = 784;
      const N = 64;
      const b = new GraphBuilder();
      const a = b.input('a', 'int8', [2, K]);
      b.output(addMatMul(b, r, a, { quantized: false, aType: 'int8', bType: 'int8', yType: 'int8', K, N, bBatch: [], perColumn: false, symmetric: true }));
      weights(b, r, 'b0', 1);
      b.initializers.set('azp0', tensor('int8', [], [0]));
      const g = b.build(`tfc-${name}`);
      const { m } = exactRun(g, p, new Map([['a', tensor('int8', [2, K], Array.from({ length: 2 * K }, () => randInt(r, -1, 1)))]]));
      expect(m.kind, m.reason).toBe('aimc-tile');
      expect(m.aimc!.rowGroups).toBeGreaterThanOrEqual(4);
      expect(m.aimc!.rowsPerMvm).toBeLessThanOrEqual(256);
      expect(m.aimc!.tiles.length).toBeGreaterThan(1);
    });
  }
});

describe('ResNet-8 on hermes-exact: every dot layer on the AIMC tiles, bit-exact', () => {
  const graph = loadModel('mlperf_tiny_resnet8_int8_qop.onnx');
  const images = readBytes('data/cifar10_test500_images_u8.bin');
  const ref = readJson<{ samples: { index: number; output: number[]; logits_q: number[] }[] }>('reference/mlperf_tiny_resnet8_int8_qop.json');
  const index = readJson<{ samples: { sample: number; tensors: { name: string; op_type: string; dtype: string; file: string }[] }[] }>('reference/intermediates/resnet8/index.json');
  const c = compileOk(graph, exactP);
  it('the mapping: 9 convolutions and the FC on tiles, exact, no active-row bound needed', () => {
    const dots = c.mapping.filter((m) => m.macs > 0);
    expect(dots).toHaveLength(10);
    for (const m of dots) {
      expect(m.kind, `${m.node}: ${m.reason}`).toBe('aimc-tile');
      expect(m.exact).toBe(true);
      expect(m.aimc!.rowsPerMvm).toBeLessThanOrEqual(256);
    }
    expect(dots.some((m) => m.aimc!.rowGroups > 1 && m.aimc!.colBlocks > 1)).toBe(true);
  });
  for (const sample of [0, 1]) {
    it(`CIFAR-10 image ${sample}: outputs and every materialized intermediate equal onnxruntime's`, () => {
      const p = instantiate(exactP);
      const input = new Map([['input', tensor('int8', [1, 3, 32, 32], Array.from(images.subarray(sample * 3072, (sample + 1) * 3072), (v) => v - 128))]]);
      const run = runCompiled(p, c, input);
      const s = ref.samples[sample]!;
      expect(s.index).toBe(sample);
      expect(Array.from(run.outputs.get('logits_q')!.data)).toEqual(s.logits_q);
      expect(Array.from(run.outputs.get('output')!.data)).toEqual(s.output);
      const refs = index.samples.find((x) => x.sample === sample);
      if (refs === undefined) return;
      let compared = 0;
      for (const t of refs.tensors) {
        if (!c.tensors.some((x) => x.name === t.name)) continue;
        const bytes = readBytes(`reference/intermediates/resnet8/${t.file}`);
        const want = t.dtype === 'int8' ? Array.from(new Int8Array(bytes.buffer, bytes.byteOffset, bytes.length)) : Array.from(new Float32Array(bytes.slice().buffer));
        expect(Array.from(readCompiledTensor(p, c, t.name).data), `${t.name} (${t.op_type})`).toEqual(want);
        compared++;
      }
      expect(compared).toBeGreaterThan(15);
    }, 60000);
  }
});
