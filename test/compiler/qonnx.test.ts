/**
 * QONNX models on the compiler: TFC-2W2A (Brevitas Quant nodes, BatchNormalization, a shape
 * subgraph folded at compile time) on pulp-cluster and the accelerator platforms against
 * onnxruntime's stored outputs and intermediates, and small synthetic QONNX graphs (other bit
 * widths, signedness, narrow ranges, rounding modes, scales, Conv, Gemm, BipolarQuant) bit for
 * bit against the reference evaluator.
 */
import { describe, expect, it } from 'vitest';
import { compile, compileForAccelerators, lower, type Compiled } from '../../src/compiler/index.js';
import { type NnAttribute, type NnGraph, type Tensor, createEvaluator, tensor } from '../../src/nn/index.js';
import { instantiate, readCompiledTensor, runCompiled } from '../../src/sim/index.js';
import { Rng, formatDiagnostics, formatTime, hasErrors } from '../../src/util/index.js';
import { cleanGraph } from '../helpers/repo.js';
import { argmax, loadModel, readBytes, readJson } from '../nn/helpers.js';
import { GraphBuilder } from './graphs.js';

interface Ref {
  samples: ({ index: number; top1: number; label: number } & Record<string, number[] | number>)[];
}
interface Index {
  samples: { sample: number; tensors: { name: string; op_type: string; dtype: string; dims: number[]; file: string }[] }[];
}

const images = readBytes('data/mnist_test1000_images_u8.bin');
const mnist = (i: number): Map<string, Tensor> =>
  new Map([['0', tensor('float32', [1, 1, 28, 28], Array.from(images.subarray(i * 784, (i + 1) * 784), (p) => Math.fround(p / 255)))]]);
const ref = readJson<Ref>('reference/qonnx_tfc_2w2a_mnist.json');
const index = readJson<Index>('reference/intermediates/tfc_2w2a/index.json');
const ACT_QUANTS = ['39', '51', '63', '75'];

/** Largest |a - b| / max|b| over a vector. */
function relErr(a: ArrayLike<number>, b: readonly number[]): number {
  const scale = Math.max(...b.map(Math.abs));
  return Math.max(...b.map((v, i) => Math.abs(a[i]! - v))) / scale;
}

const refFloats = (file: string): number[] => {
  const bytes = readBytes(`reference/intermediates/tfc_2w2a/${file}`);
  return Array.from(new Float32Array(bytes.slice().buffer));
};

