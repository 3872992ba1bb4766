/**
 * Scale-out helpers: `edgesim slurm <campaign|sweep> <file> --shards n` writes a Slurm job array
 * (one `--shard k/n` run per task, `shard.ts`) and a merge job that depends on it, and can submit
 * both; `edgesim slurm status <dir>` reports the shards' progress from their `shard.json`;
 * `edgesim k8s <campaign|sweep> <file> --shards n --image <img>` writes a Kubernetes Indexed Job
 * (and a merge Job) for the same. Nothing here simulates: the generated scripts call this
 * installation's `edgesim` (absolute node and `dist/cli/main.js` paths) on the cluster's nodes,
 * which therefore must see the same file system (shared home or project storage).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { loadScenario, sweepPoints } from '../platform/index.js';
import { SimError, formatDiagnostics, formatTable, hasErrors, type Diagnostic } from '../util/index.js';
import { prepareCampaign } from './campaign-command.js';
import type { CommandOutput } from './compile-command.js';
import { SHARD_FILE, type ShardInfo } from './shard.js';
import { prepareSweep } from './sweep-eval.js';
import { usage } from './files.js';

/** What a scale-out runs: a fault-injection campaign or a design-space sweep. */
export type ScaleKind = 'campaign' | 'sweep';


/** The Slurm options as typed on the command line (validated by {@link parseSlurmOptions}). */
export interface SlurmArgs {
  readonly shards: string;
  readonly out?: string;
  readonly partition?: string;
  readonly time?: string;
  readonly cpus?: string;
  readonly mem?: string;
  readonly account?: string;
}

/** Validated Slurm options. */
export interface SlurmOptions {
  readonly shards: number;
  readonly out?: string;
  readonly partition?: string;
  readonly time?: string;
  readonly cpus: number;
  readonly mem?: string;
  readonly account?: string;
}

/** A positive integer option, or a usage error naming it and the range. */
export function positiveInt(name: string, text: string, max: number): number {
  const n = Number(text);
  if (!/^[0-9]+$/.test(text.trim()) || !Number.isSafeInteger(n) || n < 1 || n > max) throw usage(`${name} '${text}' must be an integer between 1 and ${max}`);
  return n;
}

/**
 * Checks a Slurm time limit: minutes, minutes:seconds, hours:minutes:seconds, days-hours,
 * days-hours:minutes or days-hours:minutes:seconds (what `sbatch --time` accepts), or
 * UNLIMITED / INFINITE; @throws SimError `bad-argument` with the accepted forms.
 */
export function checkSlurmTime(text: string): string {
  const t = text.trim();
  const forms = "minutes ('90'), MM:SS ('90:00'), HH:MM:SS ('1:30:00'), D-HH ('2-12'), D-HH:MM ('2-12:30') or D-HH:MM:SS ('2-12:30:00')";
  if (/^(unlimited|infinite)$/i.test(t)) return t.toUpperCase();
  const m = /^(?:(\d+)-)?(\d+)(?::(\d+))?(?::(\d+))?$/.exec(t);
  if (m === null) throw usage(`--time '${text}' is not a Slurm time limit: use ${forms}`);
  const [, d, a, b, c] = m;
  const small = (x: string | undefined, what: string): void => {
    if (x !== undefined && Number(x) >= 60) throw usage(`--time '${text}': ${what} ${x} must be below 60 (${forms})`);
  };
  if (d !== undefined) {
    // D-HH[:MM[:SS]]
    if (Number(a) >= 24) throw usage(`--time '${text}': hours ${a} must be below 24 after the days (${forms})`);
    small(b, 'minutes');
    small(c, 'seconds');
  } else if (c !== undefined) {
    // HH:MM:SS
    small(b, 'minutes');
    small(c, 'seconds');
  } else {
    // minutes or MM:SS
    small(b, 'seconds');
  }
  const total = (Number(d ?? 0) * 24 * 60 + (d !== undefined ? Number(a) * 60 + Number(b ?? 0) : c !== undefined ? Number(a) * 60 + Number(b) : Number(a))) * 60 + Number(d !== undefined ? c ?? 0 : c ?? b ?? 0);
  if (total === 0) throw usage(`--time '${text}' is zero: give a positive time limit (${forms})`);
  return t;
}

