/**
 * `edgesim sweep <sweep.yaml> [--workers N] [-o dir] [--cache dir] [--fresh] [--quiet] [--json]`:
 * a design-space sweep. Points (grid, random or Latin hypercube over the file's axes) are
 * evaluated on worker threads (piscina, one task per point); each result is written to the cache
 * as `<cache>/<hash>.json`, the hash covering everything that determines it (elaborated platform,
 * model, targets, splits, precision, data, inferences, seed, evaluation), so a sweep started
 * again (or another sweep sharing points and cache) skips what is done: a killed sweep resumes.
 * At the end: `sweep.json` (points, front, hypervolume, analytic error, normalization),
 * `points.csv`, `report.html` and a table.
 */
import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import cliProgress from 'cli-progress';
import { Piscina } from 'piscina';
import { analyticError, checkResults, formatAxisValue, normalizedObjectives, objectiveValues, resultsCsv, sweepFront, violations, type AnalyticError, type PointResult, type SweepFront } from '../dse/index.js';
import { OBJECTIVE_UNIT, type ObjectiveName, type SweepSpec } from '../platform/index.js';
import { SimError, formatDiagnostics, formatTable } from '../util/index.js';
import type { CommandOutput } from './compile-command.js';
import { REPORT_FILE, writeDseReport } from './report-files.js';
import { SHARD_FILE, shardItems, writeShardInfo, type Shard, type ShardInfo } from './shard.js';
import { SWEEP_EVAL_VERSION, evaluatePoint, ownDiagnostics, preparePoint, prepareSweep, type PreparedPoint, type SweepContext } from './sweep-eval.js';
import { writeAtomic } from './files.js';

/** Options of {@link sweepCommand}. */
export interface SweepOptions {
  /** Worker threads (default: the machine's available parallelism); 1 runs in this thread. */
  readonly workers?: number;
  readonly out?: string;
  /** Result cache folder (default `<out>/cache`); several sweeps may share one. */
  readonly cache?: string;
  /** Ignore cached results (they are overwritten). */
  readonly fresh?: boolean;
  readonly quiet?: boolean;
  readonly json?: boolean;
  /** Stop after this many newly evaluated points (tests of resuming; the run then reports itself incomplete). */
  readonly stopAfter?: number;
  /** Evaluate only shard k of n of the points (`shard.ts`); the output is a shard folder for `edgesim merge`. */
  readonly shard?: Shard;
}

/** What `sweep.json` holds. */
export interface SweepOutput {
  readonly sweep: string;
  readonly doc: string | null;
  readonly file: string;
  readonly evalVersion: number;
  readonly evaluate: SweepSpec['evaluate'];
  readonly inferences: number;
  readonly axes: readonly { readonly key: string; readonly kind: string }[];
  readonly constraints: readonly string[];
  /** The instances the area objective counts (globs), null = the whole platform. */
  readonly areaOf: readonly string[] | null;
  readonly points: readonly (PointResult & { readonly objectives: Partial<Record<ObjectiveName, number>>; readonly violations: readonly string[] })[];
  readonly front: SweepFront;
  readonly analyticError: AnalyticError;
  readonly normalized: NonNullable<ReturnType<typeof normalizedObjectives>> | null;
}

const defaultOut = (name: string): string => join('traces', `sweep-${name}`.replace(/[^A-Za-z0-9._-]+/g, '_'));

/** The sweep's worker pool: `workers` threads running `sweep-worker.js`. */
function sweepPool(workers: number): Piscina {
  return new Piscina({ filename: fileURLToPath(new URL('./sweep-worker.js', import.meta.url)), minThreads: workers, maxThreads: workers, idleTimeout: 1000 });
}

/** Reads a cached result; undefined when absent or unreadable (then it is evaluated again). */
function readCached(path: string): PointResult | undefined {
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as PointResult;
  } catch {
    return undefined;
  }
}

const fmt = (x: number | undefined, digits = 4): string => (x === undefined ? '-' : x !== 0 && Math.abs(x) < 1e-3 ? x.toExponential(digits - 1) : String(Number(x.toPrecision(digits))));