describe('TFC-2W2A (QONNX) compiled', () => {
  const g = loadModel('qonnx_tfc_2w2a_mnist.qonnx.onnx');
  const cases: [string, boolean][] = [['pulp-cluster', false], ['diana-like', true], ['eyeriss-like', true], ['hermes-like', true], ['hermes-exact', true]];
  for (const [name, accel] of cases) {
    it(`${name}: activation Quant codes equal onnxruntime's, logits within 1e-5 with the same top-1 (samples 0, 1)`, () => {
      const platform = cleanGraph(`platforms/${name}.yaml`);
      const r = accel ? compileForAccelerators(g, platform) : compile(g, platform, { reuse: false });
      expect(hasErrors(r.diagnostics), formatDiagnostics(r.diagnostics)).toBe(false);
      const c: Compiled = r.value!;
      if (!accel) expect(c.cores).toHaveLength(9);
      // the exact AIMC variant runs every matrix product on its tiles
      if (name === 'hermes-exact') {
        const aimc = (c as Compiled & { mapping: { opType: string; kind: string; reason: string }[] }).mapping.filter((m) => m.kind === 'aimc-tile');
        expect(aimc).toHaveLength(4);
        // the codes are 2-bit (ternary after the first Quant): one input digit plane per MVM, not
        // the 4 an int8 range would need (the planner reads the Quant's code range, DotLayer.inRange)
        for (const m of aimc) expect(m.reason).toContain(' 1 digit plane(s)');
      }
      if (name === 'hermes-exact') {
        // mapping targets name the graph's nodes: a QONNX MatMul forced to the cores stays there;
        // an entry for a node the compiler does not place is reported, not silently dropped
        const f = compileForAccelerators(g, platform, { targets: new Map([['MatMul_56', 'cores'], ['BatchNormalization_21', 'cores']]) });
        const fm = f.value!.mapping;
        expect(fm.find((m) => m.node.includes("'MatMul_56'") && !m.node.startsWith('epilogue'))).toMatchObject({ kind: 'cores', reason: 'forced to the cores' });
        expect(f.diagnostics.filter((x) => x.code === 'target-unused').map((x) => x.message)).toEqual([expect.stringContaining("'BatchNormalization_21'")]);
      }
      for (const s of index.samples) {
        const p = instantiate(platform);
        const run = runCompiled(p, c, mnist(s.sample));
        const want = ref.samples.find((x) => x.index === s.sample)!;
        const logits = run.outputs.get('90')!;
        expect(relErr(logits.data, want['90'] as number[]), `${name} sample ${s.sample}`).toBeLessThanOrEqual(1e-5);
        expect(argmax(logits.data)).toBe(want.top1);
        for (const t of ACT_QUANTS) {
          const file = s.tensors.find((x) => x.name === t)!.file;
          const got = readCompiledTensor(p, c, t);
          expect(got.dtype).toBe('int8'); // the codes, scale 1: equal to the values (-0 is the code 0)
          expect(Array.from(got.data), `${name} sample ${s.sample} tensor ${t}`).toEqual(refFloats(file).map((v) => v + 0));
        }
        const inst = Math.max(...run.cores.map((x) => x.instructions));
        console.log(`${name}: sample ${s.sample}: busiest core ${inst} instructions, ${formatTime(run.time)} simulated (${run.cores.length} cores)`);
      }
    });
  }

  it('the rewritten file (Quant expanded into Div, Add, Clip, Round, Sub, Mul) compiles to the same layers and results', () => {
    const std = loadModel('qonnx_tfc_2w2a_mnist.std.onnx');
    const platform = cleanGraph('platforms/pulp-cluster.yaml');
    const r = compile(std, platform, { reuse: false });
    expect(hasErrors(r.diagnostics), formatDiagnostics(r.diagnostics)).toBe(false);
    const c = r.value!;
    expect(c.layers.filter((l) => l.opType.startsWith('Quant+MatMul'))).toHaveLength(4);
    for (const s of index.samples) {
      const p = instantiate(platform);
      const run = runCompiled(p, c, mnist(s.sample));
      const want = ref.samples.find((x) => x.index === s.sample)!;
      expect(relErr(run.outputs.get('90')!.data, want['90'] as number[])).toBeLessThanOrEqual(1e-5);
      for (const t of ACT_QUANTS) {
        expect(readCompiledTensor(p, c, t).dtype).toBe('int8');
        expect(Array.from(readCompiledTensor(p, c, t).data)).toEqual(refFloats(s.tensors.find((x) => x.name === t)!.file).map((v) => v + 0));
      }
    }
  });

  it('pulp-cluster: 1 core and the scalar (simd: false) code give the same logits as 9 cores', () => {
    const platform = cleanGraph('platforms/pulp-cluster.yaml');
    const outs = [{}, { cores: ['pe0'] }, { simd: false }].map((opts) => {
      const r = compile(g, platform, opts);
      expect(hasErrors(r.diagnostics), formatDiagnostics(r.diagnostics)).toBe(false);
      return Array.from(runCompiled(instantiate(platform), r.value!, mnist(2)).outputs.get('90')!.data);
    });
    expect(outs[1]).toEqual(outs[0]);
    expect(outs[2]).toEqual(outs[0]);
    expect(relErr(outs[0]!, ref.samples.find((x) => x.index === 2)!['90'] as number[])).toBeLessThanOrEqual(1e-5);
  });

  it('pulp-cluster, buffer reuse: logits of all 100 reference samples within 1e-5, same top-1', () => {
    const platform = cleanGraph('platforms/pulp-cluster.yaml');
    const r = compile(g, platform);
    expect(hasErrors(r.diagnostics), formatDiagnostics(r.diagnostics)).toBe(false);
    let worst = 0;
    const t0 = performance.now();
    for (const s of ref.samples) {
      const run = runCompiled(instantiate(platform), r.value!, mnist(s.index));
      const logits = run.outputs.get('90')!;
      worst = Math.max(worst, relErr(logits.data, s['90'] as number[]));
      expect(argmax(logits.data), `sample ${s.index}`).toBe(s.top1);
    }
    console.log(`pulp-cluster: ${ref.samples.length} inferences, ${((performance.now() - t0) / ref.samples.length).toFixed(1)} ms host time each; worst relative error ${worst}`);
    expect(ref.samples).toHaveLength(100);
    expect(worst).toBeLessThanOrEqual(1e-5);
  });
});