/** Validates the Slurm options; @throws SimError `bad-argument` naming the option. */
export function parseSlurmOptions(a: SlurmArgs): SlurmOptions {
  const shards = positiveInt('--shards', a.shards, 1_000_000);
  const cpus = a.cpus === undefined ? 1 : positiveInt('--cpus', a.cpus, 4096);
  const name = (opt: string, v: string | undefined): string | undefined => {
    if (v === undefined) return undefined;
    if (!/^[A-Za-z0-9_.,-]+$/.test(v)) throw usage(`${opt} '${v}' must be a Slurm ${opt.slice(2)} name (letters, digits, '_', '.', '-'; a comma-separated list for partitions)`);
    return v;
  };
  if (a.mem !== undefined && !/^[0-9]+[KMGT]?$/i.test(a.mem.trim())) throw usage(`--mem '${a.mem}' must be a Slurm memory size: a number of megabytes or a number with K, M, G or T (e.g. 4G)`);
  if (a.mem !== undefined && /^0+[KMGT]?$/i.test(a.mem.trim())) throw usage(`--mem '${a.mem}' must be positive`);
  const partition = name('--partition', a.partition);
  const account = name('--account', a.account);
  return {
    shards, cpus,
    ...(a.out === undefined ? {} : { out: a.out }),
    ...(partition === undefined ? {} : { partition }),
    ...(a.time === undefined ? {} : { time: checkSlurmTime(a.time) }),
    ...(a.mem === undefined ? {} : { mem: a.mem.trim().toUpperCase() }),
    ...(account === undefined ? {} : { account }),
  };
}

/** A word for bash inside double quotes: `\`, `$`, `` ` `` and `"` escaped. */
export function dq(s: string): string {
  return `"${s.replace(/[\\$`"]/g, (c) => `\\${c}`)}"`;
}

/** `prefix` quoted like {@link dq}, then a shell expansion (e.g. `$SLURM_ARRAY_TASK_ID`) inside the same quotes. */
export function dqThen(prefix: string, expansion: string): string {
  return `${dq(prefix).slice(0, -1)}${expansion}"`;
}

/** The absolute paths of this installation's `node` and `edgesim` entry point (`dist/cli/main.js`). */
export function edgesimEntry(): { node: string; main: string } {
  return { node: process.execPath, main: fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url)) };
}

/** A file-system-safe name for folders and job names. */
const safeName = (name: string): string => name.replace(/[^A-Za-z0-9._-]+/g, '_');

/** What a scale-out runs, checked to load before anything is written. */
export interface ScaleTarget {
  readonly kind: ScaleKind;
  /** Absolute path of the scenario or sweep file. */
  readonly file: string;
  /** Scenario or sweep name. */
  readonly name: string;
  /** Items (campaign: chips x inferences) or points (sweep) of the whole run; null when unknown (a scenario with a sweep). */
  readonly total: number | null;
  /** Warnings from loading (shown, not fatal). */
  readonly diagnostics: readonly Diagnostic[];
}

/**
 * Loads a scenario (`prepareCampaign`: the scenario and everything it names, compiled) or a sweep
 * (`prepareSweep`: the sweep file, its model, platform, data and points), so that a bad file
 * fails here on the login node rather than in every array task.
 * @throws SimError `bad-argument` for a missing file, `bad-file` with the diagnostics for a bad one
 */
export function loadScaleTarget(kind: ScaleKind, file: string): ScaleTarget {
  const abs = resolve(file);
  if (!existsSync(abs) || !statSync(abs).isFile()) throw usage(`cannot read ${kind === 'campaign' ? 'scenario' : 'sweep'} file '${file}': no such file`);
  const fail = (d: readonly Diagnostic[]): never => {
    throw new SimError('bad-file', `${file} does not load, nothing written:\n${formatDiagnostics(d)}`);
  };
  if (kind === 'sweep') {
    const p = prepareSweep(abs);
    if (p.value === undefined || hasErrors(p.diagnostics)) return fail(p.diagnostics);
    return { kind, file: abs, name: p.value.spec.name, total: p.value.points.length, diagnostics: p.diagnostics };
  }
  const head = loadScenario(abs, readFileSync(abs, 'utf8'));
  if (head.value === undefined || hasErrors(head.diagnostics)) return fail(head.diagnostics);
  // a scenario with a sweep: check its first point (every point shares the files)
  const p = prepareCampaign(abs, head.value.sweep.length > 0 ? sweepPoints(head.value)[0] : undefined);
  if (p.value === undefined || hasErrors(p.diagnostics)) return fail(p.diagnostics);
  const s = p.value.scenario;
  return { kind, file: abs, name: s.name, total: s.sweep.length > 0 ? null : s.chips * s.inferences, diagnostics: p.diagnostics };
}

