/**
 * Writes `report.html` (see `src/report/`) next to the JSON files of a run folder, a campaign
 * folder, a sweep folder or a design-space sweep's folder: reads the files present, inlines the charting library's browser
 * build (chart.js, resolved from node_modules at run time) and writes the page.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join, resolve } from 'node:path';
import type { CampaignSummary, ItemResult } from '../campaign/index.js';
import { energyReport, type EnergyReport } from '../energy/index.js';
import { catalog } from '../modules/index.js';
import type { PlatformGraph } from '../platform/index.js';
import {
  renderCampaignReport, renderDseReport, renderRunReport, renderSweepReport,
  type BusyInterval, type DseReportInput, type InferenceRow, type LayerRow, type SimulatedLayer, type ModelRunSummary, type ProgramRunInfo, type RunReportInput, type SweepReportInput,
} from '../report/index.js';
import type { RunReport } from '../sim/index.js';
import { SimError } from '../util/index.js';

/** The report's file name in every folder. */
export const REPORT_FILE = 'report.html';

let library: string | undefined;

/**
 * The minified browser (UMD) build of chart.js, read once from node_modules: the package's
 * exports do not list `dist/chart.umd.min.js`, so it is found next to the resolved main file.
 */
export function chartLibrary(): string {
  if (library === undefined) {
    const main = createRequire(import.meta.url).resolve('chart.js');
    const file = join(dirname(main), 'chart.umd.min.js');
    if (!existsSync(file)) throw new SimError('report-library', `chart.js's browser build is missing (${file}): run npm install`);
    library = readFileSync(file, 'utf8');
  }
  return library;
}

const readJson = <T>(path: string): T | undefined => (existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as T) : undefined);

/**
 * Busy intervals per component from a Chrome / Perfetto trace-event file (`trace.json` of
 * `edgesim run --trace perfetto`): the complete (`X`) slices of each thread track, named by the
 * `thread_name` metadata, except core `wait` stalls; times from microseconds to ps.
 */
export function traceIntervals(trace: unknown): BusyInterval[] {
  const events = (trace as { traceEvents?: unknown } | null)?.traceEvents;
  if (!Array.isArray(events)) return [];
  const names = new Map<number, string>();
  for (const e of events as { ph?: string; name?: string; tid?: number; args?: { name?: unknown } }[]) {
    if (e.ph === 'M' && e.name === 'thread_name' && typeof e.tid === 'number' && typeof e.args?.name === 'string') names.set(e.tid, e.args.name);
  }
  const out: (BusyInterval & { tid: number })[] = [];
  for (const e of events as { ph?: string; name?: string; tid?: number; ts?: number; dur?: number }[]) {
    if (e.ph !== 'X' || e.name === 'wait' || typeof e.ts !== 'number' || typeof e.dur !== 'number' || typeof e.tid !== 'number') continue;
    const startPs = Math.round(e.ts * 1e6);
    out.push({ tid: e.tid, component: names.get(e.tid) ?? `track ${e.tid}`, startPs, endPs: startPs + Math.round(e.dur * 1e6) });
  }
  // tracks in their order (the writer numbers them in instantiation order), each in time order
  return out.sort((x, y) => x.tid - y.tid || x.startPs - y.startPs).map(({ component, startPs, endPs }) => ({ component, startPs, endPs }));
}

/**
 * The inputs of a run report from the files of a run folder: `report.json` (program runs: run
 * and report), `energy.json`, `inferences.json` (model runs: summary, inferences, the last
 * inference's report), `mapping.json` (per-layer predictions), `platform.json` (to price the
 * last inference's activity when there is no `energy.json`) and `trace.json` (busy intervals).
 */
