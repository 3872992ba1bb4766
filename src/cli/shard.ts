/**
 * Sharding of campaigns and sweeps (`--shard k/n`) for clusters: shard k of n (0-based, so
 * `$SLURM_ARRAY_TASK_ID` and Kubernetes' `$JOB_COMPLETION_INDEX` pass straight through) takes the
 * work items whose index i in the canonical order has i mod n = k (campaign: chip x inference,
 * chip-major; sweep: design points in sampling order). Round robin keeps the shards' sizes within
 * one item and spreads slow regions (large chips, costly points) over every shard. Items carry
 * their own random streams, so where an item runs changes nothing in its result, and a merge of
 * the shards (`edgesim merge`) gives the same bytes as one unsharded run.
 *
 * A shard's folder holds its results like an unsharded run's (campaign: `results.jsonl`; sweep:
 * `points.jsonl` and the cache) and `shard.json`, rewritten as items finish (progress for
 * `edgesim slurm status`): what it is a shard of, its hash, k, n, its item count and how many are
 * done.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SimError } from '../util/index.js';
import { writeAtomic } from './files.js';

/** A shard of a run: `k` of `n`, 0 <= k < n. */
export interface Shard {
  readonly k: number;
  readonly n: number;
}

/** Reads `k/n` (0-based k); @throws SimError `bad-argument` naming the option and the fix. */
export function parseShard(text: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const k = m === null ? NaN : Number(m[1]);
  const n = m === null ? NaN : Number(m[2]);
  if (m === null || !Number.isSafeInteger(k) || !Number.isSafeInteger(n) || n < 1 || k >= n) {
    throw new SimError('bad-argument', `--shard '${text}' must be k/n with 0 <= k < n (0-based: shard 0/4 .. 3/4 cover a run split 4 ways)`);
  }
  return { k, n };
}

/** The items of a shard: those at indices i with i mod n = k, in order. */
export function shardItems<T>(items: readonly T[], shard: Shard | undefined): T[] {
  return shard === undefined ? [...items] : items.filter((_, i) => i % shard.n === shard.k);
}

/** What `shard.json` holds. */
export interface ShardInfo {
  readonly kind: 'campaign' | 'sweep';
  /** Scenario or sweep name. */
  readonly name: string;
  /** The scenario's or sweep's hash: every shard of one run has the same. */
  readonly hash: string;
  /** The file the shard ran (absolute path). */
  readonly file: string;
  readonly shard: number;
  readonly shards: number;
  /** Items (campaign) or points (sweep) of this shard. */
  readonly total: number;
  readonly done: number;
  readonly complete: boolean;
  /** What the merge needs besides the results (campaign: chips, inferences, threshold; sweep: nothing). */
  readonly run: Readonly<Record<string, unknown>>;
}

/** The file name of a shard's description in its folder. */
export const SHARD_FILE = 'shard.json';

/** Writes `shard.json` atomically (a kill leaves the old or the new one). */
export function writeShardInfo(dir: string, info: ShardInfo): void {
  writeAtomic(join(dir, SHARD_FILE), `${JSON.stringify(info, null, 2)}\n`);
}

/** Reads a shard folder's `shard.json`; @throws SimError `bad-shard` naming the folder. */
export function readShardInfo(dir: string): ShardInfo {
  const path = join(dir, SHARD_FILE);
  if (!existsSync(path)) throw new SimError('bad-shard', `${dir} has no ${SHARD_FILE}: not the folder of a --shard run (or it has not started)`);
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as ShardInfo;
  } catch {
    throw new SimError('bad-shard', `${path} is not valid JSON`);
  }
}

/**
 * Checks that `infos` are the shards of one run, each exactly once and complete.
 * @throws SimError `bad-shard` naming the missing, duplicated, incomplete or mismatched shards.
 */
export function checkShards(dirs: readonly string[], infos: readonly ShardInfo[]): void {
  if (infos.length === 0) throw new SimError('bad-argument', 'merge: give the shard folders to merge');
  const first = infos[0]!;
  infos.forEach((s, i) => {
    if (s.kind !== first.kind) throw new SimError('bad-shard', `${dirs[i]} is a ${s.kind} shard, ${dirs[0]} a ${first.kind} shard: they are not shards of one run`);
    if (s.hash !== first.hash || s.name !== first.name) throw new SimError('bad-shard', `${dirs[i]} is a shard of '${s.name}' (hash ${s.hash}), ${dirs[0]} of '${first.name}' (hash ${first.hash}): the scenario, its inputs or the edgesim version differ`);
    if (s.shards !== first.shards) throw new SimError('bad-shard', `${dirs[i]} is shard ${s.shard}/${s.shards}, ${dirs[0]} shard ${first.shard}/${first.shards}: different shard counts`);
  });
  const seen = new Map<number, string>();
  infos.forEach((s, i) => {
    const other = seen.get(s.shard);
    if (other !== undefined) throw new SimError('bad-shard', `shard ${s.shard}/${s.shards} is given twice: ${other} and ${dirs[i]}`);
    seen.set(s.shard, dirs[i]!);
  });
  const problems: string[] = [];
  const missing = Array.from({ length: first.shards }, (_, k) => k).filter((k) => !seen.has(k));
  if (missing.length > 0) problems.push(`missing shard(s) ${missing.map((k) => `${k}/${first.shards}`).join(', ')} of '${first.name}' (have ${[...seen.keys()].sort((a, b) => a - b).join(', ')})`);
  const incomplete = infos.map((s, i) => ({ s, d: dirs[i]! })).filter(({ s }) => !s.complete);
  if (incomplete.length > 0) problems.push(`shard(s) not complete: ${incomplete.map(({ s, d }) => `${s.shard}/${s.shards} (${d}: ${s.done} of ${s.total} done; run it again to resume)`).join(', ')}`);
  if (problems.length > 0) throw new SimError('bad-shard', problems.join('; '));
}