// ---------------------------------------------------------------- synthetic QONNX graphs

const f32 = Math.fround;
const ints = (value: number[]): NnAttribute => ({ kind: 'ints', value });
const QDOM = 'qonnx.custom_op.general';
/** Random float32 values in [lo, hi), some exactly on quantization ties. */
const randF = (r: Rng, n: number, lo: number, hi: number, step: number): number[] =>
  Array.from({ length: n }, () => (r.int(4) === 0 ? f32(Math.round((lo + (hi - lo) * r.next()) / step) * step + step / 2) : f32(lo + (hi - lo) * r.next())));

/** Compiles for pulp-cluster (all cores, no buffer reuse), runs, and compares every output and the listed intermediates with the evaluator bit for bit. */
function checkGraph(g: NnGraph, inputs: Map<string, Tensor>, intermediates: readonly (readonly [string, number, number])[] = []): Compiled {
  const platform = cleanGraph('platforms/pulp-cluster.yaml');
  const r = compile(g, platform, { reuse: false });
  expect(hasErrors(r.diagnostics), formatDiagnostics(r.diagnostics)).toBe(false);
  const c = r.value!;
  const p = instantiate(platform);
  const run = runCompiled(p, c, inputs);
  const all = createEvaluator(g).runAll(inputs);
  for (const o of g.outputs) {
    const want = Array.from(all.get(o.name)!.data);
    expect(new Set(want).size, `output ${o.name} is not trivial`).toBeGreaterThanOrEqual(Math.min(3, want.length));
    expect(Array.from(run.outputs.get(o.name)!.data), `output ${o.name}`).toEqual(want);
  }
  for (const [t, scale, zp] of intermediates) {
    const got = readCompiledTensor(p, c, t);
    const want = Array.from(all.get(t)!.data, (v) => v + 0);
    // codes of a Quant output: value = (code - zp) * scale (a -0 value has the code of 0)
    expect(got.dtype === 'int8' || got.dtype === 'uint8', `${t} holds integer codes`).toBe(true);
    expect(Array.from(got.data, (q) => f32(f32(q - zp) * scale) + 0), t).toEqual(want);
  }
  return c;
}

