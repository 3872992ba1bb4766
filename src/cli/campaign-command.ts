/**
 * `edgesim campaign <scenario.yaml> [--workers N] [-o dir] [--fresh] [--quiet] [--json]`: runs
 * a fault-injection campaign. Items (chip x inference) are simulated on worker threads (piscina),
 * each result appended to `results.jsonl` as it arrives; a campaign started again with the same
 * scenario resumes: items already in the file are not run again, a line cut off by a kill is
 * dropped and its item re-run. At the end `summary.json` (order-independent, so byte-identical
 * for any worker count), `report.html` (charts; `src/report/`) and a table.
 */
import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import cliProgress from 'cli-progress';
import { Piscina } from 'piscina';
import { CampaignRunner, analogNonIdealities, campaignItems, checkCoverage, idealPlatform, itemKey, summarize, type CampaignContext, type CampaignItem, type CampaignSummary, type ItemResult } from '../campaign/index.js';
import { PREPROCESSES, defaultPreprocess, makeDataset, type Preprocess } from '../nn/index.js';
import type { AccelMapping } from '../compiler/index.js';
import { catalog } from '../modules/index.js';
import { applyScenarioParams, checkScenarioTargets, formatSweepValue, loadScenario, scenarioAtPoint, sweepLabel, sweepPoints, type Scenario } from '../platform/index.js';
import { SimError, formatDiagnostics, formatDuration, formatTable, hasErrors, type Diagnostic } from '../util/index.js';
import { compileAuto, readModel, readPlatform, readTargets, type CommandOutput } from './compile-command.js';
import { REPORT_FILE, writeCampaignReport, writeSweepReport } from './report-files.js';
import { SHARD_FILE, shardItems, writeShardInfo, type Shard, type ShardInfo } from './shard.js';
import { isFile, usage } from './files.js';



/** A prepared campaign: the context every item needs, plus what the command reports. */
export interface PreparedCampaign {
  readonly scenario: Scenario;
  readonly file: string;
  readonly hash: string;
  readonly ctx: CampaignContext;
}

/**
 * Loads a scenario and everything it names (paths relative to the scenario's folder), applies
 * its `params` overrides to the platform, compiles the model for the overridden platform and
 * checks the fault targets. Problems come back as diagnostics (positions in the files); a file
 * that does not exist is a `bad-argument` error naming it and who refers to it. When AIMC tiles
 * have analog non-idealities on, a warning `aimc-not-exact` says so (the compiler's mapping
 * report calls a layer exact for the ideal tile), and the fault-free reference runs on the
 * platform without them.
 */
