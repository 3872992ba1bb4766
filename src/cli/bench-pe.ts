/**
 * PE-array benchmark (to be wired as `edgesim bench pe`): multiply-accumulates the PE array's
 * functional model (`gemm` of `src/modules/pe-array/model.ts`, the computation every GEMM/CONV
 * command runs) simulates per CPU-second, for int8 and int16 arrays, next to a plain typed-array
 * triple-loop GEMM of the same shape measured in the same run; the ratio model / plain is the
 * price of bit-exact accumulators (wrapping to accBits, dataflow accumulation order). Only the
 * GEMM calls are timed; both results are compared so a wrong model cannot look fast.
 */
import { gemm, type GemmOperands } from '../modules/index.js';
import { SimError } from '../util/index.js';

/** PE types measured. */
export type PeBenchType = 'int8' | 'int16';

/** One PE type's figures. */
export interface PeBenchFigure {
  readonly peType: PeBenchType;
  readonly M: number;
  readonly N: number;
  readonly K: number;
  /** MACs per run (`M*N*K`) times `repeats`. */
  readonly macs: number;
  /** CPU seconds (user + system) of the model's GEMMs / of the plain loops. */
  readonly modelCpuSeconds: number;
  readonly plainCpuSeconds: number;
  /** MACs per CPU-second (Infinity when the CPU time is below the clock's resolution). */
  readonly modelMacsPerCpuSecond: number;
  readonly plainMacsPerCpuSecond: number;
  /** `modelMacsPerCpuSecond / plainMacsPerCpuSecond` (NaN when either is infinite). */
  readonly ratio: number;
}

/** Options of {@link runPeBench}. */
export interface PeBenchOptions {
  /** GEMM sizes (default 256 each). */
  readonly M?: number;
  readonly N?: number;
  readonly K?: number;
  /** Timed runs per measurement (default 1). */
  readonly repeats?: number;
  /** Untimed warm-up runs (JIT) before each measurement (default 1). */
  readonly warmup?: number;
  /** PE types (default int8, int16). */
  readonly types?: readonly PeBenchType[];
}

/** Deterministic operands (LCG) over the type's full range. */
function operands(t: PeBenchType, n: number, seed: number): Int8Array | Int16Array {
  const out = t === 'int8' ? new Int8Array(n) : new Int16Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s >>> 16; // the typed array wraps to its width
  }
  return out;
}

/** The plain reference: `c[m][n] = sum_k a[m][k] * b[k][n]` in a float64 accumulator (exact at these sizes). */
function plainGemm(a: Int8Array | Int16Array, b: Int8Array | Int16Array, M: number, N: number, K: number): Float64Array {
  const c = new Float64Array(M * N);
  for (let m = 0; m < M; m++) {
    for (let n = 0; n < N; n++) {
      let s = 0;
      for (let k = 0; k < K; k++) s += a[m * K + k]! * b[k * N + n]!;
      c[m * N + n] = s;
    }
  }
  return c;
}

const cpu = (f: () => void): number => {
  const c0 = process.cpuUsage();
  f();
  const c1 = process.cpuUsage(c0);
  return (c1.user + c1.system) / 1e6;
};

/** Measures each PE type (see the module doc). @throws SimError when the model and the plain loop disagree. */
export function runPeBench(o: PeBenchOptions = {}): readonly PeBenchFigure[] {
  const M = o.M ?? 256;
  const N = o.N ?? 256;
  const K = o.K ?? 256;
  const repeats = o.repeats ?? 1;
  const warmup = o.warmup ?? 1;
  for (const [k, v] of Object.entries({ M, N, K, repeats })) {
    if (!Number.isInteger(v) || v < 1) throw new SimError('bench-pe', `${k} must be a positive integer, got ${v}`);
  }
  const out: PeBenchFigure[] = [];
  for (const t of o.types ?? ['int8', 'int16']) {
    const a = operands(t, M * K, 1);
    const b = operands(t, K * N, 2);
    const op = { peType: t, ifmap: a, filter: b } as GemmOperands;
    const array = { dataflow: 'os', rows: 16 } as const;
    let model: Float64Array = new Float64Array(0);
    let plain: Float64Array = new Float64Array(0);
    for (let w = 0; w < warmup; w++) {
      gemm(op, { M, N, K }, array);
      plainGemm(a, b, M, N, K);
    }
    const modelCpuSeconds = cpu(() => {
      for (let r = 0; r < repeats; r++) model = gemm(op, { M, N, K }, array);
    });
    const plainCpuSeconds = cpu(() => {
      for (let r = 0; r < repeats; r++) plain = plainGemm(a, b, M, N, K);
    });
    for (let i = 0; i < plain.length; i++) {
      if (model[i] !== plain[i]) throw new SimError('bench-pe', `${t} GEMM ${M}x${N}x${K}: model and plain loop differ at element ${i} (${model[i]} vs ${plain[i]})`);
    }
    const macs = M * N * K * repeats;
    const modelRate = modelCpuSeconds > 0 ? macs / modelCpuSeconds : Infinity;
    const plainRate = plainCpuSeconds > 0 ? macs / plainCpuSeconds : Infinity;
    out.push({
      peType: t, M, N, K, macs, modelCpuSeconds, plainCpuSeconds,
      modelMacsPerCpuSecond: modelRate,
      plainMacsPerCpuSecond: plainRate,
      ratio: Number.isFinite(modelRate) && Number.isFinite(plainRate) ? modelRate / plainRate : NaN,
    });
  }
  return out;
}

const rate = (x: number): string => (Number.isFinite(x) ? x.toExponential(3) : 'inf');

/** The lines `edgesim bench pe` prints. */
export function peBenchLines(o: PeBenchOptions = {}): string[] {
  return runPeBench(o).map((f) => `pe-array ${f.peType} gemm ${f.M}x${f.N}x${f.K}: model macs_per_cpu_s=${rate(f.modelMacsPerCpuSecond)} (cpu_s=${f.modelCpuSeconds.toFixed(4)}), plain typed-array loop macs_per_cpu_s=${rate(f.plainMacsPerCpuSecond)} (cpu_s=${f.plainCpuSeconds.toFixed(4)}), model / plain = ${Number.isNaN(f.ratio) ? 'n/a' : f.ratio.toFixed(3)}`);
}