describe('synthetic QONNX graphs on pulp-cluster, bit-exact with the evaluator', () => {
  it('MLP: 4-bit unsigned activations, 3-bit signed weights, power-of-two scales, zero point, per-channel constants, Gemm with bias and transB', () => {
    const r = new Rng(11);
    const b = new GraphBuilder();
    const x = b.input('x', 'float32', [3, 24]);
    const qa = b.quant(x, 0.125, 0, 4, { signed: false });
    const w1 = b.init('w1', tensor('float32', [24, 16], randF(r, 24 * 16, -1, 1, 0.25)));
    const qw1 = b.quant(w1, 0.25, 0, 3, { narrow: true });
    const m = b.node('MatMul', [qa, qw1]);
    const sc = b.node('Mul', [m, b.init('sc', tensor('float32', [16], Array.from({ length: 16 }, () => f32(2 ** (r.int(4) - 2)))))]);
    const sh = b.node('Add', [b.init('sh', tensor('float32', [1, 16], randF(r, 16, -1, 1, 0.5))), sc]);
    // 8-bit signed with a zero point, scale 0.5
    const qb = b.quant(sh, 0.5, 3, 8);
    const w2 = b.init('w2', tensor('float32', [5, 16], randF(r, 80, -2, 2, 0.5)));
    const qw2 = b.quant(w2, tensor('float32', [5, 1], [0.5, 0.25, 1, 0.5, 2]), 0, 4, { narrow: false });
    const gm = b.node('Gemm', [qb, qw2, b.init('c', tensor('float32', [5], randF(r, 5, -3, 3, 0.25)))], { transB: { kind: 'int', value: 1 }, beta: { kind: 'float', value: 0.5 } });
    b.output(gm);
    const g = b.build('mlp');
    for (let k = 0; k < 3; k++) {
      const c = checkGraph(g, new Map([['x', tensor('float32', [3, 24], randF(r, 72, -0.5, 2.5, 0.125))]]), [[qa, 0.125, 0], [qb, 0.5, 3]]);
      if (k === 0) {
        expect(c.tensors.find((t) => t.name === qa)!.dtype).toBe('int8');
        expect(c.layers.map((l) => l.opType)).toEqual(['Quant', 'Quant+MatMul', 'MatMul-epilogue+Mul+Add+Quant', 'Quant+Gemm', 'Gemm-epilogue']);
        // the lowered activations say what the codes stand for
        const acts = lower(g).value!.acts;
        expect(acts.get(qa)).toEqual({ dtype: 'int8', shape: [3, 24], codes: { scale: 0.125, zeroPoint: 0 } });
        expect(acts.get(qb)).toEqual({ dtype: 'int8', shape: [3, 16], codes: { scale: 0.5, zeroPoint: 3 } });
      }
    }
  });

  it('Conv: 5-bit activations (FLOOR), per-channel 3-bit weights, pads and stride, bias, BatchNormalization, BipolarQuant, a second Conv on bipolar weights, Quant ROUND_TO_ZERO / CEIL outputs', () => {
    const r = new Rng(12);
    const b = new GraphBuilder();
    const x = b.input('x', 'float32', [2, 3, 7, 6]);
    const qa = b.quant(x, 0.0625, 0, 5, { mode: 'FLOOR' });
    const w = b.init('w', tensor('float32', [4, 3, 3, 3], randF(r, 108, -1, 1, 0.5)));
    const qw = b.quant(w, tensor('float32', [4, 1, 1, 1], [0.5, 0.25, 0.125, 1]), 0, 3);
    const conv = b.node('Conv', [qa, qw, b.init('cb', tensor('float32', [4], randF(r, 4, -1, 1, 0.125)))], { pads: ints([1, 0, 1, 2]), strides: ints([1, 2]), kernel_shape: ints([3, 3]) });
    const bn = b.node('BatchNormalization', [conv, ...['g', 'beta', 'mean', 'var'].map((n, i) => b.init(n, tensor('float32', [4], Array.from({ length: 4 }, () => (i === 3 ? f32(0.5 + r.next()) : f32(r.next() * 2 - 1))))))]);
    const bq = b.node('BipolarQuant', [bn, b.init('bs', tensor('float32', [], [0.5]))], {}, QDOM);
    const w2 = b.init('w2', tensor('float32', [2, 4, 1, 1], randF(r, 8, -1, 1, 0.25)));
    const bw2 = b.node('BipolarQuant', [w2, b.init('bs2', tensor('float32', [], [1]))], {}, QDOM);
    // padded: the chain writing bq (per-channel epilogue and BN, then sign) fills a padded buffer
    const conv2 = b.node('Conv', [bq, bw2], { kernel_shape: ints([1, 1]), pads: ints([1, 0, 0, 1]) });
    const o1 = b.quant(conv2, 0.25, 0, 4, { mode: 'ROUND_TO_ZERO' });
    const o2 = b.quant(conv, 0.5, 0, 6, { mode: 'CEIL', narrow: true });
    b.output(o1);
    b.output(o2);
    const g = b.build('conv');
    for (let k = 0; k < 3; k++) checkGraph(g, new Map([['x', tensor('float32', [2, 3, 7, 6], randF(r, 252, -1, 1, 0.0625))]]), [[qa, 0.0625, 0], [bq, 0.5, 0]]);
  });

  it('the rewritten Quant (Div, Add, Clip, Round, Sub, Mul) and element-wise ops with constants on both sides', () => {
    const r = new Rng(13);
    const b = new GraphBuilder();
    const x = b.input('x', 'float32', [1, 8, 5]);
    const s = b.init('s', tensor('float32', [], [0.25]));
    const z = b.init('z', tensor('float32', [], [2]));
    const dv = b.node('Div', [x, s]);
    const ad = b.node('Add', [dv, z]);
    const cl = b.node('Clip', [ad, b.init('lo', tensor('float32', [], [-6])), b.init('hi', tensor('float32', [], [7]))]);
    const rd = b.node('Round', [cl]);
    const sb = b.node('Sub', [rd, z]);
    const q = b.node('Mul', [sb, s]);
    const w = b.init('w', tensor('float32', [5, 3], randF(r, 15, -1, 1, 0.5)));
    const qw = b.quant(w, 1, 0, 2, { narrow: true });
    const m = b.node('MatMul', [q, qw]);
    const e1 = b.node('Sub', [b.init('k', tensor('float32', [1, 1, 3], [1, 2, 3])), m]);
    const e2 = b.node('Div', [b.init('k2', tensor('float32', [], [3])), e1]);
    b.output(e2);
    const g = b.build('std');
    for (let k = 0; k < 3; k++) {
      const c = checkGraph(g, new Map([['x', tensor('float32', [1, 8, 5], randF(r, 40, -3, 3, 0.25))]]), [[q, 0.25, 2]]);
      if (k === 0) expect(c.tensors.find((t) => t.name === q)!.dtype).toBe('int8');
    }
  });
});