/** The job array script: task k runs `edgesim <kind> <file> --shard k/n` into `<dir>/shard-k`. */
export function slurmArrayScript(t: Pick<ScaleTarget, 'kind' | 'file' | 'name'>, o: SlurmOptions, dir: string, entry = edgesimEntry()): string {
  const n = o.shards;
  return [
    '#!/bin/bash',
    `# edgesim ${t.kind} '${t.name}' split into ${n} shard(s): Slurm array task k runs shard k/${n} (written by edgesim slurm)`,
    `#SBATCH --job-name=${safeName(`edgesim-${t.name}`)}`,
    `#SBATCH --array=0-${n - 1}`,
    '#SBATCH --ntasks=1',
    `#SBATCH --cpus-per-task=${o.cpus}`,
    ...directives(o),
    `#SBATCH --output=${dq(join(dir, 'logs', 'shard-%a.out'))}`,
    'set -euo pipefail',
    `exec ${dq(entry.node)} ${dq(entry.main)} ${t.kind} ${dq(t.file)} --shard "$SLURM_ARRAY_TASK_ID/${n}" --workers "\${SLURM_CPUS_PER_TASK:-1}" -o ${dqThen(join(dir, 'shard-'), '$SLURM_ARRAY_TASK_ID')} --quiet`,
    '',
  ].join('\n');
}

/** The merge job (submitted with `--dependency=afterok:<array job>`): `edgesim merge <dir>/shard-* -o <dir>/merged`. */
export function slurmMergeScript(t: Pick<ScaleTarget, 'kind' | 'name'>, o: SlurmOptions, dir: string, entry = edgesimEntry()): string {
  return [
    '#!/bin/bash',
    `# merges the ${o.shards} shard(s) of edgesim ${t.kind} '${t.name}' into ${join(dir, 'merged')} (written by edgesim slurm; runs after the array with --dependency=afterok)`,
    `#SBATCH --job-name=${safeName(`edgesim-${t.name}-merge`)}`,
    '#SBATCH --ntasks=1',
    '#SBATCH --cpus-per-task=1',
    ...directives({ ...o, mem: undefined }),
    `#SBATCH --output=${dq(join(dir, 'logs', 'merge.out'))}`,
    'set -euo pipefail',
    `exec ${dq(entry.node)} ${dq(entry.main)} merge ${dq(dir)}/shard-* -o ${dq(join(dir, 'merged'))}`,
    '',
  ].join('\n');
}

/** The optional directives: partition, time, memory, account. */
function directives(o: { partition?: string | undefined; time?: string | undefined; mem?: string | undefined; account?: string | undefined }): string[] {
  return [
    ...(o.partition === undefined ? [] : [`#SBATCH --partition=${o.partition}`]),
    ...(o.account === undefined ? [] : [`#SBATCH --account=${o.account}`]),
    ...(o.time === undefined ? [] : [`#SBATCH --time=${o.time}`]),
    ...(o.mem === undefined ? [] : [`#SBATCH --mem=${o.mem}`]),
  ];
}

/** The submission script: the array, then the merge depending on it. */
export function slurmSubmitScript(dir: string): string {
  return [
    '#!/bin/bash',
    '# submits the shard array, then the merge job that runs when every shard succeeded (written by edgesim slurm)',
    'set -euo pipefail',
    `array=$(sbatch --parsable ${dq(join(dir, ARRAY_SCRIPT))})`,
    'array=${array%%;*}',
    `merge=$(sbatch --parsable --dependency=afterok:$array ${dq(join(dir, MERGE_SCRIPT))})`,
    'echo "submitted: shard array job ${array}, merge job ${merge%%;*} (after the array succeeds)"',
    '',
  ].join('\n');
}

export const ARRAY_SCRIPT = 'shards.sbatch';
export const MERGE_SCRIPT = 'merge.sbatch';
export const SUBMIT_SCRIPT = 'submit.sh';
/** What the generated folder was written for (read by `slurm status`). */
export const PLAN_FILE = 'scaleout.json';

/** What {@link PLAN_FILE} holds. */
export interface ScalePlan {
  readonly kind: ScaleKind;
  readonly name: string;
  readonly file: string;
  readonly shards: number;
  readonly total: number | null;
  readonly scheduler: 'slurm' | 'k8s';
}

/** Runs a program; undefined stdout when it does not exist. */
export type Runner = (cmd: string, args: readonly string[]) => { status: number | null; stdout: string; stderr: string; missing: boolean };

const spawnRunner: Runner = (cmd, args) => {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  const missing = (r.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
  if (r.error !== undefined && !missing) throw new SimError('sbatch-failed', `${cmd} could not run: ${r.error.message}`);
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '', missing };
};