export function prepareCampaign(file: string, point?: readonly number[]): { value?: PreparedCampaign; diagnostics: readonly Diagnostic[] } {
  if (!isFile(file)) throw usage(`cannot read scenario file '${file}': no such file`);
  const text = readFileSync(file, 'utf8');
  const s = loadScenario(file, text);
  if (s.value === undefined || hasErrors(s.diagnostics)) return { diagnostics: s.diagnostics };
  if (s.value.sweep.length > 0 && point === undefined) throw usage(`${file} sweeps ${s.value.sweep.map((a) => a.key).join(' x ')}: prepare one point of it`);
  const at0 = point === undefined ? { value: s.value, diagnostics: [] } : scenarioAtPoint(s.value, point);
  if (at0.value === undefined) return { diagnostics: [...s.diagnostics, ...at0.diagnostics] };
  const sc = at0.value;
  const base = dirname(file);
  const at = (p: string): string => resolve(base, p);
  const need = (p: string, what: string): string => {
    if (!isFile(at(p))) throw usage(`${file}: ${what} '${p}' (${at(p)}) does not exist`);
    return at(p);
  };
  const platformFile = need(sc.platform, 'platform');
  const modelFile = need(sc.model, 'model');
  const imagesFile = need(sc.data.images, 'data.images');
  const labelsFile = sc.data.labels === undefined ? undefined : need(sc.data.labels, 'data.labels');
  const mappingFile = sc.mapping === undefined ? undefined : need(sc.mapping, 'mapping');
  const model = readModel(modelFile);
  const plat = readPlatform(platformFile);
  const diags: Diagnostic[] = [...s.diagnostics, ...model.diagnostics, ...plat.diagnostics];
  if (hasErrors(diags) || model.graph === undefined || plat.graph === undefined) return { diagnostics: diags };
  const over = applyScenarioParams(sc, plat.graph, catalog);
  diags.push(...over.diagnostics);
  if (hasErrors(diags) || over.value === undefined) return { diagnostics: diags };
  const platform = over.value;
  const t = readTargets(mappingFile, undefined, platform);
  const ft = checkScenarioTargets(sc, platform, catalog);
  diags.push(...t.diagnostics, ...ft.diagnostics);
  if (hasErrors(diags) || ft.value === undefined) return { diagnostics: diags };
  const compiled = compileAuto(model.graph, platform, { targets: t.targets, splits: t.splits });
  diags.push(...compiled.diagnostics);
  if (hasErrors(diags) || compiled.value === undefined) return { diagnostics: diags };
  const noisy = analogNonIdealities(platform);
  if (noisy.size > 0) {
    // the compiler's mapping report calls an AIMC layer exact for the ideal tile: say where that no longer holds
    const at = sc.params[0]?.at ?? { file, line: 1, column: 1 };
    const on = [...noisy].map(([n, what]) => `${n} (${what.join(', ')})`).join('; ');
    const mapping: readonly AccelMapping[] = 'mapping' in compiled.value ? compiled.value.mapping : [];
    // layers on the tiles, and split layers whose AIMC part is on them
    const hit = mapping.filter((m) => (m.kind === 'aimc-tile' || m.kind === 'split') && (m.aimc?.tiles ?? [m.split?.aimc.target ?? m.target]).some((x) => noisy.has(x)));
    diags.push(hit.length > 0
      ? { severity: 'warning', code: 'aimc-not-exact', file: at.file, line: at.line, column: at.column,
          message: `analog non-idealities on ${on}: the ${hit.length} layer(s) on these tiles are not exact whatever the mapping report says (it assumes ideal tiles): ${hit.map((m) => m.node).join('; ')}; the fault-free reference runs without the non-idealities` }
      : { severity: 'warning', code: 'aimc-noise-unused', file: at.file, line: at.line, column: at.column,
          message: `analog non-idealities on ${on}, but no layer runs on these tiles: they have no effect`, hint: "force layers onto the tiles with a 'mapping:' file" });
  }
  const graph = model.graph;
  const input = graph.inputs[0];
  if (input === undefined || graph.inputs.length !== 1) throw usage(`${file}: the model '${sc.model}' has ${graph.inputs.length} inputs; a campaign feeds exactly one from data.images`);
  if (sc.data.preprocess !== undefined && !(PREPROCESSES as readonly string[]).includes(sc.data.preprocess)) throw usage(`${file}: data.preprocess '${sc.data.preprocess}' must be one of ${PREPROCESSES.join(', ')}`);
  const images = new Uint8Array(readFileSync(imagesFile));
  const per = sc.data.shape.reduce((a, b) => a * b, 1);
  const labels = labelsFile === undefined ? new Uint8Array(Math.floor(images.length / per)) : new Uint8Array(readFileSync(labelsFile));
  const dataset = makeDataset(images, labels, sc.data.shape, labelsFile === undefined ? imagesFile : `${imagesFile} / ${labelsFile}`);
  if (sc.data.first + sc.inferences > dataset.count) {
    throw usage(`${file}: data.first ${sc.data.first} + inferences ${sc.inferences} exceeds the ${dataset.count} samples of '${sc.data.images}'`);
  }
  const output = graph.outputs[0]!.name;
  // everything that determines the results: a resumed or merged run must match it
  const h = createHash('sha256');
  for (const part of [text, JSON.stringify(point ?? []), readFileSync(platformFile), readFileSync(modelFile), mappingFile === undefined ? '' : readFileSync(mappingFile),
    images.subarray(sc.data.first * per, (sc.data.first + sc.inferences) * per), labels.subarray(sc.data.first, sc.data.first + sc.inferences)]) {
    h.update(typeof part === 'string' ? part : new Uint8Array(part));
    h.update('\u0000');
  }
  const ctx: CampaignContext = {
    scenario: sc, platform, reference: idealPlatform(platform), compiled: compiled.value, targets: ft.value, dataset, input,
    preprocess: (sc.data.preprocess as Preprocess | undefined) ?? defaultPreprocess(input), output,
    tensorOrder: [...graph.inputs.map((i) => i.name), ...graph.nodes.flatMap((n) => n.outputs)], labelled: labelsFile !== undefined,
  };
  return { value: { scenario: sc, file, hash: h.digest('hex').slice(0, 16), ctx }, diagnostics: diags };
}

