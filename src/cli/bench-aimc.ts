/**
 * `edgesim bench aimc`: ideal AIMC matrix-vector products per CPU-second of the pure tile model
 * (`programTile` once, then `aimcMvm` per input vector; no kernel, no platform), next to a plain
 * typed-array integer matrix-vector product of the same shape in the same run. Only the MVM loops
 * are timed (process CPU time); programming is not. Shapes, 8-bit signed pulse-width inputs:
 * - `256x256`: a HERMES core (differential G+/G- with analog subtraction, 512 columns, 8-bit ADC);
 * - `1152x512`: a DIANA-sized array (ternary weights, one column per output, 8-bit ADC).
 * The ratio is plain / AIMC: how many times slower the model's MVM is than the bare product.
 */
import { aimcMvm, programTile, type AimcTileConfig } from '../modules/index.js';

/** One measured shape. */
export interface AimcBenchShape {
  readonly name: string;
  /** Inputs (K) and outputs (N). */
  readonly k: number;
  readonly n: number;
  readonly iterations: number;
  readonly aimcCpuSeconds: number;
  readonly plainCpuSeconds: number;
  /** MVMs per CPU-second (Infinity when the measured time is 0). */
  readonly aimcMvmsPerCpuSecond: number;
  readonly plainMvmsPerCpuSecond: number;
  /** plainMvmsPerCpuSecond / aimcMvmsPerCpuSecond (NaN when either time is 0). */
  readonly ratio: number;
}

/** The result of {@link runAimcBench}. */
export interface AimcBenchResult {
  readonly shapes: readonly AimcBenchShape[];
}

const ADC8 = { bits: 8, fullScale: 128, gain: 1, coding: 'twos-complement' } as const;

/** The benchmarked tile configurations. */
export const AIMC_BENCH_CONFIGS: readonly { readonly name: string; readonly k: number; readonly n: number; readonly config: AimcTileConfig }[] = [
  {
    name: '256x256', k: 256, n: 256,
    config: { rows: 256, cols: 512, mapping: 'differential', subtraction: 'analog', cellBits: 7, weightBits: 8, inputBits: 8, inputSigned: true, dac: 'pulse-width', dacSliceBits: 1, adc: ADC8 },
  },
  {
    name: '1152x512', k: 1152, n: 512,
    config: { rows: 1152, cols: 512, mapping: 'ternary', subtraction: 'analog', cellBits: 1, weightBits: 2, inputBits: 8, inputSigned: true, dac: 'pulse-width', dacSliceBits: 1, adc: ADC8 },
  },
];

const cpuSeconds = (u: NodeJS.CpuUsage): number => (u.user + u.system) / 1e6;

/** Deterministic integers in [lo, hi] (no Math.random: runs are repeatable). */
function fillInts(a: Int32Array, seed: number, lo: number, hi: number): Int32Array {
  let s = seed >>> 0;
  for (let i = 0; i < a.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    a[i] = lo + (s % (hi - lo + 1));
  }
  return a;
}

/** Plain y = x W, W row-major k x n (int32 accumulation with Math.imul: the fastest of the plain loops tried). */
function plainMatVec(w: Int32Array, x: Int32Array, y: Int32Array, k: number, n: number): void {
  y.fill(0);
  for (let i = 0; i < k; i++) {
    const xi = x[i]!;
    if (xi === 0) continue;
    const base = i * n;
    for (let j = 0; j < n; j++) y[j] = (y[j]! + Math.imul(xi, w[base + j]!)) | 0;
  }
}

/**
 * Measures each shape with `iterations` MVMs (after `warmup` untimed ones per loop, for the JIT).
 * @throws Error for iterations < 1.
 */
export function runAimcBench(iterations: number, warmup = Math.min(iterations, 20)): AimcBenchResult {
  if (!Number.isInteger(iterations) || iterations < 1) throw new Error(`bench aimc: iterations must be an integer >= 1, got ${iterations}`);
  const shapes: AimcBenchShape[] = [];
  let sink = 0;
  for (const { name, k, n, config } of AIMC_BENCH_CONFIGS) {
    const ternary = config.mapping === 'ternary';
    const w = fillInts(new Int32Array(k * n), 1, ternary ? -1 : -127, ternary ? 1 : 127);
    const xs = [1, 2, 3, 4].map((s) => fillInts(new Int32Array(k), 100 + s, -127, 127));
    const st = programTile(config, w, k, n, `bench-${name}`);
    const out = new Float64Array(n);
    const y = new Int32Array(n);
    for (let it = 0; it < warmup; it++) sink += aimcMvm(st, xs[it % 4]!, out).out[0]!;
    const a0 = process.cpuUsage();
    for (let it = 0; it < iterations; it++) sink += aimcMvm(st, xs[it % 4]!, out).out[it % n]!;
    const aimcCpu = cpuSeconds(process.cpuUsage(a0));
    for (let it = 0; it < warmup; it++) {
      plainMatVec(w, xs[it % 4]!, y, k, n);
      sink += y[0]!;
    }
    const p0 = process.cpuUsage();
    for (let it = 0; it < iterations; it++) {
      plainMatVec(w, xs[it % 4]!, y, k, n);
      sink += y[it % n]!;
    }
    const plainCpu = cpuSeconds(process.cpuUsage(p0));
    const aimcRate = aimcCpu > 0 ? iterations / aimcCpu : Infinity;
    const plainRate = plainCpu > 0 ? iterations / plainCpu : Infinity;
    shapes.push({
      name, k, n, iterations, aimcCpuSeconds: aimcCpu, plainCpuSeconds: plainCpu,
      aimcMvmsPerCpuSecond: aimcRate, plainMvmsPerCpuSecond: plainRate,
      ratio: aimcCpu > 0 && plainCpu > 0 ? plainRate / aimcRate : NaN,
    });
  }
  if (Number.isNaN(sink)) throw new Error('bench aimc: non-numeric result');
  return { shapes };
}

const rate = (r: number): string => (Number.isFinite(r) ? r.toExponential(3) : 'inf');

/** The lines printed by `edgesim bench aimc`. */
export function aimcBenchLines(iterations: number): string[] {
  return runAimcBench(iterations).shapes.map((s) =>
    `aimc ${s.name} (K=${s.k}, N=${s.n}, 8-bit inputs): aimc_mvm_per_cpu_s=${rate(s.aimcMvmsPerCpuSecond)} plain_matvec_per_cpu_s=${rate(s.plainMvmsPerCpuSecond)} ratio=${Number.isFinite(s.ratio) ? s.ratio.toFixed(2) : 'n/a'} (plain / aimc; iterations=${s.iterations}, aimc_cpu_s=${s.aimcCpuSeconds.toFixed(4)} s, plain_cpu_s=${s.plainCpuSeconds.toFixed(4)} s)`);
}