/** Submits one script with `sbatch --parsable`; returns the job id. */
function sbatch(run: Runner, args: readonly string[], what: string): string {
  const r = run('sbatch', ['--parsable', ...args]);
  if (r.missing) throw new SimError('sbatch-missing', `sbatch is not on the PATH: run this on a Slurm login node, or copy the folder there and run its ${SUBMIT_SCRIPT} (the scripts were written)`);
  if (r.status !== 0) throw new SimError('sbatch-failed', `sbatch of the ${what} failed (exit ${r.status ?? 'signal'}): ${r.stderr.trim() || r.stdout.trim() || 'no message'}`);
  const id = r.stdout.trim().split('\n').pop()?.split(';')[0]?.trim() ?? '';
  if (!/^[0-9]+$/.test(id)) throw new SimError('sbatch-failed', `sbatch of the ${what} printed '${r.stdout.trim()}', not a job id`);
  return id;
}

/** Options of {@link slurmCommand}. */
export interface SlurmCommandOptions extends SlurmArgs {
  readonly submit?: boolean;
  /** Runs sbatch (tests); default spawns it. */
  readonly run?: Runner;
}

/**
 * `edgesim slurm <campaign|sweep> <file> --shards n`: checks the file loads, writes
 * `<dir>/shards.sbatch` (job array), `<dir>/merge.sbatch`, `<dir>/submit.sh`, `<dir>/logs/` and
 * `<dir>/scaleout.json`; with `submit`, submits the array then the merge (afterok dependency).
 */
export function slurmCommand(kind: string, file: string, a: SlurmCommandOptions): CommandOutput {
  const k = scaleKind(kind, 'slurm');
  const o = parseSlurmOptions(a);
  const t = loadScaleTarget(k, file);
  const dir = resolve(o.out ?? join('traces', safeName(`slurm-${t.name}`)));
  const warn = t.diagnostics.length > 0 ? `${formatDiagnostics(t.diagnostics)}\n` : '';
  mkdirSync(join(dir, 'logs'), { recursive: true });
  writeFileSync(join(dir, ARRAY_SCRIPT), slurmArrayScript(t, o, dir), { mode: 0o755 });
  writeFileSync(join(dir, MERGE_SCRIPT), slurmMergeScript(t, o, dir), { mode: 0o755 });
  writeFileSync(join(dir, SUBMIT_SCRIPT), slurmSubmitScript(dir), { mode: 0o755 });
  writePlan(dir, { kind: k, name: t.name, file: t.file, shards: o.shards, total: t.total, scheduler: 'slurm' });
  const per = t.total === null ? '' : ` (${t.total} ${k === 'campaign' ? 'item' : 'point'}(s), ${Math.ceil(t.total / o.shards)} or fewer per shard)`;
  const big = o.shards > 1001 ? `note: ${o.shards} array tasks exceed Slurm's default MaxArraySize (1001); ask your admins or use fewer shards\n` : '';
  const lines = [
    `${k} '${t.name}' in ${o.shards} shard(s)${per}, ${o.cpus} CPU(s) per shard; written to ${dir}:`,
    `  ${ARRAY_SCRIPT.padEnd(14)} job array 0-${o.shards - 1}: task k runs '--shard k/${o.shards}' into shard-k/ (log: logs/shard-k.out)`,
    `  ${MERGE_SCRIPT.padEnd(14)} runs after the array succeeds: edgesim merge shard-* -o ${join(dir, 'merged')} (log: logs/merge.out)`,
    `  ${SUBMIT_SCRIPT.padEnd(14)} submits both`,
  ];
  if (a.submit !== true) {
    return {
      stdout: `${lines.join('\n')}\nsubmit with:\n  bash ${dq(join(dir, SUBMIT_SCRIPT))}\nor by hand:\n  sbatch --parsable ${dq(join(dir, ARRAY_SCRIPT))}    # prints the array job id\n  sbatch --dependency=afterok:<array job id> ${dq(join(dir, MERGE_SCRIPT))}\nprogress: edgesim slurm status ${dq(dir)}\n`,
      stderr: `${warn}${big}`, exitCode: 0,
    };
  }
  const run = a.run ?? spawnRunner;
  const arrayId = sbatch(run, [join(dir, ARRAY_SCRIPT)], 'shard array');
  let mergeId: string;
  try {
    mergeId = sbatch(run, [`--dependency=afterok:${arrayId}`, join(dir, MERGE_SCRIPT)], 'merge job');
  } catch (e) {
    if (e instanceof SimError) throw new SimError(e.code, `${e.message} (the shard array is submitted as job ${arrayId}; submit the merge by hand once it is fixed: sbatch --dependency=afterok:${arrayId} ${dq(join(dir, MERGE_SCRIPT))})`);
    throw e;
  }
  writeFileSync(join(dir, 'jobs.json'), `${JSON.stringify({ array: arrayId, merge: mergeId }, null, 2)}\n`);
  return {
    stdout: `${lines.join('\n')}\nsubmitted: shard array job ${arrayId}, merge job ${mergeId} (after the array succeeds)\nprogress: edgesim slurm status ${dq(dir)}   (squeue -j ${arrayId},${mergeId})\n`,
    stderr: `${warn}${big}`, exitCode: 0,
  };
}