describe('synthetic QONNX graphs: codes read by several kinds of nodes', () => {
  it('uint8 codes with a zero point into a padded Conv (reshaped Quant weights), a GlobalAveragePool and a binary Add; 1-bit codes; per-channel output scales; Gemm alpha', () => {
    const r = new Rng(14);
    const b = new GraphBuilder();
    const x = b.input('x', 'float32', [1, 2, 5, 5]);
    const qa = b.quant(x, 0.0625, 10, 8, { signed: false });
    const wr = b.init('wr', tensor('float32', [4, 18], randF(r, 72, -1.5, 1.5, 0.5)));
    const qw = b.quant(wr, 0.5, 0, 3);
    const qwr = b.node('Reshape', [qw, b.init('shape', tensor('int64', [4], [4, 2, 3, 3]))]);
    const conv = b.node('Conv', [qa, qwr], { pads: ints([1, 1, 1, 1]), kernel_shape: ints([3, 3]) });
    const o1 = b.quant(conv, tensor('float32', [1, 4, 1, 1], [0.25, 0.5, 0.125, 1]), 0, 6);
    const gap = b.node('GlobalAveragePool', [qa]);
    const q1 = b.quant(x, 0.5, 0, 1);
    const sum = b.node('Add', [q1, qa]);
    const fl = b.node('Flatten', [conv]);
    const qf = b.quant(fl, 2, 0, 4);
    const w2 = b.init('w2', tensor('float32', [100, 3], randF(r, 300, -1, 1, 0.5)));
    const gm = b.node('Gemm', [qf, b.quant(w2, 1, 0, 2, { narrow: true })], { alpha: { kind: 'float', value: 0.75 } });
    for (const o of [o1, gap, sum, gm]) b.output(o);
    const g = b.build('mixed');
    for (let k = 0; k < 3; k++) {
      const c = checkGraph(g, new Map([['x', tensor('float32', [1, 2, 5, 5], randF(r, 50, -0.5, 15, 0.0625))]]), [[qa, 0.0625, 10], [q1, 0.5, 0], [qf, 2, 0]]);
      if (k === 0) expect(c.tensors.find((t) => t.name === qa)!.dtype).toBe('uint8');
    }
  });
});

