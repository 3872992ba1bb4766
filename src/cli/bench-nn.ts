/**
 * `edgesim bench nn`: ResNet-8 int8 inferences per CPU-second of the functional reference
 * evaluator (src/nn), the speed baseline for simulated inference, and of the compiled network
 * simulated on shipped platforms (pulp-cluster: every MAC runs as core instructions; diana-like:
 * convolutions on the PE array), measured in the same process.
 *
 * What each figure includes (like with like: per-model preparation is excluded on both sides,
 * everything done per inference is included):
 * - evaluator: the `run` calls only (import, evaluator creation excluded; the evaluator reads the
 *   initializers as given, so it has no per-inference preparation);
 * - simulation: per inference, a fresh instantiation of the platform, loading the program, data
 *   images and input (debug transport), the simulation to the last core's exit and reading the
 *   outputs back (`instantiate` + `runCompiled`, what `run --model` does per inference). Import
 *   and compilation (once per model and platform) are excluded. `sim_only` is the part spent
 *   in `runCompiled` (everything but `instantiate`).
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { compile, compileForAccelerators, type AccelCompiled, type Compiled } from '../compiler/index.js';
import { catalog } from '../modules/index.js';
import { type NnGraph, type Tensor, attrInt, createEvaluator, importOnnx, tensor } from '../nn/index.js';
import { loadPlatform } from '../platform/index.js';
import { instantiate, runCompiled } from '../sim/index.js';
import { SimError, formatDiagnostics, hasErrors } from '../util/index.js';
import { readText } from './files.js';

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

/** Both requantization forms (what `bench nn --json` prints). */
export function runNnBenchForms(opts: Omit<NnBenchOptions, 'requant'> = {}): NnBenchResult[] {
  return (['float32', 'fixed-point'] as const).map((requant) => runNnBench({ ...opts, requant }));
}

/** The line of one measurement, e.g. `nn reference resnet8 float32: inferences_per_cpu_s=...`. */
export const formatNnBench = (r: NnBenchResult): string =>
  `nn reference ${r.model.split('/').pop()} ${r.requant}: inferences_per_cpu_s=${r.inferencesPerCpuSecond.toFixed(1)} macs_per_cpu_s=${(r.macsPerCpuSecond / 1e6).toFixed(1)}M (${r.inferences} inferences, ${(r.macsPerInference / 1e6).toFixed(2)}M MACs each, cpu_s=${r.cpuSeconds.toFixed(4)})`;

/** One line per requantization form, e.g. `nn reference resnet8 float32: inferences_per_cpu_s=...`. */
export function nnBenchLines(opts: Omit<NnBenchOptions, 'requant'> = {}): string[] {
  return runNnBenchForms(opts).map(formatNnBench);
}

// ---- simulated inference ----

/** Platforms `bench nn` simulates by default. */
export const SIM_PLATFORMS = ['pulp-cluster', 'diana-like'] as const;

/** One platform's simulated inferences, timed. */
export interface NnSimResult {
  readonly platform: string;
  readonly inferences: number;
  /** Instructions retired by all cores per inference (the same every inference: same program, input-independent control flow). */
  readonly instructionsPerInference: number;
  /** Simulated time per inference, ps (last core exit). */
  readonly simTimePs: number;
  /** CPU seconds of all timed inferences (instantiate + runCompiled). */
  readonly cpuSeconds: number;
  /** Of which in `runCompiled` (load, simulate, read back). */
  readonly runCpuSeconds: number;
  /** Whether every timed inference equals the evaluator's outputs bit for bit. */
  readonly bitExact: boolean;
}

const cpu = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
const sameData = (a: Tensor | undefined, b: Tensor | undefined): boolean =>
  a !== undefined && b !== undefined && a.dtype === b.dtype && a.data.length === b.data.length && a.data.every((v, i) => v === b.data[i]);

/** A prepared simulation bench: model, evaluator, compiled network per platform. */
export interface NnSimBench {
  readonly graph: NnGraph;
  readonly inputs: readonly Map<string, Tensor>[];
  /** Times `n` evaluator inferences (float32 requantization, what the compiled code matches); CPU seconds. */
  evaluator(n: number): number;
  /** Times `n` simulated inferences on `platform`. */
  simulate(platform: string, n: number): NnSimResult;
}