function scaleKind(kind: string, cmd: string): ScaleKind {
  if (kind !== 'campaign' && kind !== 'sweep') throw usage(`${cmd}: '${kind}' is not campaign or sweep`);
  return kind;
}

function writePlan(dir: string, p: ScalePlan): void {
  writeFileSync(join(dir, PLAN_FILE), `${JSON.stringify(p, null, 2)}\n`);
}

/** The items of shard k of n when the run has `total` (round robin: indices i with i mod n = k). */
export const shardSize = (total: number, k: number, n: number): number => (k < total ? Math.floor((total - k - 1) / n) + 1 : 0);

/** One shard's state in {@link ShardStatus}. */
export interface ShardRow {
  readonly shard: number;
  /** The folder, null when missing. */
  readonly dir: string | null;
  readonly done: number | null;
  readonly total: number | null;
  readonly complete: boolean;
  /** Why the shard does not belong (another run, another shard count), or unreadable. */
  readonly problem: string | null;
}

/** What `edgesim slurm status` reports (also `--json`). */
export interface ShardStatus {
  readonly dir: string;
  readonly kind: ScaleKind | null;
  readonly name: string | null;
  readonly hash: string | null;
  readonly shards: number | null;
  readonly rows: readonly ShardRow[];
  readonly done: number;
  /** Items of the whole run: from the plan, else the shards' totals when every shard has started, else null. */
  readonly total: number | null;
  readonly percent: number | null;
  readonly complete: number;
  readonly missing: readonly number[];
  /** Folders that are not shards of this run. */
  readonly foreign: readonly string[];
  readonly merged: { readonly dir: string; readonly files: readonly string[]; readonly accuracy: number | null; readonly verdict: string | null; readonly points: number | null } | null;
}

const readJson = (path: string): unknown => JSON.parse(readFileSync(path, 'utf8')) as unknown;

/**
 * The progress of the shards in `<dir>/shard-*`: each one's done/total from its `shard.json`,
 * overall percent, missing shards (the count from the written plan or the shards' `shards`), and
 * the merged result when `<dir>/merged` exists.
 * @throws SimError `bad-argument` when the folder does not exist
 */
export function shardStatus(dir: string): ShardStatus {
  const abs = resolve(dir);
  if (!existsSync(abs) || !statSync(abs).isDirectory()) throw usage(`slurm status: '${dir}' is not a folder (give the folder edgesim slurm wrote, or any folder holding shard-<k>/ folders)`);
  const planPath = join(abs, PLAN_FILE);
  let plan: ScalePlan | undefined;
  try {
    plan = existsSync(planPath) ? (readJson(planPath) as ScalePlan) : undefined;
  } catch {
    plan = undefined;
  }
  const found: { dir: string; info?: ShardInfo; problem?: string }[] = readdirSync(abs, { withFileTypes: true })
    .filter((e) => e.isDirectory() && /^shard-/.test(e.name))
    .sort((x, y) => x.name.localeCompare(y.name, 'en', { numeric: true }))
    .map((e) => {
      const d = join(abs, e.name);
      const p = join(d, SHARD_FILE);
      if (!existsSync(p)) return { dir: d, problem: 'not started' };
      try {
        return { dir: d, info: readJson(p) as ShardInfo };
      } catch {
        return { dir: d, problem: `${SHARD_FILE} is not valid JSON` };
      }
    });
  const infos = found.filter((f) => f.info !== undefined);
  const first = infos[0]?.info;
  const n = plan?.shards ?? first?.shards ?? null;
  const kind = plan?.kind ?? first?.kind ?? null;
  const name = plan?.name ?? first?.name ?? null;
  const hash = first?.hash ?? null;
  const foreign: string[] = [];
  const byShard = new Map<number, ShardRow>();
  for (const f of found) {
    if (f.info === undefined && f.problem === 'not started') continue; // a folder without shard.json yet: missing
    const k = f.info?.shard ?? Number(/^shard-(\d+)$/.exec(f.dir.slice(abs.length + 1))?.[1] ?? NaN);
    let problem = f.problem ?? null;
    if (f.info !== undefined) {
      const i = f.info;
      if (kind !== null && i.kind !== kind) problem = `a ${i.kind} shard, not ${kind}`;
      else if (name !== null && i.name !== name) problem = `a shard of '${i.name}', not '${name}'`;
      else if (hash !== null && i.hash !== hash) problem = `hash ${i.hash}, not ${hash} (another version of the file or its inputs)`;
      else if (n !== null && i.shards !== n) problem = `shard ${i.shard}/${i.shards}, not of ${n}`;
    }
    if (!Number.isSafeInteger(k) || (n !== null && (k < 0 || k >= n)) || (problem !== null && f.info !== undefined)) {
      foreign.push(`${f.dir}${problem === null ? '' : `: ${problem}`}`);
      continue;
    }
    if (byShard.has(k)) {
      foreign.push(`${f.dir}: shard ${k} again (also ${byShard.get(k)!.dir ?? '?'})`);
      continue;
    }
    byShard.set(k, {
      shard: k, dir: f.dir, done: f.info?.done ?? null, total: f.info?.total ?? (plan?.total != null && n !== null ? shardSize(plan.total, k, n) : null),
      complete: f.info?.complete === true, problem,
    });
  }
  const count = n ?? (byShard.size === 0 ? 0 : Math.max(...byShard.keys()) + 1);
  const rows: ShardRow[] = [];
  const missing: number[] = [];
  for (let k = 0; k < count; k++) {
    const r = byShard.get(k);
    if (r !== undefined) rows.push(r);
    else {
      missing.push(k);
      rows.push({ shard: k, dir: null, done: null, total: plan?.total != null ? shardSize(plan.total, k, count) : null, complete: false, problem: 'missing (not started)' });
    }
  }
  const done = rows.reduce((s, r) => s + (r.done ?? 0), 0);
  const total = plan?.total ?? (rows.every((r) => r.total !== null) && rows.length > 0 ? rows.reduce((s, r) => s + r.total!, 0) : null);
  const complete = rows.filter((r) => r.complete).length;
  return {
    dir: abs, kind, name, hash, shards: n, rows, done, total, percent: total === null || total === 0 ? null : (100 * done) / total, complete, missing, foreign,
    merged: mergedResult(join(abs, 'merged')),
  };
}