/** Options of {@link campaignCommand}. */
export interface CampaignOptions {
  /** Worker threads (default: the machine's available parallelism); 1 runs in this thread. */
  readonly workers?: number;
  readonly out?: string;
  /** Discard earlier results instead of resuming. */
  readonly fresh?: boolean;
  readonly quiet?: boolean;
  readonly json?: boolean;
  /** Stop after this many new items (tests of resuming; the run then reports itself incomplete). */
  readonly stopAfter?: number;
  /** Run only shard k of n of the items (`shard.ts`); the output is a shard folder for `edgesim merge`. */
  readonly shard?: Shard;
}

/** Reads earlier results of the same scenario (and the same shard); drops a cut-off last line. */
export function readResults(path: string, hash: string, shard?: Shard): { results: ItemResult[]; rewrite: boolean } {
  if (!existsSync(path)) return { results: [], rewrite: true };
  const lines = readFileSync(path, 'utf8').split('\n');
  const head = lines[0] === undefined || lines[0] === '' ? undefined : (JSON.parse(lines[0]) as { scenarioHash?: string; shard?: number; shards?: number });
  if (head === undefined) return { results: [], rewrite: true };
  if (head.scenarioHash !== hash) {
    throw new SimError('scenario-changed', `${path} holds results of another version of this scenario (hash ${head.scenarioHash ?? '?'}, now ${hash}): run with --fresh to start over, or -o <dir> to keep both`);
  }
  const was = head.shards === undefined ? 'the whole campaign' : `shard ${head.shard}/${head.shards}`;
  const now = shard === undefined ? 'the whole campaign' : `shard ${shard.k}/${shard.n}`;
  if (was !== now) throw new SimError('shard-changed', `${path} holds results of ${was}, this run is ${now}: use another -o folder per shard (or --fresh)`);
  const results: ItemResult[] = [];
  let rewrite = false;
  lines.slice(1).forEach((l, i, all) => {
    if (l.trim() === '') return;
    try {
      results.push(JSON.parse(l) as ItemResult);
    } catch {
      // only the last line can be cut off by a kill; anything else is corruption
      if (i !== all.length - 1 && all.slice(i + 1).some((x) => x.trim() !== '')) throw new SimError('corrupt-results', `${path}: line ${i + 2} is not valid JSON; fix or delete the file (or run with --fresh)`);
      rewrite = true;
    }
  });
  return { results, rewrite };
}

const defaultOut = (name: string): string => join('traces', `campaign-${name}`.replace(/[^A-Za-z0-9._-]+/g, '_'));

/**
 * Runs (or resumes) a campaign. A scenario with a `sweep` runs one campaign per point (every
 * combination of the axes' values) in `<out>/<label>/`, then prints one row per point and writes
 * `<out>/sweep.json`. Every point uses the same item streams (seed, chip, inference), so points
 * differ only by the swept value.
 */
