/**
 * MLPerf Tiny ResNet-8 (int8 QOperator: 10 QLinearConv incl. the FC as a 1x1 conv, 3 residual
 * DequantizeLinear -> Add -> QuantizeLinear, DequantizeLinear -> AveragePool -> QuantizeLinear,
 * 3 Reshape, DequantizeLinear -> Softmax -> QuantizeLinear) compiled whole for the 8 worker
 * cores of pulp-cluster and simulated on CIFAR-10 images against onnxruntime: every
 * intermediate tensor of samples 0 and 1, both outputs of the first reference samples, and
 * 1 core against 8 cores.
 *
 * Figures (2026-11 dev machine, not asserted; one inference, 8 cores pe0..pe7, 250 MHz):
 * - 12.50 M MACs; convolutions packed (im2col + Xesimd pv.mac.b, each core computing output
 *   rows h, h + 8, ... of every channel): 1.39 M instructions per core (11.1 M in all: 0.89
 *   instructions per MAC), the cores within 0.05 % of each other; 1.96 M cycles = 7.84 ms
 *   simulated to the last exit.
 * - 1 core: 11.1 M instructions, 12.9 M cycles (51.5 ms): 8 cores are 6.6x faster.
 * - Scalar (`simd: false`, lb/lb/mul/add per tap): 9.36 M instructions per core (74.9 M in all,
 *   6.0 per MAC), 11.6 M cycles (46.6 ms); 1 core 74.9 M instructions, 89.4 M cycles (358 ms).
 * - Host: about 1.4 s per 8-core inference, 1.0 s for the 1-core one (scalar: 3.3-4.9 s);
 *   the code is 13 KB (scalar 6.7 KB).
 * - Memory: every activation in L1 with buffer reuse (peak about 53 KiB at the first residual
 *   Add); biases, multipliers and tables stay in L1; the weights (78 KiB) live in L2 and are
 *   staged into L1 by the cluster DMA: 6 of 10 during the previous layer (double buffering),
 *   4 at their layer's start (no room for the longer reservation). With DMA staging one
 *   inference takes 6.35 ms simulated; with the cores copying (no Xedma) 7.77 ms.
 */
import { describe, expect, it } from 'vitest';
import { type Compiled, compile } from '../../src/compiler/index.js';
import { type Tensor, evaluate, tensor } from '../../src/nn/index.js';
import { Rng } from '../../src/util/index.js';
import { GraphBuilder, addConv, randQ } from './graphs.js';
import { instantiate, readCompiledTensor, runCompiled, type CompiledRun } from '../../src/sim/index.js';
import { formatDiagnostics } from '../../src/util/index.js';
import { loadRepoPlatform, readRepoFile } from '../helpers/repo.js';
import { loadModel, readBytes, readJson } from '../nn/helpers.js';
import { WORKERS, compileAndRun, pulp, values } from './helpers.js';

interface Ref {
  samples: { index: number; output: number[]; logits_q: number[]; top1: number }[];
}
interface Index {
  samples: { sample: number; tensors: { name: string; op_type: string; dtype: string; dims: number[]; file: string }[] }[];
}

const graph = loadModel('mlperf_tiny_resnet8_int8_qop.onnx');
const images = readBytes('data/cifar10_test500_images_u8.bin');
const ref = readJson<Ref>('reference/mlperf_tiny_resnet8_int8_qop.json');

/** CIFAR sample i as the model input: int8 = pixel - 128, NCHW planar as stored. */
const cifarInput = (i: number): Map<string, Tensor> =>
  new Map([['input', tensor('int8', [1, 3, 32, 32], Array.from(images.subarray(i * 3072, (i + 1) * 3072), (p) => p - 128))]]);

