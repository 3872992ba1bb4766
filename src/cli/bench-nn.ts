/**
 * `bench nn` (not wired into the command line yet): ResNet-8 int8 inferences per CPU-second of
 * the functional reference evaluator (src/nn), the speed baseline for simulated inference.
 * Only the evaluator's `run` calls are timed; import and weight preparation are not.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type NnGraph, type Tensor, attrInt, createEvaluator, importOnnx, tensor } from '../nn/index.js';
import { SimError, formatDiagnostics } from '../util/index.js';

const FIXTURES = '../../test/fixtures/models/';

/** Options of {@link runNnBench}. */
export interface NnBenchOptions {
  /** The model file (default: the ResNet-8 QOperator fixture). Its single input must be int8 NCHW. */
  readonly model?: string;
  /** Timed inferences (default 50). */
  readonly inferences?: number;
  /** Untimed inferences first (default 3). */
  readonly warmup?: number;
  readonly requant?: 'float32' | 'fixed-point';
}

/** One measurement. */
export interface NnBenchResult {
  readonly model: string;
  readonly requant: 'float32' | 'fixed-point';
  readonly inferences: number;
  /** Multiply-accumulates per inference of the conv / matmul nodes. */
  readonly macsPerInference: number;
  readonly cpuSeconds: number;
  readonly inferencesPerCpuSecond: number;
  readonly macsPerCpuSecond: number;
}

const defaultModel = (): string => fileURLToPath(new URL(`${FIXTURES}mlperf_tiny_resnet8_int8_qop.onnx`, import.meta.url));

/** Inputs: the CIFAR-10 fixture images (pixel - 128) when present, else a deterministic pattern. */
function inputsFor(g: NnGraph, count: number): Map<string, Tensor>[] {
  const vi = g.inputs[0];
  if (vi === undefined || g.inputs.length !== 1 || vi.shape === undefined || vi.shape.some((d) => typeof d !== 'number')) {
    throw new SimError('bench-nn', 'the model must have one input with a fixed shape');
  }
  const shape = vi.shape as number[];
  const n = shape.reduce((a, b) => a * b, 1);
  const images = fileURLToPath(new URL(`${FIXTURES}data/cifar10_test500_images_u8.bin`, import.meta.url));
  const px = n === 3072 && existsSync(images) ? new Uint8Array(readFileSync(images)) : undefined;
  return Array.from({ length: Math.max(1, Math.min(count, 100)) }, (_, i) => {
    const values = Array.from({ length: n }, (_, k) => (px !== undefined ? px[i * n + k]! - 128 : ((k * 37 + i * 11) % 256) - 128));
    return new Map([[vi.name, tensor(vi.dtype ?? 'int8', shape, values)]]);
  });
}

/** MACs of conv / matmul nodes for one inference, from the shapes of a traced run. */
function countMacs(g: NnGraph, all: ReadonlyMap<string, Tensor>): number {
  let macs = 0;
  for (const n of g.nodes) {
    const out = all.get(n.outputs[0] ?? '');
    if (out === undefined) continue;
    const outElems = out.shape.reduce((a, b) => a * b, 1);
    if (n.opType === 'QLinearConv' || n.opType === 'ConvInteger' || n.opType === 'Conv') {
      const w = all.get(n.inputs[n.opType === 'QLinearConv' ? 3 : 1] ?? '');
      if (w !== undefined) macs += outElems * (w.shape[1] ?? 1) * (w.shape[2] ?? 1) * (w.shape[3] ?? 1);
    } else if (n.opType === 'QLinearMatMul' || n.opType === 'MatMulInteger' || n.opType === 'MatMul' || n.opType === 'Gemm') {
      const a = all.get(n.inputs[0] ?? '');
      const k = a === undefined ? 0 : n.opType === 'Gemm' && attrInt(n, 'transA', 0) !== 0 ? a.shape[0]! : a.shape[a.shape.length - 1]!;
      macs += outElems * k;
    }
  }
  return macs;
}

/** Runs the reference evaluator on the model and returns inferences and MACs per CPU-second. */
export function runNnBench(opts: NnBenchOptions = {}): NnBenchResult {
  const file = opts.model ?? defaultModel();
  const inferences = opts.inferences ?? 50;
  const warmup = opts.warmup ?? 3;
  const requant = opts.requant ?? 'float32';
  if (!Number.isInteger(inferences) || inferences < 1) throw new SimError('bench-nn', `inferences must be a positive integer, got ${inferences}`);
  if (!existsSync(file)) throw new SimError('bench-nn', `model file ${file} does not exist`);
  const r = importOnnx(new Uint8Array(readFileSync(file)), { file });
  if (r.value === undefined) throw new SimError('bench-nn', formatDiagnostics(r.diagnostics));
  const g = r.value;
  const ev = createEvaluator(g, { requant });
  const ins = inputsFor(g, inferences);
  const macs = countMacs(g, ev.runAll(ins[0]!));
  for (let i = 0; i < warmup; i++) ev.run(ins[i % ins.length]!);
  const c0 = process.cpuUsage();
  for (let i = 0; i < inferences; i++) ev.run(ins[i % ins.length]!);
  const c1 = process.cpuUsage(c0);
  const cpuSeconds = (c1.user + c1.system) / 1e6;
  const per = cpuSeconds > 0 ? 1 / cpuSeconds : Infinity;
  return {
    model: file,
    requant,
    inferences,
    macsPerInference: macs,
    cpuSeconds,
    inferencesPerCpuSecond: inferences * per,
    macsPerCpuSecond: inferences * macs * per,
  };
}

/** One line per requantization form, e.g. `nn reference resnet8 float32: inferences_per_cpu_s=...`. */
export function nnBenchLines(opts: Omit<NnBenchOptions, 'requant'> = {}): string[] {
  return (['float32', 'fixed-point'] as const).map((requant) => {
    const r = runNnBench({ ...opts, requant });
    return `nn reference ${r.model.split('/').pop()} ${requant}: inferences_per_cpu_s=${r.inferencesPerCpuSecond.toFixed(1)} macs_per_cpu_s=${(r.macsPerCpuSecond / 1e6).toFixed(1)}M (${r.inferences} inferences, ${(r.macsPerInference / 1e6).toFixed(2)}M MACs each, cpu_s=${r.cpuSeconds.toFixed(4)})`;
  });
}
