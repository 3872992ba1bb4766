/**
 * `edgesim bench shard`: the cost of sharding, as the scale-out issue asks for it. One invocation
 * runs the same campaign (a scenario without a sweep; default the shipped `l1-upsets-pulp.yaml`)
 * on this machine: an untimed unsharded run (warm-up and the reference summary); `--shards n`
 * shards one after the other (each a fresh `campaign --shard k/n` run on one worker), then
 * `edgesim merge`; the unsharded run again, timed; and it checks that the merged summary equals
 * the unsharded one byte for byte. The overhead is (shards + merge) over
 * unsharded wall time: what sharding itself costs (each shard prepares the scenario again:
 * model import, compilation, fault-free reference runs of its samples), independent of how many
 * machines run the shards. The speed-up of shards running in parallel on a cluster is measured
 * by the Slurm end-to-end test (`test/cli/slurm-e2e.test.ts`, printed, never asserted). Nothing
 * is asserted on time; outputs go to a temporary folder removed afterwards.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SimError, formatTable } from '../util/index.js';
import { campaignCommand } from './campaign-command.js';
import { mergeCommand } from './merge-command.js';

/** The scenario `bench shard` runs by default (package root, not the cwd). */
export const DEFAULT_SHARD_SCENARIO = fileURLToPath(new URL('../../scenarios/l1-upsets-pulp.yaml', import.meta.url));

/** The result of {@link runShardBench}; seconds of wall time. */
export interface ShardBenchResult {
  readonly scenario: string;
  readonly shards: number;
  readonly items: number;
  readonly unshardedSeconds: number;
  /** Per shard, in order. */
  readonly shardSeconds: readonly number[];
  readonly mergeSeconds: number;
  /** (sum of shards + merge) / unsharded. */
  readonly overhead: number;
  /** The merged summary equals the unsharded one byte for byte. */
  readonly identical: boolean;
}

const seconds = (t0: number): number => (performance.now() - t0) / 1000;

/** Runs the benchmark. @throws SimError when a run fails. */
export async function runShardBench(o: { readonly scenario?: string; readonly shards?: number; readonly progress?: (m: string) => void } = {}): Promise<ShardBenchResult> {
  const file = resolve(o.scenario ?? DEFAULT_SHARD_SCENARIO);
  const n = o.shards ?? 4;
  const dir = mkdtempSync(join(tmpdir(), 'edgesim-bench-shard-'));
  try {
    const must = (r: { stdout: string; stderr: string; exitCode: number }, what: string): void => {
      if (r.exitCode !== 0) throw new SimError('bench-failed', `${what} failed:\n${r.stderr}`);
    };
    // an untimed unsharded run first: JIT warm-up and the reference summary (else whichever ran first would pay it)
    o.progress?.('warm-up: unsharded run, 1 worker (untimed)');
    must(await campaignCommand(file, { workers: 1, quiet: true, out: join(dir, 'whole') }), 'the unsharded run');
    const shardSeconds: number[] = [];
    for (let k = 0; k < n; k++) {
      o.progress?.(`shard ${k}/${n}, 1 worker`);
      const t = performance.now();
      must(await campaignCommand(file, { workers: 1, quiet: true, out: join(dir, `shard-${k}`), shard: { k, n } }), `shard ${k}/${n}`);
      shardSeconds.push(seconds(t));
    }
    o.progress?.('merge');
    const tm = performance.now();
    must(mergeCommand(Array.from({ length: n }, (_, k) => join(dir, `shard-${k}`)), { out: join(dir, 'merged') }), 'the merge');
    const mergeSeconds = seconds(tm);
    o.progress?.('unsharded run, 1 worker');
    const t0 = performance.now();
    must(await campaignCommand(file, { workers: 1, quiet: true, out: join(dir, 'whole-timed') }), 'the unsharded run');
    const unshardedSeconds = seconds(t0);
    const whole = readFileSync(join(dir, 'whole', 'summary.json'), 'utf8');
    const merged = readFileSync(join(dir, 'merged', 'summary.json'), 'utf8');
    const items = (JSON.parse(whole) as { items: number }).items;
    return {
      scenario: file, shards: n, items, unshardedSeconds, shardSeconds, mergeSeconds,
      overhead: (shardSeconds.reduce((a, b) => a + b, 0) + mergeSeconds) / unshardedSeconds, identical: whole === merged,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The result as text. */
export function formatShardBench(r: ShardBenchResult): string {
  const total = r.shardSeconds.reduce((a, b) => a + b, 0);
  const table = formatTable([
    ['run', 'items', 'wall [s]'],
    ['unsharded, 1 worker', String(r.items), r.unshardedSeconds.toFixed(2)],
    ...r.shardSeconds.map((s, k) => [`shard ${k}/${r.shards}, 1 worker`, '', s.toFixed(2)]),
    ['merge', '', r.mergeSeconds.toFixed(2)],
    [`${r.shards} shards + merge`, String(r.items), (total + r.mergeSeconds).toFixed(2)],
  ], [false, true, true]);
  return `shard bench: ${r.scenario}\n\n${table}\n\noverhead of sharding: ${r.overhead.toFixed(2)}x the unsharded wall time (each shard prepares the scenario again); ideal speed-up on ${r.shards} machines: ${(r.unshardedSeconds / Math.max(...r.shardSeconds, 1e-9)).toFixed(2)}x (slowest shard + merge: ${(Math.max(...r.shardSeconds) + r.mergeSeconds).toFixed(2)} s); merged summary identical to the unsharded one: ${r.identical ? 'yes' : 'NO'}\n`;
}
