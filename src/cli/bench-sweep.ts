/**
 * `edgesim bench sweep`: design-space sweep speed, as the exploration issue asks for it: design
 * points evaluated per second on the analytic path and on the simulated path, and the simulated
 * path's scaling with worker threads. One invocation evaluates the same points of one sweep file
 * (default: the shipped ADC x tile-size study) analytic-only in this thread, then simulated-only
 * on each `--workers` count (1 = this thread, as `sweep --workers 1`; more = the sweep's piscina
 * pool, each thread preparing the file once), and checks that every worker count gives the same
 * results. Timed (wall clock, `performance.now()`): from the first point submitted to the last
 * result. Untimed and reported apart: preparing the file (model import, data) and, for pools,
 * starting the threads with one warm-up point each. Nothing is written to disk, no cache is
 * used. Nothing is asserted on time.
 */
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import type { PointResult } from '../dse/index.js';
import { SimError, formatDiagnostics, formatTable } from '../util/index.js';
import { evaluatePoint, preparePoint, prepareSweep, restricted } from './sweep-eval.js';

/** The sweep `bench sweep` runs by default (package root, not the cwd). */
export const DEFAULT_BENCH_SWEEP = fileURLToPath(new URL('../../scenarios/sweep-adc-hermes.yaml', import.meta.url));

/** Options of {@link runSweepBench}. */
export interface SweepBenchOptions {
  readonly sweep?: string;
  /** Points evaluated per configuration (the first n of the file; default 8). */
  readonly points?: number;
  /** Inferences per point on the simulated path (default: the file's). */
  readonly inferences?: number;
  /** Worker counts of the simulated runs, ascending, including 1 (default [1, 2]). */
  readonly workers?: readonly number[];
  readonly progress?: (msg: string) => void;
}

/** One configuration's measurement (seconds of wall time). */
export interface SweepBenchRow {
  readonly path: 'analytic' | 'simulated';
  readonly workers: number;
  readonly points: number;
  readonly inferencesPerPoint: number;
  readonly setupSeconds: number;
  readonly wallSeconds: number;
  readonly pointsPerSecond: number;
  /** Simulated rows: the 1-worker wall time over this row's. */
  readonly speedup: number | null;
}

/** The benchmark's result. */
export interface SweepBenchResult {
  readonly sweep: string;
  readonly prepareSeconds: number;
  readonly rows: readonly SweepBenchRow[];
  /** Every simulated configuration gave identical point results. */
  readonly deterministic: boolean;
  readonly cpus: number;
}

const seconds = (t0: number): number => (performance.now() - t0) / 1000;