function mergedResult(dir: string): ShardStatus['merged'] {
  if (!existsSync(dir)) return null;
  const files = readdirSync(dir).filter((f) => ['summary.json', 'sweep.json', 'points.csv', 'report.html'].includes(f)).sort();
  let accuracy: number | null = null;
  let verdict: string | null = null;
  let points: number | null = null;
  try {
    if (files.includes('summary.json')) {
      const s = readJson(join(dir, 'summary.json')) as { accuracy?: { mean?: number } | null; verdict?: string | null };
      accuracy = s.accuracy?.mean ?? null;
      verdict = s.verdict ?? null;
    }
    if (files.includes('sweep.json')) points = ((readJson(join(dir, 'sweep.json')) as { points?: unknown[] }).points ?? []).length;
  } catch {
    // a merge being written: report the files only
  }
  return { dir, files, accuracy, verdict, points };
}

/** `edgesim slurm status <dir>` as text (or JSON); exit 0 whatever the progress. */
export function slurmStatusCommand(dir: string, o: { json?: boolean } = {}): CommandOutput {
  const s = shardStatus(dir);
  if (o.json === true) return { stdout: `${JSON.stringify(s, null, 2)}\n`, stderr: '', exitCode: 0 };
  if (s.rows.length === 0 && s.foreign.length === 0) {
    return { stdout: `${s.dir}: no shard folders yet (shard-<k>/ appear when the array tasks start)${s.shards === null ? '' : `; ${s.shards} shard(s) expected`}\n`, stderr: '', exitCode: 0 };
  }
  const unit = s.kind === 'sweep' ? 'points' : 'items';
  const table = formatTable([
    ['shard', `done/${unit}`, 'state'],
    ...s.rows.map((r) => [
      String(r.shard),
      r.done === null ? (r.total === null ? '-' : `-/${r.total}`) : `${r.done}/${r.total ?? '?'}`,
      r.complete ? 'complete' : r.dir === null ? 'missing' : r.problem ?? 'running',
    ]),
  ], [true, true, false]);
  const pct = s.percent === null ? '' : ` (${s.percent.toFixed(1)} %)`;
  const lines = [
    `${s.kind ?? 'run'} '${s.name ?? '?'}'${s.hash === null ? '' : ` (hash ${s.hash})`}: ${s.shards ?? s.rows.length} shard(s), ${s.complete} complete, ${s.missing.length} missing`,
    '',
    table,
    '',
    `overall: ${s.done}/${s.total ?? '?'} ${unit}${pct}`,
    s.missing.length === 0 ? '' : `missing shards: ${s.missing.join(', ')}`,
    ...s.foreign.map((f) => `not a shard of this run: ${f}`),
    s.merged === null
      ? (s.complete === s.rows.length && s.rows.length > 0 ? `every shard is complete; merge: edgesim merge ${dq(s.dir)}/shard-* -o ${dq(join(s.dir, 'merged'))}` : '')
      : `merged: ${s.merged.dir} (${s.merged.files.join(', ') || 'no result files yet'})${s.merged.accuracy === null ? '' : `, accuracy ${(100 * s.merged.accuracy).toFixed(2)} %`}${s.merged.verdict === null ? '' : ` ${s.merged.verdict}`}${s.merged.points === null ? '' : `, ${s.merged.points} point(s)`}`,
  ];
  return { stdout: `${lines.filter((l, i) => l !== '' || i === 1 || i === 3).join('\n')}\n`, stderr: '', exitCode: 0 };
}