describe('QONNX dot products with scales that are not powers of two', () => {
  it('the integer sum times the float32 scale product stays within 1e-6 of the evaluator\'s float32 sums (documented: not bit-exact in general)', () => {
    const r = new Rng(15);
    const b = new GraphBuilder();
    const x = b.input('x', 'float32', [4, 32]);
    const qa = b.quant(x, 0.1, 0, 8);
    const w = b.init('w', tensor('float32', [32, 8], randF(r, 256, -1, 1, 0.1)));
    const m = b.node('MatMul', [qa, b.quant(w, 0.0123, 0, 8)]);
    b.output(m);
    const g = b.build('np2');
    const platform = cleanGraph('platforms/pulp-cluster.yaml');
    const c = compile(g, platform).value!;
    let worst = 0;
    let differ = 0;
    for (let k = 0; k < 5; k++) {
      const inputs = new Map([['x', tensor('float32', [4, 32], randF(r, 128, -10, 10, 0.1))]]);
      const got = runCompiled(instantiate(platform), c, inputs).outputs.get(m)!.data;
      const want = createEvaluator(g).run(inputs).get(m)!.data;
      // relative to the largest output: the evaluator's float32 sum rounds at every step, the integer sum does not
      worst = Math.max(worst, relErr(got, Array.from(want)));
      for (let i = 0; i < want.length; i++) if (got[i] !== want[i]) differ++;
    }
    console.log(`scales 0.1 x 0.0123: ${differ} of 160 values differ from the evaluator, worst ${worst} relative to the largest output`);
    expect(worst).toBeLessThan(1e-6);
  });
});

describe('QONNX diagnostics', () => {
  const diags = (g: NnGraph): string[] => {
    const r = compile(g, cleanGraph('platforms/pulp-cluster.yaml'));
    expect(r.value).toBeUndefined();
    return r.diagnostics.map((d) => `${d.code}: ${d.message.replace(/ \(#\d+, /, ' (')}${d.hint === undefined ? '' : ` [${d.hint}]`}`);
  };
  it('names the node, the op and what is supported', () => {
    const b = new GraphBuilder();
    const x = b.input('x', 'float32', [1, 8]);
    // a float MatMul on an input that is not a Quant output
    const m = b.node('MatMul', [x, b.init('w', tensor('float32', [8, 4], new Array<number>(32).fill(1)))]);
    // Pow of a run-time tensor (only constant Pow is folded)
    const p = b.node('Pow', [x, b.init('e', tensor('float32', [], [2]))]);
    // a 9-bit Quant
    const q9 = b.quant(x, 1, 0, 9);
    // weights that are neither Quant outputs nor integers
    const qa = b.quant(x, 1, 0, 4);
    const m2 = b.node('MatMul', [qa, b.init('w2', tensor('float32', [8, 4], new Array<number>(32).fill(0.3)))]);
    // a constant varying along two axes
    const a2 = b.node('Add', [x, b.init('c2', tensor('float32', [2, 8], new Array<number>(16).fill(0).map((_, i) => i)))]);
    for (const o of [m, p, q9, m2, a2]) b.output(o);
    const got = diags(b.build('bad'));
    expect(got[0]).toMatch(/^unsupported-op: node 'n0' \(MatMul\): the compiler does not support MatMul on float32 input 'x' \(not the integer output of a QONNX Quant \/ BipolarQuant with a per-tensor scale and an integer zero point\) \[a float MatMul is compiled only as DequantizeLinear -> MatMul -> QuantizeLinear/);
    expect(got[1]).toMatch(/^unsupported-op: node 'n1' \(Pow\): the compiler does not support Pow yet \[supported: .*Quant, BipolarQuant, BatchNormalization/);
    expect(got[2]).toMatch(/^unsupported-attribute-value: node 'n2' \(qonnx.custom_op.general:Quant\): bit width 9 is not supported \(a single integer 1-8\)/);
    expect(got[3]).toMatch(/^unsupported-dtype: node 'n4' \(MatMul\): the weight 'w2' is a float constant that is neither the output of a QONNX Quant/);
    expect(got[4]).toMatch(/^unsupported-shape: node 'n5' \(Add\): the constant operand 'c2' of shape \[2,8\] would broadcast the run-time input \[1,8\] to a larger shape/);
    expect(got).toHaveLength(5);
  });
});