/** Imports the model and compiles it for each platform (untimed). */
export function prepareNnSimBench(platforms: readonly string[], opts: { readonly model?: string; readonly inputs?: number } = {}): NnSimBench {
  const file = opts.model ?? defaultModel();
  if (!existsSync(file)) throw new SimError('bench-nn', `model file ${file} does not exist`);
  const r = importOnnx(new Uint8Array(readFileSync(file)), { file });
  if (r.value === undefined) throw new SimError('bench-nn', formatDiagnostics(r.diagnostics));
  const g = r.value;
  const ev = createEvaluator(g, { requant: 'float32' });
  const inputs = inputsFor(g, opts.inputs ?? 10);
  const compiled = new Map<string, { c: Compiled | AccelCompiled; graph: NonNullable<ReturnType<typeof loadPlatform>['graph']> }>();
  for (const name of platforms) {
    const pf = fileURLToPath(new URL(`../../platforms/${name}.yaml`, import.meta.url));
    const pr = loadPlatform(pf, readText(pf) ?? '', { catalog, readFile: readText });
    if (hasErrors(pr.diagnostics) || pr.graph === undefined) throw new SimError('bench-nn', `cannot load ${pf}:\n${formatDiagnostics(pr.diagnostics)}`);
    const accel = Object.values(pr.graph.instances).some((i) => i.kind === 'pe-array' || i.kind === 'aimc-tile');
    const cr = accel ? compileForAccelerators(g, pr.graph) : compile(g, pr.graph);
    if (cr.value === undefined || hasErrors(cr.diagnostics)) throw new SimError('bench-nn', `cannot compile for ${name}:\n${formatDiagnostics(cr.diagnostics)}`);
    compiled.set(name, { c: cr.value, graph: pr.graph });
  }
  const expected = inputs.map((x) => ev.run(x));
  return {
    graph: g,
    inputs,
    evaluator(n: number): number {
      const c0 = cpu();
      for (let i = 0; i < n; i++) ev.run(inputs[i % inputs.length]!);
      return cpu() - c0;
    },
    simulate(platform: string, n: number): NnSimResult {
      const e = compiled.get(platform);
      if (e === undefined) throw new SimError('bench-nn', `platform ${platform} was not prepared`);
      let total = 0;
      let inRun = 0;
      let instructions = 0;
      let simTimePs = 0;
      let bitExact = true;
      for (let i = 0; i < n; i++) {
        const x = inputs[i % inputs.length]!;
        const c0 = cpu();
        const p = instantiate(e.graph);
        const c1 = cpu();
        const run = runCompiled(p, e.c, x);
        const c2 = cpu();
        total += c2 - c0;
        inRun += c2 - c1;
        instructions = run.cores.reduce((s, k) => s + k.instructions, 0);
        simTimePs = run.time;
        const want = expected[i % inputs.length]!;
        for (const [k, t] of want) if (!sameData(run.outputs.get(k), t)) bitExact = false;
      }
      return { platform, inferences: n, instructionsPerInference: instructions, simTimePs, cpuSeconds: total, runCpuSeconds: inRun, bitExact };
    },
  };
}

