/**
 * `edgesim bench compare-systemc`: runs edgesim's kernel workloads and SystemC 2.3.4's in
 * alternating pairs at equal sizes, each as its own process under GNU time (for peak RSS), and
 * reports per-CPU-second rates and their ratio. Machines are shared and noisy: CPU-time rates of
 * paired runs are the fair comparison (shared/systemc/RESULTS.md).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_SIZES, type WorkloadName } from '../bench/index.js';
import { SimError } from '../util/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, '..', '..');
const SRC_DIR = join(repoRoot, 'test', 'bench', 'systemc');
const MAIN_JS = join(repoRoot, 'dist', 'cli', 'main.js');

const PROGRAMS: Readonly<Record<WorkloadName, string>> = {
  w1: 'w1_timed_ring',
  w2: 'w2_delta_ring',
  w3: 'w3_thread_ring',
  w4: 'w4_clocked_pipeline',
  w5: 'w5_fifo',
};

/** One case of the comparison: a workload at given sizes. */
export interface CompareCase {
  readonly label: string;
  readonly workload: WorkloadName;
  readonly sizes: readonly number[];
}

/** The default cases: every workload at the SystemC programs' default sizes, W5 with P=1 and P=16. */
export function defaultCases(scale = 1): CompareCase[] {
  const sz = (w: WorkloadName): number[] => DEFAULT_SIZES[w].map((v, i) => (i === DEFAULT_SIZES[w].length - 1 ? Math.max(1, Math.round(v * scale)) : v));
  const w4 = sz('w4');
  const w5 = DEFAULT_SIZES.w5[1]! * scale;
  const round = (m: number, t: number): number => Math.max(t, Math.round(m / t) * t);
  return [
    { label: 'W1 timed-ring', workload: 'w1', sizes: [1000, 100, round(40_000_000 * scale, 100)] },
    { label: 'W2 delta-ring', workload: 'w2', sizes: [1000, 100, round(50_000_000 * scale, 100)] },
    { label: 'W3 thread-ring', workload: 'w3', sizes: [1000, 100, round(20_000_000 * scale, 100)] },
    { label: 'W4 clocked-pipeline', workload: 'w4', sizes: w4 },
    { label: 'W5 fifo P=1', workload: 'w5', sizes: [1, Math.round(w5)] },
    { label: 'W5 fifo P=16', workload: 'w5', sizes: [16, round(w5, 16)] },
  ];
}

/** Builds the SystemC programs into a cache folder; returns the folder. */
export function buildSystemC(): string {
  const out = join(tmpdir(), 'edgesim-systemc-bench');
  mkdirSync(out, { recursive: true });
  if (!existsSync('/usr/include/systemc') && !existsSync('/usr/include/systemc.h')) {
    throw new SimError('missing-tool', 'SystemC headers not found; install them with: apt-get install -y g++ libsystemc-dev time');
  }
  for (const prog of Object.values(PROGRAMS)) {
    const src = join(SRC_DIR, `${prog}.cpp`);
    const bin = join(out, prog);
    if (existsSync(bin) && statSync(bin).mtimeMs > statSync(src).mtimeMs) continue;
    execFileSync('g++', ['-O2', '-std=gnu++17', '-o', bin, src, '-lsystemc'], { stdio: 'inherit' });
  }
  return out;
}

/** Rates and memory of one run. */
export interface RunMeasure {
  readonly line: string;
  readonly perCpuSecond: number;
  readonly perWallSecond: number;
  readonly peakRssKiB: number;
}

function measure(cmd: string, args: readonly string[]): RunMeasure {
  const r = spawnSync('/usr/bin/time', ['-f', '%M', cmd, ...args], {
    encoding: 'utf8',
    env: { ...process.env, SYSTEMC_DISABLE_COPYRIGHT_MESSAGE: '1' },
    maxBuffer: 1 << 20,
  });
  if (r.status !== 0) throw new SimError('bench-failed', `${cmd} ${args.join(' ')} failed (exit ${r.status}): ${r.stderr.trim()}`);
  const line = r.stdout.trim().split('\n').pop() ?? '';
  const rss = Number(r.stderr.trim().split('\n').pop());
  const cpu = /(?:act|items)_per_cpu_s=([0-9.]+)/.exec(line)?.[1];
  const wall = /(?:act|items)_per_s=([0-9.]+)/.exec(line)?.[1];
  if (cpu === undefined || wall === undefined) throw new SimError('bench-failed', `cannot read the rates from: ${line}`);
  return { line, perCpuSecond: Number(cpu), perWallSecond: Number(wall), peakRssKiB: rss };
}

/** Result of one case over all pairs. */
export interface CompareRow {
  readonly label: string;
  readonly sizes: readonly number[];
  readonly ours: readonly RunMeasure[];
  readonly systemc: readonly RunMeasure[];
  /** Median over pairs of (ours / SystemC), per CPU second. */
  readonly medianRatio: number;
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** Runs `pairs` alternating pairs per case (ours first, then SystemC) and returns the rows. */
export function compareWithSystemC(cases: readonly CompareCase[], pairs: number, onProgress: (msg: string) => void): CompareRow[] {
  if (!existsSync('/usr/bin/time')) throw new SimError('missing-tool', 'GNU time not found; install it with: apt-get install -y time');
  const bin = buildSystemC();
  const rows: CompareRow[] = [];
  for (const c of cases) {
    const ours: RunMeasure[] = [];
    const sc: RunMeasure[] = [];
    for (let i = 0; i < pairs; i++) {
      onProgress(`${c.label}: pair ${i + 1}/${pairs}`);
      ours.push(measure(process.execPath, [MAIN_JS, 'bench', 'kernel', c.workload, ...c.sizes.map(String)]));
      sc.push(measure(join(bin, PROGRAMS[c.workload]), c.sizes.map(String)));
    }
    rows.push({ label: c.label, sizes: c.sizes, ours, systemc: sc, medianRatio: median(ours.map((o, i) => o.perCpuSecond / sc[i]!.perCpuSecond)) });
  }
  return rows;
}

/** Formats the rows as a Markdown table. */
export function formatCompare(rows: readonly CompareRow[]): string {
  const M = (x: number): string => `${(x / 1e6).toFixed(2)} M/s`;
  const out = [
    '| workload | sizes | edgesim per CPU-s (median) | SystemC 2.3.4 per CPU-s (median) | ratio (median of pairs) | peak RSS edgesim | peak RSS SystemC |',
    '| --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const r of rows) {
    out.push(
      `| ${r.label} | ${r.sizes.join(' ')} | ${M(median(r.ours.map((x) => x.perCpuSecond)))} | ${M(median(r.systemc.map((x) => x.perCpuSecond)))} | ${r.medianRatio.toFixed(2)}x | ${(median(r.ours.map((x) => x.peakRssKiB)) / 1024).toFixed(1)} MiB | ${(median(r.systemc.map((x) => x.peakRssKiB)) / 1024).toFixed(1)} MiB |`,
    );
  }
  return out.join('\n');
}