/** Options of {@link k8sCommand} as typed. */
export interface K8sArgs {
  readonly shards: string;
  readonly image: string;
  readonly out?: string;
  readonly cpus?: string;
  readonly parallelism?: string;
  /** PersistentVolumeClaim mounted at /results (default `edgesim-results`). */
  readonly pvc?: string;
}

/** A Kubernetes object name (DNS-1123 label) from a run name. */
export function k8sName(name: string, suffix = ''): string {
  const base = `edgesim-${name}`.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/-+/g, '-');
  return `${base.slice(0, 63 - suffix.length).replace(/-+$/, '')}${suffix}`;
}

/** The Indexed Job and the merge Job as objects (serialized to YAML by {@link k8sCommand}). */
export function k8sManifests(t: Pick<ScaleTarget, 'kind' | 'name'>, file: string, o: { shards: number; image: string; cpus: number; parallelism: number; pvc: string }): { job: object; merge: object } {
  const volume = { name: 'results', persistentVolumeClaim: { claimName: o.pvc } };
  const mount = { name: 'results', mountPath: '/results' };
  const labels = { app: 'edgesim', 'edgesim/run': k8sName(t.name).slice(0, 63) };
  const job = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: k8sName(t.name), labels },
    spec: {
      completionMode: 'Indexed',
      completions: o.shards,
      parallelism: o.parallelism,
      backoffLimit: Math.max(6, o.shards),
      template: {
        metadata: { labels },
        spec: {
          restartPolicy: 'OnFailure',
          containers: [{
            name: 'edgesim',
            image: o.image,
            env: [{ name: 'JOB_COMPLETION_INDEX', valueFrom: { fieldRef: { fieldPath: "metadata.annotations['batch.kubernetes.io/job-completion-index']" } } }],
            command: ['edgesim'],
            args: [t.kind, file, '--shard', `$(JOB_COMPLETION_INDEX)/${o.shards}`, '--workers', String(o.cpus), '-o', '/results/shard-$(JOB_COMPLETION_INDEX)', '--quiet'],
            resources: { requests: { cpu: String(o.cpus) } },
            volumeMounts: [mount],
          }],
          volumes: [volume],
        },
      },
    },
  };
  const merge = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: k8sName(t.name, '-merge'), labels },
    spec: {
      completions: 1,
      backoffLimit: 2,
      template: {
        metadata: { labels },
        spec: {
          restartPolicy: 'Never',
          containers: [{
            name: 'merge',
            image: o.image,
            command: ['sh', '-c', 'edgesim merge /results/shard-* -o /results/merged'],
            volumeMounts: [mount],
          }],
          volumes: [volume],
        },
      },
    },
  };
  return { job, merge };
}

/**
 * `edgesim k8s <campaign|sweep> <file> --shards n --image <img>`: checks the file loads, writes
 * `<dir>/job.yaml` (Indexed Job, shard k = completion index k into /results/shard-k),
 * `<dir>/merge-job.yaml` and `<dir>/README.md` (applying, waiting, merging).
 */