/** Runs (or resumes) a sweep. */
export async function sweepCommand(file: string, o: SweepOptions = {}): Promise<CommandOutput> {
  let prep;
  try {
    prep = prepareSweep(file);
  } catch (e) {
    if (e instanceof SimError) return { stdout: '', stderr: `edgesim: error [${e.code}]: ${e.message}\n`, exitCode: 1 };
    throw e;
  }
  const shownDiags = prep.diagnostics.length > 0 ? `${formatDiagnostics(prep.diagnostics)}\n` : '';
  if (prep.value === undefined) return { stdout: '', stderr: shownDiags, exitCode: 1 };
  const ctx = prep.value;
  const spec = ctx.spec;
  const outDir = o.out ?? defaultOut(spec.name);
  const cacheDir = o.cache ?? join(outDir, 'cache');
  mkdirSync(cacheDir, { recursive: true });

  // every point's platform and cache key; errors positioned in the sweep file stop the sweep
  const everyPoint: PreparedPoint[] = ctx.points.map((p) => preparePoint(ctx, p));
  const prepared = shardItems(everyPoint, o.shard);
  const own = everyPoint.flatMap((pp) => ownDiagnostics(ctx, pp.diagnostics));
  if (own.length > 0) {
    const seen = new Set<string>();
    const uniq = own.filter((d) => {
      const k = `${d.line}:${d.column}:${d.message}`;
      return seen.has(k) ? false : (seen.add(k), true);
    });
    return { stdout: '', stderr: `${shownDiags}${formatDiagnostics(uniq)}\n`, exitCode: 1 };
  }
  const results = new Map<number, PointResult>();
  if (o.fresh !== true) {
    for (const pp of prepared) {
      const r = readCached(join(cacheDir, `${pp.hash}.json`));
      // a cached result of the same hash may come from another sweep: relabel it as this point
      if (r !== undefined && r.hash === pp.hash) results.set(pp.point.index, { ...r, index: pp.point.index, label: pp.point.label, values: pp.point.values });
    }
  }
  const cachedCount = results.size;
  let todo = prepared.filter((pp) => !results.has(pp.point.index));
  if (o.stopAfter !== undefined) todo = todo.slice(0, o.stopAfter);
  const workers = Math.max(1, Math.min(o.workers ?? availableParallelism(), todo.length || 1));
  const bar = o.quiet === true || process.stderr.isTTY !== true ? undefined
    : new cliProgress.SingleBar({ format: `sweep ${spec.name} [{bar}] {value}/{total} points | ETA {eta_formatted}`, etaBuffer: 10, stream: process.stderr }, cliProgress.Presets.shades_classic);
  bar?.start(prepared.length, cachedCount);
  const hash = sweepHash(ctx, everyPoint);
  const shardInfo = (): ShardInfo => ({
    kind: 'sweep', name: spec.name, hash, file: resolve(file), shard: o.shard!.k, shards: o.shard!.n, total: prepared.length, done: results.size, complete: results.size === prepared.length,
    run: {},
  });
  // a shard's results: points.jsonl, rewritten once with what the cache already holds, then one
  // line appended per point (a kill leaves at most a cut-off last line, which the merge drops)
  const shardPoints = join(outDir, SHARD_POINTS);
  if (o.shard !== undefined) {
    mkdirSync(outDir, { recursive: true });
    writeAtomic(shardPoints, prepared.map((pp) => results.get(pp.point.index)).filter((r) => r !== undefined).map((r) => `${JSON.stringify(r)}\n`).join(''));
    writeShardInfo(outDir, shardInfo());
  }
  const record = (r: PointResult): void => {
    writeAtomic(join(cacheDir, `${r.hash}.json`), `${JSON.stringify(r)}\n`);
    results.set(r.index, r);
    if (o.shard !== undefined) {
      appendFileSync(shardPoints, `${JSON.stringify(r)}\n`);
      writeShardInfo(outDir, shardInfo());
    }
    bar?.increment(1);
  };
  try {
    if (workers === 1) {
      for (const pp of todo) record(evaluatePoint(ctx, pp));
    } else {
      const pool = sweepPool(workers);
      try {
        await Promise.all(todo.map((pp) => (pool.run({ file: resolve(file), index: pp.point.index }) as Promise<PointResult>).then(record)));
      } finally {
        await pool.destroy();
      }
    }
  } catch (e) {
    bar?.stop();
    const msg = e instanceof SimError ? `[${e.code}]: ${e.message}` : `[sweep-worker]: ${e instanceof Error ? e.message : String(e)}`;
    return { stdout: '', stderr: `${shownDiags}edgesim: error ${msg}\n(results so far are kept in ${cacheDir}; run the same command to resume)\n`, exitCode: 1 };
  }
  bar?.stop();
  const all = prepared.map((pp) => results.get(pp.point.index)).filter((r): r is PointResult => r !== undefined);
  checkResults(ctx.points, all);
  if (all.length < prepared.length) {
    return { stdout: `${all.length - cachedCount} point(s) evaluated, ${prepared.length - all.length} of ${prepared.length} still to do; run the same command to resume (cache ${cacheDir})\n`, stderr: shownDiags, exitCode: 0 };
  }
  if (o.shard !== undefined) {
    const text = `sweep '${spec.name}' shard ${o.shard.k}/${o.shard.n}: ${prepared.length} of ${everyPoint.length} point(s) (${all.length - cachedCount} evaluated now on ${workers} worker(s), ${cachedCount} from the cache), complete; merge the shards with 'edgesim merge <shard folders> -o <dir>'\nresults: ${join(outDir, SHARD_POINTS)}, ${join(outDir, SHARD_FILE)}\n`;
    return { stdout: o.json === true ? `${JSON.stringify(shardInfo(), null, 2)}\n` : text, stderr: shownDiags, exitCode: 0 };
  }
  const out = sweepOutput(ctx, resolve(file), all);
  writeSweepOutputs(ctx, outDir, out, all);
  if (o.json === true) return { stdout: `${JSON.stringify(out, null, 2)}\n`, stderr: shownDiags, exitCode: 0 };
  const text = formatSweep(ctx, out, { evaluated: all.length - cachedCount, cached: cachedCount, workers });
  return { stdout: `${text}\nresults: ${join(outDir, 'sweep.json')}, ${join(outDir, 'points.csv')}, ${join(outDir, REPORT_FILE)}\n`, stderr: shownDiags, exitCode: 0 };
}

