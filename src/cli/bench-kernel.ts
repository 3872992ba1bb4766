import { buildWorkload, expectedResults, SIZE_NAMES, type WorkloadName } from '../bench/index.js';
import { SimError } from '../util/index.js';

/** One measured run of a kernel workload. */
export interface KernelBenchResult {
  /** The one line, with the same keys as the SystemC programs. */
  readonly line: string;
  readonly count: number;
  readonly wallSeconds: number;
  readonly cpuSeconds: number;
  /** True if counts, simulated time, deltas (and out/checksum) equal the specification. */
  readonly matchesSpec: boolean;
  readonly mismatch: string | undefined;
}

const WORKLOADS: readonly WorkloadName[] = ['w1', 'w2', 'w3', 'w4', 'w5'];

/** Parses `w1`..`w5` and the size arguments, with messages that say what is expected. */
export function parseKernelBenchArgs(name: string, sizes: readonly string[]): { name: WorkloadName; sizes: number[] } {
  const w = name.toLowerCase() as WorkloadName;
  if (!WORKLOADS.includes(w)) {
    throw new SimError('bad-argument', `unknown workload '${name}'; choose one of ${WORKLOADS.join(', ')}`);
  }
  const names = SIZE_NAMES[w];
  if (sizes.length > names.length) {
    throw new SimError('bad-argument', `${w} takes at most ${names.length} sizes (${names.join(' ')}), got ${sizes.length}`);
  }
  const nums = sizes.map((s, i) => {
    const v = Number(s);
    if (!/^[0-9]+$/.test(s) || !Number.isSafeInteger(v)) {
      throw new SimError('bad-argument', `${w} size ${names[i]}='${s}' must be a non-negative integer`);
    }
    return v;
  });
  return { name: w, sizes: nums };
}

/**
 * Builds and runs one workload, timing only the simulation call (as the SystemC programs time
 * `sc_start`): wall clock with `performance.now()`, CPU with `process.cpuUsage()` (user + system).
 */
export function runKernelBench(name: WorkloadName, sizes: readonly number[]): KernelBenchResult {
  const w = buildWorkload(name, sizes);
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  w.run();
  const t1 = performance.now();
  const c1 = process.cpuUsage(c0);
  const wall = (t1 - t0) / 1000;
  const cpu = (c1.user + c1.system) / 1e6;
  const r = w.result();
  const k = w.countKey === 'items' ? 'items' : 'act';
  const line = `${w.header} ${r.fields} kernel_wall_s=${wall.toFixed(4)} ${k}_per_s=${(r.count / wall).toFixed(0)} kernel_cpu_s=${cpu.toFixed(4)} ${k}_per_cpu_s=${(r.count / cpu).toFixed(0)}`;
  const exp = expectedResults(name, sizes);
  const checks: string[] = [];
  const field = (key: string): string | undefined => new RegExp(`(?:^| )${key}=([^ ]+(?: (?:fs|ps|ns|us|ms|s)(?= |$))?)`).exec(line)?.[1];
  if (r.count !== exp.count) checks.push(`${w.countKey}=${r.count}, spec ${exp.count}`);
  if (field('sim_time') !== exp.simTime) checks.push(`sim_time=${field('sim_time')}, spec ${exp.simTime}`);
  if (Number(field('deltas')) !== exp.deltas) checks.push(`deltas=${field('deltas')}, spec ${exp.deltas}`);
  if (exp.out !== undefined && Number(field('out')) !== exp.out) checks.push(`out=${field('out')}, spec ${exp.out}`);
  if (exp.checksum !== undefined && Number(field('checksum')) !== exp.checksum) checks.push(`checksum=${field('checksum')}, spec ${exp.checksum}`);
  return { line, count: r.count, wallSeconds: wall, cpuSeconds: cpu, matchesSpec: checks.length === 0, mismatch: checks.length ? checks.join('; ') : undefined };
}