export async function campaignCommand(file: string, o: CampaignOptions = {}): Promise<CommandOutput> {
  if (!isFile(file)) throw usage(`cannot read scenario file '${file}': no such file`);
  const head = loadScenario(file, readFileSync(file, 'utf8'));
  if (head.value === undefined || head.value.sweep.length === 0) return (await runOne(file, undefined, o.out, o)).out;
  const sc = head.value;
  const outDir = o.out ?? defaultOut(sc.name);
  const rows: { label: string; dir: string; values: (string | number | boolean)[]; summary: CampaignSummary }[] = [];
  let stderr = '';
  const pointDirs: { label: string; dir: string; values: (string | number | boolean)[] }[] = [];
  for (const point of sweepPoints(sc)) {
    const label = sweepLabel(sc, point);
    const dir = label.replace(/[^A-Za-z0-9.,=_-]+/g, '_');
    const r = await runOne(file, point, join(outDir, dir), { ...o, json: false }, label);
    if (!stderr.includes(r.out.stderr)) stderr += r.out.stderr; // the same warning at every point: once
    const values = sc.sweep.map((a, k) => a.values[point[k]!]!);
    pointDirs.push({ label, dir, values });
    if (r.shardDone === true) continue;
    if (r.out.exitCode !== 0 || r.summary === undefined) return { stdout: r.out.stdout, stderr: `${stderr}edgesim: sweep point ${label} did not complete\n`, exitCode: r.out.exitCode === 0 ? 0 : r.out.exitCode };
    rows.push({ label, dir, values, summary: r.summary });
  }
  if (o.shard !== undefined) {
    // a shard of a scenario sweep: every point's folder is a campaign shard; this folder describes the sweep
    const infos = pointDirs.map((p) => JSON.parse(readFileSync(join(outDir, p.dir, SHARD_FILE), 'utf8')) as ShardInfo);
    const info: ShardInfo = {
      kind: 'campaign', name: sc.name, hash: createHash('sha256').update(infos.map((i) => i.hash).join(',')).digest('hex').slice(0, 16), file: resolve(file),
      shard: o.shard.k, shards: o.shard.n, total: infos.reduce((a, i) => a + i.total, 0), done: infos.reduce((a, i) => a + i.done, 0), complete: infos.every((i) => i.complete),
      run: { sweep: { scenario: sc.name, axes: sc.sweep.map((a) => ({ key: a.key, values: a.values })), points: pointDirs } },
    };
    writeShardInfo(outDir, info);
    return { stdout: `campaign sweep '${sc.name}' shard ${o.shard.k}/${o.shard.n}: ${pointDirs.length} point(s), ${info.done} of ${info.total} items done; merge the shards with 'edgesim merge <shard folders> -o <dir>'\n`, stderr, exitCode: 0 };
  }
  const sweep = { scenario: sc.name, axes: sc.sweep.map((a) => ({ key: a.key, values: a.values })), points: rows.map((r) => ({ values: r.values, summary: r.summary })) };
  writeFileSync(join(outDir, 'sweep.json'), `${JSON.stringify(sweep, null, 2)}\n`);
  writeSweepReport(outDir, sweep, rows.map((r) => r.dir));
  if (o.json === true) return { stdout: `${JSON.stringify(sweep, null, 2)}\n`, stderr, exitCode: 0 };
  const table = formatTable([
    [...sc.sweep.map((a) => a.key), 'accuracy', '95 % CI', 'differ', 'latency (mean)', 'energy (mean)', ...(sc.threshold === undefined ? [] : [`>= ${pct(sc.threshold)}`])],
    ...rows.map((r) => [
      ...r.values.map(formatSweepValue),
      r.summary.accuracy === null ? '-' : pct(r.summary.accuracy.mean),
      r.summary.accuracy === null ? '-' : `${pct(r.summary.accuracy.ci95[0])} .. ${pct(r.summary.accuracy.ci95[1])}`,
      pct(r.summary.differRate), formatDuration(r.summary.latencyPs.mean), `${r.summary.energyUnpriced.length > 0 ? '>= ' : ''}${(r.summary.energyPj.mean / 1e6).toFixed(3)} uJ`,
      ...(r.summary.verdict === null ? [] : [r.summary.verdict]),
    ]),
  ], [...sc.sweep.map(() => true), true, true, true, true, true, false]);
  const unpriced = [...new Set(rows.flatMap((r) => r.summary.energyUnpriced))].sort();
  const foot = unpriced.length === 0 ? '' : `\n'>=': energy is a lower bound, no price for ${unpriced.slice(0, 6).join(', ')}${unpriced.length > 6 ? ` and ${unpriced.length - 6} more` : ''}\n`;
  return {
    stdout: `sweep '${sc.name}': ${rows.length} point(s) x ${sc.chips} chip(s) x ${sc.inferences} inference(s)\n\n${table}\n${foot}\nresults: ${join(outDir, 'sweep.json')}, ${join(outDir, REPORT_FILE)} (and one folder per point)\n`,
    stderr, exitCode: 0,
  };
}

/** The campaign's worker pool: `workers` threads running `campaign-worker.js` (each prepares the scenario on its first item). */
export function campaignPool(workers: number): Piscina {
  return new Piscina({ filename: fileURLToPath(new URL('./campaign-worker.js', import.meta.url)), minThreads: workers, maxThreads: workers, idleTimeout: 1000 });
}

/** Runs `item` of the scenario in `file` (at sweep point `point` when it sweeps) on a worker of `pool`. */
export function runOnPool(pool: Piscina, file: string, point: readonly number[] | undefined, item: CampaignItem): Promise<ItemResult> {
  return pool.run({ file: resolve(file), point, item }) as Promise<ItemResult>;
}