/** Runs the benchmark. @throws SimError for a bad sweep file or options. */
export async function runSweepBench(o: SweepBenchOptions = {}): Promise<SweepBenchResult> {
  const file = resolve(o.sweep ?? DEFAULT_BENCH_SWEEP);
  const workers = o.workers ?? [1, 2];
  if (workers[0] !== 1) throw new SimError('bad-argument', `--workers must start with 1 (the reference of the speed-up), got ${workers.join(',')}`);
  const t0 = performance.now();
  const p = prepareSweep(file);
  if (p.value === undefined) throw new SimError('bad-sweep', `${file}:\n${formatDiagnostics(p.diagnostics)}`);
  const ctx = p.value;
  if (!ctx.spec.evaluate.simulate || ctx.data === undefined) throw new SimError('bad-argument', `${file} does not simulate (evaluate: analytic or no data): the benchmark needs a sweep with data`);
  const n = Math.min(o.points ?? 8, ctx.points.length);
  const prepareSeconds = seconds(t0);
  const rows: SweepBenchRow[] = [];
  const infer = o.inferences ?? ctx.spec.inferences;

  // analytic, this thread (one untimed warm-up point): the estimate alone, then with the evaluator's accuracy
  o.progress?.(`analytic path, ${n} point(s), estimate only`);
  const ectx = restricted(ctx, 'analytic', 0);
  const e0 = performance.now();
  evaluatePoint(ectx, preparePoint(ectx, ctx.points[0]!));
  const setupE = seconds(e0);
  const e1 = performance.now();
  for (const pt of ctx.points.slice(0, n)) evaluatePoint(ectx, preparePoint(ectx, pt));
  const we = seconds(e1);
  rows.push({ path: 'analytic', workers: 1, points: n, inferencesPerPoint: 0, setupSeconds: setupE, wallSeconds: we, pointsPerSecond: n / we, speedup: null });
  o.progress?.(`analytic path, ${n} point(s), with the evaluator's accuracy`);
  const actx = restricted(ctx, 'analytic', o.inferences);
  const s0 = performance.now();
  evaluatePoint(actx, preparePoint(actx, ctx.points[0]!));
  const setupA = seconds(s0);
  const a0 = performance.now();
  for (const pt of ctx.points.slice(0, n)) evaluatePoint(actx, preparePoint(actx, pt));
  const wa = seconds(a0);
  rows.push({ path: 'analytic', workers: 1, points: n, inferencesPerPoint: actx.spec.inferences, setupSeconds: setupA, wallSeconds: wa, pointsPerSecond: n / wa, speedup: null });

  // simulated, on each worker count
  const sctx = restricted(ctx, 'simulate', o.inferences);
  const results: PointResult[][] = [];
  for (const w of workers) {
    o.progress?.(`simulated path, ${n} point(s) x ${infer} inference(s), ${w} worker(s)`);
    let setup: number;
    let wall: number;
    let got: PointResult[];
    if (w === 1) {
      const s1 = performance.now();
      evaluatePoint(sctx, preparePoint(sctx, ctx.points[0]!));
      setup = seconds(s1);
      const t1 = performance.now();
      got = ctx.points.slice(0, n).map((pt) => evaluatePoint(sctx, preparePoint(sctx, pt)));
      wall = seconds(t1);
    } else {
      const s1 = performance.now();
      const pool = new Piscina({ filename: fileURLToPath(new URL('./sweep-worker.js', import.meta.url)), minThreads: w, maxThreads: w, idleTimeout: 1000 });
      try {
        const task = (index: number): Promise<PointResult> => pool.run({ file, index, path: 'simulate', ...(o.inferences === undefined ? {} : { inferences: o.inferences }) }) as Promise<PointResult>;
        await Promise.all(Array.from({ length: w }, () => task(0)));
        setup = seconds(s1);
        const t1 = performance.now();
        got = await Promise.all(ctx.points.slice(0, n).map((pt) => task(pt.index)));
        wall = seconds(t1);
      } finally {
        await pool.destroy();
      }
    }
    results.push(got);
    rows.push({ path: 'simulated', workers: w, points: n, inferencesPerPoint: infer, setupSeconds: setup, wallSeconds: wall, pointsPerSecond: n / wall, speedup: null });
  }
  const one = rows.find((r) => r.path === 'simulated' && r.workers === 1)!;
  const final = rows.map((r) => (r.path === 'simulated' ? { ...r, speedup: one.wallSeconds / r.wallSeconds } : r));
  const canon = (rs: readonly PointResult[]): string => JSON.stringify(rs.map((r) => ({ ...r, hash: '' })));
  return { sweep: file, prepareSeconds, rows: final, deterministic: results.every((r) => canon(r) === canon(results[0]!)), cpus: availableParallelism() };
}

/** The result as a table, every number with its unit. */
export function formatSweepBench(r: SweepBenchResult): string {
  const table = formatTable([
    ['path', 'workers', 'points', 'inferences/point', 'setup [s]', 'wall [s]', 'points/s', 'speed-up'],
    ...r.rows.map((x) => [x.path === 'analytic' && x.inferencesPerPoint === 0 ? 'analytic (estimate only)' : x.path === 'analytic' ? 'analytic + evaluator accuracy' : x.path, String(x.workers), String(x.points), x.path === 'analytic' && x.inferencesPerPoint === 0 ? '-' : String(x.inferencesPerPoint), x.setupSeconds.toFixed(2), x.wallSeconds.toFixed(2), x.pointsPerSecond.toFixed(3), x.speedup === null ? '-' : `${x.speedup.toFixed(2)}x`]),
  ], [false, true, true, true, true, true, true, true]);
  const a = r.rows.find((x) => x.path === 'analytic' && x.inferencesPerPoint === 0)!;
  const s = r.rows.find((x) => x.path === 'simulated' && x.workers === 1)!;
  return `sweep bench: ${r.sweep} (preparation ${r.prepareSeconds.toFixed(2)} s, ${r.cpus} CPU(s) available)\n\n${table}\n\nanalytic estimate over simulation (1 worker): ${(a.pointsPerSecond / s.pointsPerSecond).toFixed(1)}x more points per second; results identical on every worker count: ${r.deterministic ? 'yes' : 'NO'}\n`;
}