const median = (a: readonly number[]): number => {
  const s = [...a].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/**
 * Interleaved rounds (evaluator, then each platform) after one untimed warm-up round; per round
 * each figure is a rate per CPU-second, and the lines give the median over rounds, with the
 * simulation-to-evaluator ratio taken per round (same conditions) and then its median.
 */
export function nnSimBenchLines(opts: NnSimBenchOptions = {}): string[] {
  return formatNnSimBench(runNnSimBench(opts));
}

/** Options of {@link runNnSimBench}. */
export interface NnSimBenchOptions { readonly platforms?: readonly string[]; readonly rounds?: number; readonly evalInferences?: number; readonly simInferences?: Readonly<Record<string, number>> }

/** The medians of `bench nn --sim` (what `--json` prints). */
export interface NnSimBenchReport {
  readonly rounds: number;
  readonly evaluator: { readonly inferencesPerRound: number; readonly inferencesPerCpuSecond: number; readonly rounds: readonly number[] };
  readonly platforms: readonly {
    readonly platform: string; readonly inferencesPerCpuSecond: number; readonly instructionsPerCpuSecond: number; readonly simOnlyInstructionsPerCpuSecond: number;
    readonly evaluatorOverSimulation: number; readonly ratioRounds: readonly number[]; readonly instructionsPerInference: number; readonly simTimePs: number;
    readonly runCompiledShare: number; readonly bitExact: boolean; readonly inferencesPerRound: number;
  }[];
}

/** Runs the interleaved rounds and returns the medians. */
export function runNnSimBench(opts: NnSimBenchOptions = {}): NnSimBenchReport {
  const platforms = opts.platforms ?? SIM_PLATFORMS;
  const rounds = opts.rounds ?? 3;
  const nEval = opts.evalInferences ?? 20;
  const nSim = (p: string): number => opts.simInferences?.[p] ?? (p === 'pulp-cluster' ? 1 : 5);
  const b = prepareNnSimBench(platforms);
  // warm-up (JIT): one untimed round as the timed ones
  b.evaluator(nEval);
  for (const p of platforms) b.simulate(p, nSim(p));
  const evalRates: number[] = [];
  const sims = new Map<string, { rates: number[]; ips: number[]; ipsRun: number[]; ratio: number[]; runShare: number[]; last?: NnSimResult; exact: boolean }>();
  for (const p of platforms) sims.set(p, { rates: [], ips: [], ipsRun: [], ratio: [], runShare: [], exact: true });
  for (let r = 0; r < rounds; r++) {
    const es = b.evaluator(nEval);
    const eRate = nEval / es;
    evalRates.push(eRate);
    for (const p of platforms) {
      const s = b.simulate(p, nSim(p));
      const m = sims.get(p)!;
      const rate = s.inferences / s.cpuSeconds;
      m.rates.push(rate);
      m.ips.push((s.instructionsPerInference * s.inferences) / s.cpuSeconds);
      m.ipsRun.push((s.instructionsPerInference * s.inferences) / s.runCpuSeconds);
      m.ratio.push(eRate / rate);
      m.runShare.push(s.runCpuSeconds / s.cpuSeconds);
      m.last = s;
      if (!s.bitExact) m.exact = false;
    }
  }
  return {
    rounds,
    evaluator: { inferencesPerRound: nEval, inferencesPerCpuSecond: median(evalRates), rounds: evalRates },
    platforms: platforms.map((p) => {
      const m = sims.get(p)!;
      const s = m.last!;
      return {
        platform: p, inferencesPerCpuSecond: median(m.rates), instructionsPerCpuSecond: median(m.ips), simOnlyInstructionsPerCpuSecond: median(m.ipsRun),
        evaluatorOverSimulation: median(m.ratio), ratioRounds: m.ratio, instructionsPerInference: s.instructionsPerInference, simTimePs: s.simTimePs,
        runCompiledShare: median(m.runShare), bitExact: m.exact, inferencesPerRound: s.inferences,
      };
    }),
  };
}

/** The lines of `bench nn --sim`. */
export function formatNnSimBench(r: NnSimBenchReport): string[] {
  const out = [`nn evaluator resnet8 float32: inferences_per_cpu_s=${r.evaluator.inferencesPerCpuSecond.toFixed(1)} (median of ${r.rounds} rounds of ${r.evaluator.inferencesPerRound}: ${r.evaluator.rounds.map((x) => x.toFixed(1)).join(' ')})`];
  for (const p of r.platforms) {
    out.push(
      `nn simulated resnet8 ${p.platform}: inferences_per_cpu_s=${p.inferencesPerCpuSecond.toFixed(2)} instr_per_cpu_s=${(p.instructionsPerCpuSecond / 1e6).toFixed(1)}M (sim_only ${(p.simOnlyInstructionsPerCpuSecond / 1e6).toFixed(1)}M) ` +
        `evaluator/simulation=${p.evaluatorOverSimulation.toFixed(2)}x (rounds: ${p.ratioRounds.map((x) => x.toFixed(2)).join(' ')}) ` +
        `instructions=${(p.instructionsPerInference / 1e6).toFixed(3)}M sim_time=${(p.simTimePs / 1e9).toFixed(3)}ms runCompiled_share=${p.runCompiledShare.toFixed(3)} ${p.bitExact ? 'bit-exact' : 'NOT BIT-EXACT'} (${p.inferencesPerRound} inferences per round)`,
    );
  }
  return out;
}