/** Runs (or resumes) the campaign of one scenario point. */
async function runOne(file: string, point: readonly number[] | undefined, out: string | undefined, o: CampaignOptions, label?: string): Promise<{ out: CommandOutput; summary?: CampaignSummary; shardDone?: boolean }> {
  const prep = prepareCampaign(file, point);
  const shown = prep.diagnostics.length > 0 ? `${formatDiagnostics(prep.diagnostics)}\n` : '';
  if (prep.value === undefined) return { out: { stdout: '', stderr: shown, exitCode: 1 } };
  const { scenario: s, hash, ctx } = prep.value;
  const outDir = out ?? defaultOut(s.name);
  mkdirSync(outDir, { recursive: true });
  const jsonl = join(outDir, 'results.jsonl');
  const header = `${JSON.stringify({ scenario: s.name, scenarioHash: hash, file, ...(o.shard === undefined ? {} : { shard: o.shard.k, shards: o.shard.n }) })}\n`;
  let earlier: ItemResult[] = [];
  if (o.fresh === true) writeFileSync(jsonl, header);
  else {
    try {
      const r = readResults(jsonl, hash, o.shard);
      earlier = r.results;
      if (r.rewrite) writeFileSync(jsonl, header + earlier.map((x) => `${JSON.stringify(x)}\n`).join(''));
    } catch (e) {
      if (e instanceof SimError) return { out: { stdout: '', stderr: `${shown}edgesim: error [${e.code}]: ${e.message}\n`, exitCode: 1 } };
      throw e;
    }
  }
  const all = shardItems(campaignItems(s), o.shard);
  const doneKeys = new Set(earlier.map((r) => r.key));
  let todo = all.filter((it) => !doneKeys.has(itemKey(it)));
  if (o.stopAfter !== undefined) todo = todo.slice(0, o.stopAfter);
  const workers = Math.max(1, Math.min(o.workers ?? availableParallelism(), todo.length || 1));

  const bar = o.quiet === true || process.stderr.isTTY !== true ? undefined
    : new cliProgress.SingleBar({ format: `campaign ${s.name} [{bar}] {value}/{total} items | {rate} items/s | ETA {eta_formatted}`, etaBuffer: 20, stream: process.stderr }, cliProgress.Presets.shades_classic);
  const started = performance.now();
  bar?.start(all.length, all.length - todo.length - (o.stopAfter === undefined ? 0 : 0), { rate: '0.0' });
  const fresh: ItemResult[] = [];
  const shardInfo = (done: number): ShardInfo => ({
    kind: 'campaign', name: s.name, hash, file: resolve(file), shard: o.shard!.k, shards: o.shard!.n, total: all.length, done, complete: done === all.length,
    run: { chips: s.chips, inferences: s.inferences, threshold: s.threshold ?? null },
  });
  if (o.shard !== undefined) writeShardInfo(outDir, shardInfo(earlier.length));
  const record = (r: ItemResult): void => {
    appendFileSync(jsonl, `${JSON.stringify(r)}\n`);
    fresh.push(r);
    if (o.shard !== undefined) writeShardInfo(outDir, shardInfo(earlier.length + fresh.length));
    bar?.increment(1, { rate: (fresh.length / ((performance.now() - started) / 1000)).toFixed(1) });
  };
  try {
    if (workers === 1) {
      const runner = new CampaignRunner(ctx);
      for (const it of todo) record(runner.run(it));
    } else {
      const pool = campaignPool(workers);
      try {
        await Promise.all(todo.map((it) => runOnPool(pool, file, point, it).then(record)));
      } finally {
        await pool.destroy();
      }
    }
  } catch (e) {
    bar?.stop();
    if (e instanceof SimError) return { out: { stdout: '', stderr: `${shown}edgesim: error [${e.code}]: ${e.message}\n(results so far are kept in ${jsonl}; run the same command to resume)\n`, exitCode: 1 } };
    const msg = e instanceof Error ? e.message : String(e);
    return { out: { stdout: '', stderr: `${shown}edgesim: error [campaign-worker]: ${msg}\n(results so far are kept in ${jsonl}; run the same command to resume)\n`, exitCode: 1 } };
  }
  bar?.stop();
  const results = [...earlier, ...fresh];
  const cov = checkCoverage(all, results);
  if (cov.duplicated.length > 0 || cov.unexpected.length > 0) {
    return { out: { stdout: '', stderr: `${shown}edgesim: error [corrupt-results]: ${jsonl}: items ${[...cov.duplicated, ...cov.unexpected].slice(0, 5).join(', ')} are duplicated or not part of the scenario; run with --fresh\n`, exitCode: 1 } };
  }
  if (cov.missing.length > 0) {
    return { out: { stdout: `${fresh.length} items run, ${cov.missing.length} of ${all.length} still to run; run the same command to resume (${jsonl})\n`, stderr: shown, exitCode: 0 } };
  }
  if (o.shard !== undefined) {
    const text = `campaign '${s.name}' shard ${o.shard.k}/${o.shard.n}: ${all.length} of ${campaignItems(s).length} items (${fresh.length} run now on ${workers} worker(s)${earlier.length > 0 ? `, ${earlier.length} from earlier results` : ''}), complete; merge the shards with 'edgesim merge <shard folders> -o <dir>'\nresults: ${jsonl}, ${join(outDir, SHARD_FILE)}\n`;
    return { shardDone: true, out: { stdout: o.json === true ? `${JSON.stringify(shardInfo(results.length), null, 2)}\n` : text, stderr: shown, exitCode: 0 } };
  }
  const summary = summarize({ name: s.name, chips: s.chips, inferences: s.inferences, threshold: s.threshold }, hash, results);
  writeFileSync(join(outDir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  writeCampaignReport(outDir, summary, results, label);
  if (o.json === true) return { summary, out: { stdout: `${JSON.stringify(summary, null, 2)}\n`, stderr: shown, exitCode: 0 } };
  return { summary, out: { stdout: `${formatSummary(summary, workers, fresh.length, earlier.length)}\n\nresults: ${jsonl}, ${join(outDir, 'summary.json')}, ${join(outDir, REPORT_FILE)}\n`, stderr: shown, exitCode: 0 } };
}

const pct = (x: number): string => `${(100 * x).toFixed(2)} %`;

/** The summary as text, every number with its unit. */
export function formatSummary(r: CampaignSummary, workers: number, ran: number, resumed: number): string {
  const lines = [
    `campaign '${r.scenario}' (hash ${r.scenarioHash}): ${r.chips} chip(s) x ${r.inferencesPerChip} inference(s) = ${r.items} items (${ran} run now on ${workers} worker(s)${resumed > 0 ? `, ${resumed} from earlier results` : ''})`,
    r.accuracy === null ? 'accuracy: no labels' : `accuracy: ${pct(r.accuracy.mean)} (95 % CI ${pct(r.accuracy.ci95[0])} .. ${pct(r.accuracy.ci95[1])}; ${r.accuracy.correct}/${r.items} correct)`,
    r.perChip.min === null ? '' : `per chip: ${r.perChip.accuracy.map((a) => (a === null ? '-' : pct(a))).join(', ')} (min ${pct(r.perChip.min)}, max ${pct(r.perChip.max!)})`,
    `faults: ${r.faults.drawn} drawn, ${r.faults.applied} applied before the program ended; outputs differ from the fault-free run in ${pct(r.differRate)} of the items`,
    `outcomes: ${r.outcomes.masked} masked, ${r.outcomes.sdc} silent data corruption, ${r.outcomes.crash} crashed, ${r.outcomes.hang} hung`,
    Object.keys(r.firstDivergence).length === 0 ? '' : `first diverging tensor: ${Object.entries(r.firstDivergence).sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} (${n})`).join(', ')}`,
    '',
    formatTable([
      ['per inference', 'mean', 'std', 'min', 'p5', 'p50', 'p95', 'max'],
      ['latency', ...(['mean', 'std', 'min', 'p5', 'p50', 'p95', 'max'] as const).map((k) => formatDuration(r.latencyPs[k]))],
      [r.energyUnpriced.length > 0 ? 'energy (>=)' : 'energy', ...(['mean', 'std', 'min', 'p5', 'p50', 'p95', 'max'] as const).map((k) => `${(r.energyPj[k] / 1e6).toFixed(3)} uJ`)],
    ], [false, true, true, true, true, true, true, true]),
    r.energyUnpriced.length > 0 ? `energy is a lower bound: no price for ${r.energyUnpriced.slice(0, 6).join(', ')}${r.energyUnpriced.length > 6 ? ` and ${r.energyUnpriced.length - 6} more` : ''} (see 'edgesim describe <kind>' and the tech files)` : '',
  ];
  if (r.verdict !== null) lines.push('', `threshold ${pct(r.threshold!)}: ${r.verdict}`);
  return lines.filter((l, i, a) => l !== '' || (i > 0 && a[i - 1] !== '')).join('\n');
}