/** A shard folder's point results (JSON lines, one per point). */
export const SHARD_POINTS = 'points.jsonl';

/** Reads a shard's `points.jsonl`; a cut-off last line (a killed shard) is dropped, anything else unreadable is an error. */
export function readShardPoints(path: string): PointResult[] {
  const lines = readFileSync(path, 'utf8').split('\n');
  const out: PointResult[] = [];
  lines.forEach((l, i) => {
    if (l.trim() === '') return;
    try {
      out.push(JSON.parse(l) as PointResult);
    } catch {
      if (lines.slice(i + 1).some((x) => x.trim() !== '')) throw new SimError('corrupt-results', `${path}: line ${i + 1} is not valid JSON; run the shard again`);
    }
  });
  return out;
}

/** The hash every shard of one sweep shares: the sweep file's text and every point's cache key. */
export function sweepHash(ctx: SweepContext, points: readonly PreparedPoint[]): string {
  const h = createHash('sha256');
  h.update(readFileSync(ctx.file, 'utf8'));
  for (const pp of points) h.update(`\u0000${pp.hash}`);
  return h.digest('hex').slice(0, 16);
}

/** Writes a finished sweep's outputs (`sweep.json`, `points.csv`, `report.html`) into `outDir`. */
export function writeSweepOutputs(ctx: SweepContext, outDir: string, out: SweepOutput, results: readonly PointResult[]): void {
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'sweep.json'), `${JSON.stringify(out, null, 2)}\n`);
  writeFileSync(join(outDir, 'points.csv'), resultsCsv(ctx.spec, [...results].sort((a, b) => a.index - b.index), out.front));
  writeDseReport(outDir, out);
}

/** The order-independent output of a finished sweep. */
export function sweepOutput(ctx: SweepContext, file: string, results: readonly PointResult[]): SweepOutput {
  const spec = ctx.spec;
  const sorted = [...results].sort((a, b) => a.index - b.index);
  const front = sweepFront(spec, sorted);
  return {
    sweep: spec.name, doc: spec.doc ?? null, file, evalVersion: SWEEP_EVAL_VERSION, evaluate: spec.evaluate, inferences: spec.inferences,
    axes: spec.axes.map((a) => ({ key: a.key, kind: a.what.kind })), constraints: spec.constraints.map((c) => `${c.metric} ${c.text}`), areaOf: spec.areaOf?.globs ?? null,
    points: sorted.map((r) => ({ ...r, objectives: objectiveValues(r), violations: r.error === null ? violations(spec, r) : [] })),
    front, analyticError: analyticError(sorted), normalized: normalizedObjectives(spec, sorted) ?? null,
  };
}