export function k8sCommand(kind: string, file: string, a: K8sArgs): CommandOutput {
  const k = scaleKind(kind, 'k8s');
  const shards = positiveInt('--shards', a.shards, 100_000);
  const cpus = a.cpus === undefined ? 1 : positiveInt('--cpus', a.cpus, 4096);
  const parallelism = a.parallelism === undefined ? shards : positiveInt('--parallelism', a.parallelism, 100_000);
  if (a.image.trim() === '' || /\s/.test(a.image)) throw usage(`--image '${a.image}' must be a container image reference, e.g. registry.example.com/edgesim:0.1.0`);
  const pvc = a.pvc ?? 'edgesim-results';
  if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(pvc) || pvc.length > 253) throw usage(`--pvc '${pvc}' must be a Kubernetes name (lower-case letters, digits, '-', '.')`);
  const t = loadScaleTarget(k, file);
  // the path as given: the container resolves it in its own working directory
  const inImage = file;
  const dir = resolve(a.out ?? join('traces', safeName(`k8s-${t.name}`)));
  mkdirSync(dir, { recursive: true });
  const m = k8sManifests(t, inImage, { shards, image: a.image, cpus, parallelism, pvc });
  const head = (what: string): string => `# ${what} (written by edgesim k8s): edgesim ${k} '${t.name}' in ${shards} shard(s)\n`;
  writeFileSync(join(dir, 'job.yaml'), `${head('Indexed Job: pod k runs --shard k/n into /results/shard-k')}${stringify(m.job, { lineWidth: 0, aliasDuplicateObjects: false })}`);
  writeFileSync(join(dir, 'merge-job.yaml'), `${head('merge Job: run it after the Indexed Job completed')}${stringify(m.merge, { lineWidth: 0, aliasDuplicateObjects: false })}`);
  writeFileSync(join(dir, 'README.md'), k8sReadme(k, t.name, inImage, shards, a.image, pvc, k8sName(t.name), k8sName(t.name, '-merge'), isAbsolute(file)));
  writePlan(dir, { kind: k, name: t.name, file: t.file, shards, total: t.total, scheduler: 'k8s' });
  const warn = t.diagnostics.length > 0 ? `${formatDiagnostics(t.diagnostics)}\n` : '';
  return {
    stdout: [
      `${k} '${t.name}' in ${shards} shard(s) (${parallelism} at a time, ${cpus} CPU(s) each) on image ${a.image}; written to ${dir}:`,
      '  job.yaml        Indexed Job: pod k runs --shard k/n into /results/shard-k',
      '  merge-job.yaml  merge Job: edgesim merge /results/shard-* -o /results/merged',
      '  README.md       how to run it and merge',
      `the container runs '${file}' as given (relative to the image's working directory): the file and what it names must be in the image or on the volume`,
      `/results is the PersistentVolumeClaim '${pvc}': it must be shared storage (ReadWriteMany) so that the merge sees every shard`,
      `run: kubectl apply -f ${dq(join(dir, 'job.yaml'))} && kubectl wait --for=condition=complete --timeout=24h job/${k8sName(t.name)} && kubectl apply -f ${dq(join(dir, 'merge-job.yaml'))}`,
      '',
    ].join('\n'),
    stderr: warn, exitCode: 0,
  };
}

function k8sReadme(kind: ScaleKind, name: string, file: string, shards: number, image: string, pvc: string, job: string, merge: string, absFile: boolean): string {
  return `# edgesim ${kind} '${name}' on Kubernetes (${shards} shards)

Written by \`edgesim k8s\`. \`job.yaml\` is an Indexed Job (\`completionMode: Indexed\`,
\`completions: ${shards}\`): the pod with completion index k runs

    edgesim ${kind} ${file} --shard k/${shards} -o /results/shard-k --quiet

in the image \`${image}\` (\`edgesim\` on its PATH, e.g. \`npm install -g\` of this package). The
${kind === 'campaign' ? 'scenario' : 'sweep'} file ${absFile ? 'is given as an absolute path' : 'path is relative to the image\'s working directory'}:
it and everything it names (platform, model, data) must be in the image or on the volume at
that path. A pod that fails is restarted and its shard resumes where it stopped.

\`/results\` is the PersistentVolumeClaim \`${pvc}\`. **It must be shared storage** (a
ReadWriteMany volume: NFS, CephFS, a cloud file store): every pod writes its own
\`/results/shard-k/\`, and the merge reads them all. Create it first, e.g.:

    apiVersion: v1
    kind: PersistentVolumeClaim
    metadata: { name: ${pvc} }
    spec: { accessModes: [ReadWriteMany], resources: { requests: { storage: 10Gi } } }

## Run, then merge

    kubectl apply -f job.yaml
    kubectl get pods -l edgesim/run=${job} -w        # one pod per shard
    kubectl wait --for=condition=complete --timeout=24h job/${job}
    kubectl apply -f merge-job.yaml                  # edgesim merge /results/shard-* -o /results/merged
    kubectl wait --for=condition=complete --timeout=1h job/${merge}

The merged results (${kind === 'campaign' ? '`summary.json`, byte-identical to an unsharded run, and `report.html`' : '`sweep.json`, byte-identical to an unsharded run, `points.csv` and `report.html`'})
are in \`/results/merged/\`. Or copy the shard folders off the volume and merge anywhere:

    edgesim merge shard-* -o merged
    edgesim slurm status .                           # progress of copied shard folders

Delete the Jobs afterwards with \`kubectl delete job ${job} ${merge}\`.
`;
}