export function readRunFolder(folder: string): RunReportInput {
  const rep = readJson<{ run?: ProgramRunInfo; report?: RunReport }>(join(folder, 'report.json'));
  const inf = readJson<{ summary: ModelRunSummary; inferences: InferenceRow[]; layers?: SimulatedLayer[]; lastReport?: RunReport }>(join(folder, 'inferences.json'));
  if (rep === undefined && inf === undefined) throw new SimError('bad-argument', `${folder} holds no run: neither report.json nor inferences.json`);
  const mapping = readJson<LayerRow[]>(join(folder, 'mapping.json'));
  const trace = readJson<unknown>(join(folder, 'trace.json'));
  let energy = readJson<EnergyReport>(join(folder, 'energy.json'));
  let energyNote: string | undefined;
  const report = rep?.report ?? inf?.lastReport;
  const missing: string[] = [];
  if (energy === undefined && report !== undefined) {
    const platform = readJson<PlatformGraph>(join(folder, 'platform.json'));
    if (platform !== undefined) {
      try {
        energy = energyReport(platform, report.components, report.simulatedTimePs, catalog);
        energyNote = 'priced here from platform.json and the last inference\'s activity counts (the run folder has no energy.json)';
      } catch (e) {
        missing.push(`energy by component: platform.json could not price the activity (${e instanceof Error ? e.message : String(e)})`);
      }
    }
  }
  if (inf !== undefined && inf.lastReport === undefined) missing.push('the last inference\'s run report (per-component busy time)');
  if (inf !== undefined) missing.push('simulated latency per layer (the run records per-inference latency only; the per-layer figures are the compiler\'s predictions)');
  const intervals = trace === undefined ? [] : traceIntervals(trace);
  const last = inf?.inferences[inf.inferences.length - 1];
  return {
    title: basename(resolve(folder)),
    ...(report === undefined ? {} : { report }),
    ...(inf !== undefined && last !== undefined ? { reportOf: `last inference, #${last.index}` } : {}),
    ...(rep?.run === undefined ? {} : { program: rep.run }),
    ...(energy === undefined ? {} : { energy }),
    ...(energyNote === undefined ? {} : { energyNote }),
    ...(mapping === undefined ? {} : { mapping }),
    ...(inf?.layers === undefined ? {} : { layers: inf.layers }),
    ...(inf === undefined ? {} : { model: { summary: inf.summary, inferences: inf.inferences } }),
    ...(intervals.length === 0 ? {} : { intervals }),
    missing,
  };
}

/**
 * Reads the JSON files of a run folder (`edgesim run` of a program or of a model) and writes
 * `<folder>/report.html`; returns its path. Throws SimError `bad-argument` when the folder holds
 * no run.
 */
export function writeRunReport(folder: string): string {
  const html = renderRunReport(readRunFolder(folder), chartLibrary());
  const out = join(folder, REPORT_FILE);
  writeFileSync(out, html);
  return out;
}

/** Reads `results.jsonl` (the header line skipped, a cut-off last line dropped). */
export function readResultsFile(path: string): ItemResult[] | undefined {
  if (!existsSync(path)) return undefined;
  const out: ItemResult[] = [];
  for (const l of readFileSync(path, 'utf8').split('\n').slice(1)) {
    if (l.trim() === '') continue;
    try {
      out.push(JSON.parse(l) as ItemResult);
    } catch {
      // a line cut off by a kill: the campaign re-runs it
    }
  }
  return out;
}

/**
 * Writes `<folder>/report.html` of a campaign from its summary and item results (read from
 * `summary.json` and `results.jsonl` when not given); `point` names the sweep point. Returns the path.
 */
export function writeCampaignReport(folder: string, summary?: CampaignSummary, results?: readonly ItemResult[], point?: string): string {
  const s = summary ?? readJson<CampaignSummary>(join(folder, 'summary.json'));
  if (s === undefined) throw new SimError('bad-argument', `${folder} holds no campaign summary (summary.json)`);
  const rs = results ?? readResultsFile(join(folder, 'results.jsonl'));
  const html = renderCampaignReport({ summary: s, ...(rs === undefined ? {} : { results: rs }), ...(point === undefined ? {} : { point }) }, chartLibrary());
  const out = join(folder, REPORT_FILE);
  writeFileSync(out, html);
  return out;
}

/**
 * Writes `<folder>/report.html` of a sweep (`sweep.json`'s content), linking each point's own
 * report by `pointDirs` (folder names relative to `folder`, in the order of the points). Returns the path.
 */
export function writeSweepReport(folder: string, sweep: SweepReportInput, pointDirs?: readonly string[]): string {
  const input: SweepReportInput = {
    ...sweep,
    points: sweep.points.map((p, i) => {
      const d = pointDirs?.[i];
      return d !== undefined && existsSync(join(folder, d, REPORT_FILE)) ? { ...p, href: `${encodeURI(d)}/${REPORT_FILE}` } : p;
    }),
  };
  const out = join(folder, REPORT_FILE);
  writeFileSync(out, renderSweepReport(input, chartLibrary()));
  return out;
}

/**
 * Writes `<folder>/report.html` of a design-space sweep (`edgesim sweep`: the content of its
 * `sweep.json`). Returns the path.
 */
export function writeDseReport(folder: string, out: DseReportInput): string {
  const path = join(folder, REPORT_FILE);
  writeFileSync(path, renderDseReport(out, chartLibrary()));
  return path;
}
