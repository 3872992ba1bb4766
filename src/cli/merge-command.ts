/**
 * `edgesim merge <shard folders...> -o <dir>`: combines the shards of a campaign or a sweep
 * (`--shard k/n` runs, `shard.ts`) into the outputs of one unsharded run: a campaign's
 * `summary.json` (byte for byte the unsharded run's: the summary is computed from the results
 * sorted by item, whatever ran them), `results.jsonl` (every item, in item order) and
 * `report.html`; a scenario sweep's per-point folders and `sweep.json`; a design-space sweep's
 * `sweep.json`, `points.csv` and `report.html`. It checks first that the folders are the shards
 * of one run, each exactly once and complete (`checkShards`), and that their results cover every
 * item exactly once; each problem names the shard and the fix.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkCoverage, summarize, type CampaignSummary, type ItemResult } from '../campaign/index.js';
import { checkResults, type PointResult } from '../dse/index.js';
import { SimError, formatDiagnostics } from '../util/index.js';
import { readResults } from './campaign-command.js';
import type { CommandOutput } from './compile-command.js';
import { REPORT_FILE, writeCampaignReport, writeSweepReport } from './report-files.js';
import { checkShards, readShardInfo, type ShardInfo } from './shard.js';
import { SHARD_POINTS, readShardPoints, sweepHash, sweepOutput, writeSweepOutputs } from './sweep-command.js';
import { preparePoint, prepareSweep } from './sweep-eval.js';

/** The campaign run a shard belongs to (`shard.json` `run`). */
interface CampaignRun {
  readonly chips: number;
  readonly inferences: number;
  readonly threshold: number | null;
}

/** A scenario sweep's points (`shard.json` `run.sweep` of a campaign-sweep shard). */
interface CampaignSweepRun {
  readonly sweep: { readonly scenario: string; readonly axes: readonly { key: string; values: readonly (string | number | boolean)[] }[]; readonly points: readonly { label: string; dir: string; values: (string | number | boolean)[] }[] };
}

/** Merges the campaign shards in `dirs` into `out`; returns the summary. */
function mergeCampaign(dirs: readonly string[], infos: readonly ShardInfo[], out: string, label?: string): CampaignSummary {
  checkShards(dirs, infos);
  const info = infos[0]!;
  const run = info.run as unknown as CampaignRun;
  const results: ItemResult[] = [];
  dirs.forEach((d, i) => results.push(...readResults(join(d, 'results.jsonl'), info.hash, { k: infos[i]!.shard, n: info.shards }).results));
  const all = Array.from({ length: run.chips * run.inferences }, (_, i) => ({ chip: Math.floor(i / run.inferences), inference: i % run.inferences, sample: 0 }));
  const cov = checkCoverage(all, results);
  if (cov.missing.length > 0 || cov.duplicated.length > 0 || cov.unexpected.length > 0) {
    throw new SimError('bad-shard', `the shards of '${info.name}' do not cover its ${all.length} items exactly once: ${cov.missing.length} missing (${cov.missing.slice(0, 3).join(', ')}), ${cov.duplicated.length} duplicated, ${cov.unexpected.length} foreign; run the incomplete shards again`);
  }
  const summary = summarize({ name: info.name, chips: run.chips, inferences: run.inferences, threshold: run.threshold ?? undefined }, info.hash, results);
  mkdirSync(out, { recursive: true });
  const sorted = [...results].sort((a, b) => a.chip - b.chip || a.inference - b.inference);
  writeFileSync(join(out, 'results.jsonl'), `${JSON.stringify({ scenario: info.name, scenarioHash: info.hash, file: info.file })}\n${sorted.map((r) => `${JSON.stringify(r)}\n`).join('')}`);
  writeFileSync(join(out, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  writeCampaignReport(out, summary, results, label);
  return summary;
}

/** Merges shard folders (see the file comment); errors are `SimError`s naming the shard. */
export function mergeCommand(dirs: readonly string[], o: { readonly out: string; readonly json?: boolean }): CommandOutput {
  try {
    const infos = dirs.map(readShardInfo);
    checkShards(dirs, infos);
    const info = infos[0]!;
    if (info.kind === 'campaign' && 'sweep' in info.run) {
      // a scenario sweep: every point's folder is a campaign shard of its own
      const sw = (info.run as unknown as CampaignSweepRun).sweep;
      const points = sw.points.map((p) => {
        const pdirs = dirs.map((d) => join(d, p.dir));
        return { values: p.values, summary: mergeCampaign(pdirs, pdirs.map(readShardInfo), join(o.out, p.dir), p.label) };
      });
      const sweep = { scenario: sw.scenario, axes: sw.axes, points };
      writeFileSync(join(o.out, 'sweep.json'), `${JSON.stringify(sweep, null, 2)}\n`);
      writeSweepReport(o.out, sweep, sw.points.map((p) => p.dir));
      return { stdout: o.json === true ? `${JSON.stringify(sweep, null, 2)}\n` : `merged ${dirs.length} shard(s) of campaign sweep '${info.name}' (${points.length} point(s)): ${join(o.out, 'sweep.json')}, ${join(o.out, REPORT_FILE)}\n`, stderr: '', exitCode: 0 };
    }
    if (info.kind === 'campaign') {
      const summary = mergeCampaign(dirs, infos, o.out);
      return { stdout: o.json === true ? `${JSON.stringify(summary, null, 2)}\n` : `merged ${dirs.length} shard(s) of campaign '${info.name}' (${summary.items} items): ${join(o.out, 'summary.json')}, ${join(o.out, 'results.jsonl')}, ${join(o.out, REPORT_FILE)}\n`, stderr: '', exitCode: 0 };
    }
    // a design-space sweep: the sweep file is prepared again (objectives, axes) and must still be the one the shards ran
    const p = prepareSweep(info.file);
    if (p.value === undefined) return { stdout: '', stderr: `${formatDiagnostics(p.diagnostics)}\n`, exitCode: 1 };
    const ctx = p.value;
    const now = sweepHash(ctx, ctx.points.map((pt) => preparePoint(ctx, pt)));
    if (now !== info.hash) throw new SimError('bad-shard', `${info.file} (or what it names) changed since the shards ran (hash ${info.hash}, now ${now}): run the shards again`);
    const results: PointResult[] = dirs.flatMap((d) => readShardPoints(join(d, SHARD_POINTS)));
    checkResults(ctx.points, results);
    if (results.length !== ctx.points.length) throw new SimError('bad-shard', `the shards of '${info.name}' hold ${results.length} of its ${ctx.points.length} points: run the incomplete shards again`);
    const out = sweepOutput(ctx, info.file, results);
    writeSweepOutputs(ctx, o.out, out, results);
    return { stdout: o.json === true ? `${JSON.stringify(out, null, 2)}\n` : `merged ${dirs.length} shard(s) of sweep '${info.name}' (${results.length} points, ${out.front.front.length} on the Pareto front): ${join(o.out, 'sweep.json')}, ${join(o.out, 'points.csv')}, ${join(o.out, REPORT_FILE)}\n`, stderr: '', exitCode: 0 };
  } catch (e) {
    if (e instanceof SimError) return { stdout: '', stderr: `edgesim: error [${e.code}]: ${e.message}\n`, exitCode: 1 };
    throw e;
  }
}