/** The sweep as text: one row per point (front marked), the front, hypervolume, analytic error. */
export function formatSweep(ctx: SweepContext, out: SweepOutput, run: { evaluated: number; cached: number; workers: number }): string {
  const spec = ctx.spec;
  const onFront = new Set(out.front.front);
  const objs = spec.objectives.map((o) => o.name);
  const shown: ObjectiveName[] = ['accuracy', 'latency', 'energy', 'area', 'perfPerArea'];
  const head = ['#', ...spec.axes.map((a) => a.key), ...shown.map((n) => `${n} [${OBJECTIVE_UNIT[n]}]`), ...(out.normalized === null ? [] : objs.map((n) => `${n} / ref`)), 'status'];
  const rows = out.points.map((p, i) => {
    const status = p.error !== null ? `error: ${p.error.split('\n')[0]!.slice(0, 60)}` : p.violations.length > 0 ? `infeasible: ${p.violations[0]!}` : onFront.has(p.index) ? 'Pareto' : '';
    return [String(p.index), ...spec.axes.map((a) => formatAxisValue(p.values[a.key]!)), ...shown.map((n) => fmt(p.objectives[n])),
      ...(out.normalized === null ? [] : objs.map((n) => fmt(out.normalized!.ratios[i]![n], 3))), status];
  });
  const ae = out.analyticError;
  const lines = [
    `sweep '${spec.name}': ${out.points.length} point(s) (${spec.sampling.method}${spec.sampling.method === 'grid' ? '' : `, ${spec.sampling.samples} samples`}), ${run.evaluated} evaluated now on ${run.workers} worker(s), ${run.cached} from the cache`,
    `area: ${spec.areaOf === undefined ? 'the whole platform' : `instances matching ${spec.areaOf.globs.map((g) => `'${g}'`).join(', ')}`} (cell area from the energy model's area terms; no placement, wiring or clock tree)`,
    `evaluation: ${[spec.evaluate.analytic ? 'analytic (compiler predictions priced by the energy model; accuracy from the reference evaluator)' : '', spec.evaluate.simulate ? `simulated (${spec.inferences} inference(s) per point)` : ''].filter((x) => x !== '').join(' + ')}; objectives use simulated figures where there are some`,
    '',
    formatTable([head, ...rows], head.map((_, k) => k > spec.axes.length && k < head.length - 1)),
    '',
    `objectives: ${spec.objectives.map((o) => `${o.name} (${o.sense})`).join(', ')}; ${out.front.feasible.length} feasible point(s), ${out.front.front.length} on the Pareto front: ${out.front.front.map((i) => `#${i}`).join(' ') || '-'}`,
    out.front.front.length > 0 ? `hypervolume ${fmt(out.front.hypervolume, 6)} (${out.front.objectives.map((o) => o.unit).join(' x ')}) against reference (${out.front.reference.map((x) => fmt(x, 4)).join(', ')})` : '',
    ae.points > 0 && ae.latency !== null
      ? `analytic vs simulated over ${ae.points} point(s): latency error mean |${ae.latency.meanAbsPct.toFixed(1)} %| (max ${ae.latency.maxAbsPct.toFixed(1)} %, mean signed ${ae.latency.meanPct.toFixed(1)} %)${ae.energy === null ? '' : `, energy mean |${ae.energy.meanAbsPct.toFixed(1)} %| (max ${ae.energy.maxAbsPct.toFixed(1)} %, mean signed ${ae.energy.meanPct.toFixed(1)} %)`}; accuracy: evaluator and simulation differ at ${ae.accuracyMismatches} point(s)`
      : '',
    out.normalized === null ? '' : `normalized to the best point with ${spec.normalize!.axis} = ${String(spec.normalize!.value)}: ${Object.entries(out.normalized.reference).map(([k, v]) => `${k} #${v.point} (${fmt(v.value)} ${OBJECTIVE_UNIT[k as ObjectiveName]})`).join(', ')}`,
    out.points.some((p) => p.energyUnpriced.length > 0) ? `energy is a lower bound: no price for ${[...new Set(out.points.flatMap((p) => p.energyUnpriced))].slice(0, 6).join(', ')}` : '',
    out.points.some((p) => p.areaUm2 === 0) ? 'area: 0 where the tech files give no area (perfPerArea then missing)' : '',
  ];
  return `${lines.filter((l) => l !== '').join('\n').replace('\n\n\n', '\n\n')}\n`;
}