function compileOk(cores: readonly string[], opts: { reuse?: boolean; platform?: ReturnType<typeof pulp> } = {}): Compiled {
  const r = compile(graph, opts.platform ?? pulp(), { cores, ...(opts.reuse === undefined ? {} : { reuse: opts.reuse }) });
  if (r.value === undefined) throw new Error(formatDiagnostics(r.diagnostics));
  expect(r.diagnostics).toEqual([]);
  return r.value;
}

const data = (t: Tensor | undefined): number[] => (t === undefined ? [] : Array.from(t.data));

/** The tensors the fused DequantizeLinear -> Add -> QuantizeLinear chains keep in registers. */
const FUSED = ['dq_29', 'dq_30', 'add_31', 'dq_67', 'dq_68', 'add_69', 'dq_105', 'dq_106', 'add_107'];

describe('ResNet-8 compiled for pulp-cluster (8 worker cores)', () => {
  const c8 = compileOk(WORKERS);
  const runs = new Map<number, CompiledRun>();
  const run8 = (sample: number): CompiledRun => {
    let r = runs.get(sample);
    if (r === undefined) {
      r = runCompiled(instantiate(pulp()), c8, cifarInput(sample));
      runs.set(sample, r);
    }
    return r;
  };

  it('compiles every node: 10 convolutions, 3 fused residual adds, pooling and softmax on the float side; activations in L1', () => {
    const kinds = c8.layers.map((l) => l.opType);
    expect(kinds.filter((k) => k === 'QLinearConv')).toHaveLength(10);
    expect(kinds.filter((k) => k === 'DequantizeLinear+Add+QuantizeLinear')).toHaveLength(3);
    expect(kinds.filter((k) => k === 'Reshape')).toHaveLength(3);
    expect(kinds.filter((k) => ['DequantizeLinear', 'AveragePool', 'QuantizeLinear', 'Softmax'].includes(k))).toEqual(
      ['DequantizeLinear', 'AveragePool', 'QuantizeLinear', 'DequantizeLinear', 'Softmax', 'QuantizeLinear'],
    );
    expect(c8.extensions).toEqual(['F', 'Xesync', 'Xesimd']);
    // every convolution runs packed (im2col + pv.mac.b), with per-core im2col buffers in L1
    expect(c8.program.asm.match(/im2col/g)).toHaveLength(10);
    const cols = [...c8.program.asm.matchAll(/la s9, (\d+)/g)].map((m) => Number(m[1]));
    expect(cols).toHaveLength(10);
    for (const a of cols) expect(a >= 0x1000_0000 && a < 0x1001_0000, `im2col buffers at ${a.toString(16)}`).toBe(true);
    expect(c8.reuse).toBe(true);
    // every activation in the scratchpad, the fused intermediates nowhere
    expect(c8.tensors.filter((t) => t.memory !== 'l1').map((t) => t.name)).toEqual([]);
    for (const f of FUSED) expect(c8.tensors.some((t) => t.name === f), f).toBe(false);
    // buffer reuse: distinct buffers share memory (the activations take 155 KB one after the other)
    const buffers = [...new Map(c8.tensors.map((t) => [`${t.buffer.address}+${t.buffer.bytes}`, t.buffer])).values()];
    expect(buffers.reduce((s, b) => s + b.bytes, 0)).toBeGreaterThan(100_000);
    expect(Math.max(...buffers.map((b) => b.address + b.bytes)) - 0x1000_0000).toBeLessThanOrEqual(64 * 1024);
    // the big convolutions' weights are in L2 and staged into L1 by the DMA
    const conv9 = c8.layers.find((l) => l.node.includes("'conv_2d_9'"))!;
    expect(conv9.memories).toEqual({ input: 'l1', output: 'l1', weights: 'l2=dma=>l1' });
    expect(c8.program.asm).toContain('# DMA: stage 36864 B of weights');
  });

  it('samples 0 and 1: every intermediate tensor equals onnxruntime\'s (no buffer reuse, on a 256 KiB-L1 variant so all stays in L1)', () => {
    // Reading intermediates needs every buffer kept (reuse: false): 155 KB of activations, so
    // the test uses pulp-cluster with a larger L1 (same cores, same code; only addresses move).
    const text = readRepoFile('platforms/pulp-cluster.yaml')!.replace('sizeBytes: 64KiB, banks: 16', 'sizeBytes: 256KiB, banks: 16');
    expect(text).toContain('sizeBytes: 256KiB');
    const big = loadRepoPlatform('platforms/pulp-cluster.yaml', text).graph!;
    const c = compileOk(WORKERS, { reuse: false, platform: big });
    expect(c.reuse).toBe(false);
    const index = readJson<Index>('reference/intermediates/resnet8/index.json');
    expect(index.samples.map((s) => s.sample)).toEqual([0, 1]);
    for (const s of index.samples) {
      const p = instantiate(big);
      runCompiled(p, c, cifarInput(s.sample));
      const checked: string[] = [];
      const absent: string[] = [];
      for (const t of s.tensors) {
        if (!c.tensors.some((x) => x.name === t.name)) {
          absent.push(t.name);
          continue;
        }
        const bytes = readBytes(`reference/intermediates/resnet8/${t.file}`);
        const want = t.dtype === 'int8' ? new Int8Array(bytes.buffer, bytes.byteOffset, bytes.length) : new Float32Array(bytes.slice().buffer);
        const got = readCompiledTensor(p, c, t.name);
        expect([got.dtype, got.shape], t.name).toEqual([t.dtype, t.dims]);
        expect(Array.from(got.data), `sample ${s.sample} ${t.name} (${t.op_type})`).toEqual(Array.from(want));
        checked.push(t.name);
      }
      expect(absent).toEqual(FUSED);
      expect(checked).toHaveLength(s.tensors.length - FUSED.length);
    }
  }, 120_000);

  // 5 samples: about 3.3 s of host time each (see the figures above).
  const SAMPLES = 5;
  it(`outputs 'output' and 'logits_q' equal onnxruntime's for the first ${SAMPLES} reference samples`, () => {
    for (const s of ref.samples.slice(0, SAMPLES)) {
      const run = run8(s.index);
      expect(data(run.outputs.get('logits_q')), `sample ${s.index} logits_q`).toEqual(s.logits_q);
      expect(data(run.outputs.get('output')), `sample ${s.index} output`).toEqual(s.output);
      expect(run.cores.map((k) => k.exitCode)).toEqual(WORKERS.map(() => 0));
    }
  }, 180_000);

  it('1 core and 8 cores compute the same outputs', () => {
    const s = ref.samples[0]!.index;
    const c1 = compileOk(['pe0']);
    const one = runCompiled(instantiate(pulp()), c1, cifarInput(s));
    const eight = run8(s);
    for (const o of ['output', 'logits_q']) expect(data(one.outputs.get(o)), o).toEqual(data(eight.outputs.get(o)));
    // the work is split: each of 8 cores executes well under a quarter of the single core's instructions
    expect(Math.max(...eight.cores.map((k) => k.instructions))).toBeLessThan(one.cores[0]!.instructions / 4);
    // the packed convolutions: under 1 instruction per MAC (12.5 M MACs) in all
    expect(eight.cores.reduce((sum, k) => sum + k.instructions, 0)).toBeLessThan(12.5e6);
  }, 120_000);

  it('weights live in L2 and are staged into L1 by the DMA, double buffered: same outputs as core copies, less simulated time', () => {
    const staged = c8.images.filter((im) => im.what.includes('copied by DMA'));
    const ahead = staged.filter((im) => im.what.includes('during the previous layer'));
    // every convolution's weights come from L2; most are fetched while the previous layer computes
    expect(staged).toHaveLength(10);
    expect(ahead.length).toBeGreaterThanOrEqual(5);
    expect(c8.program.asm).toContain('dma.1d');
    // the DMA moves exactly the staged weights (word-padded bytes), once per inference
    const p = instantiate(pulp());
    const viaDma = runCompiled(p, c8, cifarInput(0));
    expect(p.modules.get('dma')!.snapshot().stats['bytes']).toBe(staged.reduce((s, im) => s + im.bytes.length, 0));
    // the same cores without Xedma copy the weights themselves at each layer's start
    const text = readRepoFile('platforms/pulp-cluster.yaml')!.replace(/extensions: \[Xedma, /g, 'extensions: [');
    const noDma = loadRepoPlatform('platforms/pulp-cluster.yaml', text).graph!;
    const cc = compileOk(WORKERS, { platform: noDma });
    expect(cc.program.asm).not.toContain('dma.');
    const byCores = runCompiled(instantiate(noDma), cc, cifarInput(0));
    for (const o of ['output', 'logits_q']) expect(data(viaDma.outputs.get(o)), o).toEqual(data(byCores.outputs.get(o)));
    expect(data(viaDma.outputs.get('logits_q'))).toEqual(ref.samples[0]!.logits_q);
    expect(viaDma.time).toBeLessThan(byCores.time);
  }, 120_000);

  it('without SIMD (scalar convolutions, 6.0 instructions per MAC) the outputs are the same', () => {
    const s = ref.samples[0]!;
    const r = compile(graph, pulp(), { cores: WORKERS, simd: false });
    expect(r.value?.extensions).toEqual(['F', 'Xesync']);
    const run = runCompiled(instantiate(pulp()), r.value!, cifarInput(s.index));
    expect(data(run.outputs.get('logits_q'))).toEqual(s.logits_q);
    expect(data(run.outputs.get('output'))).toEqual(s.output);
    expect(data(run.outputs.get('logits_q'))).toEqual(data(run8(s.index).outputs.get('logits_q')));
  }, 120_000);
});

describe('float-side layers on small graphs (every layer type ResNet-8 uses, and the unfused forms)', () => {
  const ints = (value: number[]) => ({ kind: 'ints', value }) as const;
  /**
   * DequantizeLinear x2 feeding both an Add and a Mul (so nothing fuses: float32 buffers), a
   * QuantizeLinear writing the padded input of a convolution, AveragePool with padding,
   * GlobalAveragePool, Softmax over a reshaped row of 30, and a fused DQ -> Mul -> Q whose
   * output a padded convolution reads; float32 graph outputs read back through their placements.
   */
  function floatGraph(seed: number): { g: ReturnType<GraphBuilder['build']>; inputs: Map<string, Tensor> } {
    const r = new Rng(seed);
    const b = new GraphBuilder();
    const x = b.input('x', 'int8', [1, 3, 5, 6]);
    const y = b.input('y', 'uint8', [1, 3, 5, 6]);
    const sc = (n: string, v: number): string => b.init(n, tensor('float32', [], [Math.fround(v)]));
    const a = b.node('DequantizeLinear', [x, sc('s1', 0.03 + 0.01 * r.next()), b.init('z1', tensor('int8', [], [-3]))]);
    const c = b.node('DequantizeLinear', [y, sc('s2', 0.02 + 0.01 * r.next()), b.init('z2', tensor('uint8', [], [130]))]);
    const sum = b.node('Add', [a, c]);
    const prod = b.node('Mul', [a, c]);
    const q = b.node('QuantizeLinear', [sum, sc('s3', 0.05), b.init('z3', tensor('int8', [], [5]))]);
    const conv = addConv(b, r, q, {
      quantized: true, xType: 'int8', wType: 'int8', yType: 'int8', C: 3, M: 5, group: 1, kh: 3, kw: 3, strides: [1, 1], dilations: [1, 1], pads: [1, 1, 1, 1],
      perChannel: true, bias: true, tieScales: false,
    });
    const pool = b.node('AveragePool', [prod], { kernel_shape: ints([3, 3]), pads: ints([1, 1, 1, 1]), strides: ints([1, 1]) });
    const gap = b.node('GlobalAveragePool', [pool]);
    const row = b.node('Reshape', [prod, b.init('shape', tensor('int64', [2], [3, 30]))]);
    const soft = b.node('Softmax', [row]);
    // fused: both DQ outputs and the product used once
    const fx = b.node('DequantizeLinear', [conv, sc('s4', 0.04), b.init('z4', tensor('int8', [], [0]))]);
    const fy = b.node('DequantizeLinear', [conv, sc('s5', 0.07), b.init('z5', tensor('int8', [], [1]))]);
    const fq = b.node('QuantizeLinear', [b.node('Mul', [fx, fy]), sc('s6', 0.3), b.init('z6', tensor('int8', [], [-7]))]);
    const conv2 = addConv(b, r, fq, {
      quantized: true, xType: 'int8', wType: 'int8', yType: 'int8', C: 5, M: 2, group: 1, kh: 3, kw: 3, strides: [2, 2], dilations: [1, 1], pads: [1, 1, 1, 1],
      perChannel: false, bias: true, tieScales: false,
    });
    for (const o of [conv2, gap, soft, sum]) b.output(o);
    const inputs = new Map<string, Tensor>([['x', tensor('int8', [1, 3, 5, 6], randQ(r, 'int8', 90))], ['y', tensor('uint8', [1, 3, 5, 6], randQ(r, 'uint8', 90))]]);
    return { g: b.build(`float${seed}`), inputs };
  }

  for (const cores of [['pe0'], ['pe0', 'pe1', 'pe2'], WORKERS]) {
    it(`equal the evaluator on ${cores.length} core(s), bit for bit, for 3 random graphs`, () => {
      for (const seed of [1, 2, 3]) {
        const { g, inputs } = floatGraph(seed);
        const want = evaluate(g, inputs);
        const { run, compiled } = compileAndRun(g, pulp(), cores, inputs);
        expect(compiled.layers.map((l) => l.opType)).toContain('DequantizeLinear+Mul+QuantizeLinear');
        expect(compiled.layers.filter((l) => l.opType === 'Add' || l.opType === 'Mul')).toHaveLength(2);
        for (const o of g.outputs) expect(values(run.outputs.get(o.name)), `seed ${seed} ${o.name}`).toEqual(values(want.get(o.name)));
      }
    });
  }

  it('unsupported float-side forms are diagnostics: broadcasting Add, per-axis DequantizeLinear', () => {
    const b = new GraphBuilder();
    const x = b.input('x', 'int8', [1, 2, 2, 2]);
    const a = b.node('DequantizeLinear', [x, b.init('s', tensor('float32', [2], [0.1, 0.2])), b.init('z', tensor('int8', [2], [0, 0]))]);
    b.output(a);
    const r = compile(b.build('peraxis'), pulp(), { cores: ['pe0'] });
    expect(r.diagnostics.map((d) => d.code)).toEqual(['unsupported-attribute-value']);
    expect(r.diagnostics[0]!.message).toContain('per-axis quantization parameters are not supported yet');

    const b2 = new GraphBuilder();
    const u = b2.input('u', 'int8', [1, 2, 2, 2]);
    const v = b2.input('v', 'int8', [1, 1, 1, 2]);
    const s = b2.init('s', tensor('float32', [], [0.1]));
    const z = b2.init('z', tensor('int8', [], [0]));
    b2.output(b2.node('QuantizeLinear', [b2.node('Add', [b2.node('DequantizeLinear', [u, s, z]), b2.node('DequantizeLinear', [v, s, z])]), s, z]));
    const r2 = compile(b2.build('bcast'), pulp(), { cores: ['pe0'] });
    expect(r2.diagnostics.map((d) => d.code)).toEqual(['unsupported-shape']);
    expect(r2.diagnostics[0]!.message).toContain('broadcasting is not supported');
  });
});
