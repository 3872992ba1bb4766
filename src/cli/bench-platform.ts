/**
 * `edgesim bench platform`: simulated instructions per CPU-second of one core and of the 8 worker
 * cores of pulp-cluster running a compute loop (load, add, multiply, store) from L1, and L1
 * scratchpad transactions per CPU-second. Only the simulation call is timed.
 */
import { fileURLToPath } from 'node:url';
import { assembleOrThrow } from '../isa/index.js';
import { CoreSim, ENV_EXIT, FlatMemory, Rv32Core, Scratchpad, catalog, loadProgram } from '../modules/index.js';
import { loadPlatform, type PlatformGraph } from '../platform/index.js';
import { instantiate } from '../sim/index.js';
import { SimError, formatDiagnostics, formatTime, hasErrors } from '../util/index.js';
import { readText } from './files.js';

/** One measured run. */
export interface PlatformBenchResult {
  readonly cores: number;
  readonly instructions: number;
  readonly l1Transactions: number;
  readonly simTimePs: number;
  readonly cpuSeconds: number;
}


/** The shipped pulp-cluster platform (next to dist/ or src/). */
export function pulpCluster(): PlatformGraph {
  const file = fileURLToPath(new URL('../../platforms/pulp-cluster.yaml', import.meta.url));
  const r = loadPlatform(file, readText(file) ?? '', { catalog, readFile: readText });
  if (hasErrors(r.diagnostics) || r.graph === undefined) throw new SimError('bench-platform', `cannot load ${file}:\n${formatDiagnostics(r.diagnostics)}`);
  return r.graph;
}

/** The loop: per iteration lw, add, mul, sw, addi, bnez (6 instructions, 2 L1 accesses), on a word of its own per core. */
const loopSource = (data: number, iterations: number): string => `
        li    t0, ${data}
        slli  t1, a0, 2
        add   t0, t0, t1
        li    t2, ${iterations}
        li    t3, 0
loop:
        lw    t4, 0(t0)
        add   t3, t3, t4
        mul   t5, t3, t2
        sw    t5, 0(t0)
        addi  t2, t2, -1
        bnez  t2, loop
        li    a0, 0
        ecall
`;

/** Runs the loop on the first `cores` worker cores of pulp-cluster, code and data in L1. */
export function runPlatformBench(cores: number, iterations: number, graph: PlatformGraph = pulpCluster()): PlatformBenchResult {
  const l1 = graph.addressMap.find((r) => r.target === 'l1');
  if (l1 === undefined) throw new SimError('bench-platform', 'pulp-cluster has no l1 region');
  const p = instantiate(graph);
  const cs = Array.from({ length: cores }, (_, i) => p.get(`pe${i}`, CoreSim));
  loadProgram(cs, assembleOrThrow(loopSource(l1.base + 0x8000, iterations), { origin: l1.base }, 'bench-loop.s'));
  const c0 = process.cpuUsage();
  p.sim.run();
  const c1 = process.cpuUsage(c0);
  for (const c of cs) {
    if (c.core.exitCode !== 0) throw new SimError('bench-platform', `${c.path} did not finish the loop`);
  }
  const sp = p.get('l1', Scratchpad);
  return {
    cores,
    instructions: cs.reduce((s, c) => s + c.core.instructions, 0),
    l1Transactions: sp.stats.reads.value + sp.stats.writes.value,
    simTimePs: p.sim.now,
    cpuSeconds: (c1.user + c1.system) / 1e6,
  };
}

/**
 * The same loop on the stand-alone instruction-set simulator (a flat RAM, no kernel, no ports,
 * no timing of memories): the upper bound of what the platform can reach, measured in the same
 * process so the platform figure can be read as a ratio of it.
 */
export function runIssBench(iterations: number): { instructions: number; cpuSeconds: number } {
  const base = 0x1000_0000;
  const ram = new FlatMemory(base, 64 * 1024, { name: 'ram' });
  ram.writeWords(base, assembleOrThrow(loopSource(base + 0x8000, iterations), { origin: base }, 'bench-loop.s').words);
  const core = new Rv32Core(ram, { name: 'iss', pc: base, env: { ecall: () => ENV_EXIT, ebreak: () => 0, custom: () => 0 } });
  const c0 = process.cpuUsage();
  const r = core.run(Number.MAX_SAFE_INTEGER);
  const c1 = process.cpuUsage(c0);
  if (r !== 'exit') throw new SimError('bench-platform', `stand-alone ISS stopped with '${r}'`);
  return { instructions: core.instructions, cpuSeconds: (c1.user + c1.system) / 1e6 };
}

const rate = (n: number, s: number): string => (s > 0 ? (n / s).toExponential(3) : 'inf');

/** Everything `edgesim bench platform` measures (what `--json` prints). */
export interface PlatformBenchReport {
  readonly iterations: number;
  readonly runs: readonly (PlatformBenchResult & { readonly instructionsPerCpuSecond: number; readonly l1TransactionsPerCpuSecond: number })[];
  readonly iss: { readonly instructions: number; readonly cpuSeconds: number; readonly instructionsPerCpuSecond: number };
  /** Instructions per CPU-second of the last run over the stand-alone ISS's. */
  readonly platformOverIss: number | undefined;
}

const perS = (n: number, s: number): number => (s > 0 ? n / s : Infinity);

/** Measures the platform runs for each core count in `which`, then the stand-alone ISS. */
export function runPlatformBenches(which: readonly number[], iterations: number): PlatformBenchReport {
  const g = pulpCluster();
  const runs: PlatformBenchReport['runs'][number][] = [];
  for (const n of which) {
    // warm-up (JIT: tiering up takes a few hundred thousand instructions per configuration), not reported
    for (let w = 0; w < 2; w++) runPlatformBench(n, Math.min(iterations, 200_000), g);
    const r = runPlatformBench(n, iterations, g);
    runs.push({ ...r, instructionsPerCpuSecond: perS(r.instructions, r.cpuSeconds), l1TransactionsPerCpuSecond: perS(r.l1Transactions, r.cpuSeconds) });
  }
  for (let w = 0; w < 2; w++) runIssBench(Math.min(iterations, 200_000)); // warm-up
  const iss = runIssBench(iterations);
  const issRate = perS(iss.instructions, iss.cpuSeconds);
  const last = runs[runs.length - 1];
  return { iterations, runs, iss: { ...iss, instructionsPerCpuSecond: issRate }, platformOverIss: last === undefined ? undefined : last.instructions / last.cpuSeconds / issRate };
}

/** The lines printed by `edgesim bench platform` for a report. */
export function formatPlatformBench(b: PlatformBenchReport): string[] {
  const out = b.runs.map((r) => `pulp-cluster cores=${r.cores}: instr_per_cpu_s=${rate(r.instructions, r.cpuSeconds)} instructions/CPU-s (instructions=${r.instructions}, cpu_s=${r.cpuSeconds.toFixed(4)} s, sim_time=${formatTime(r.simTimePs)})`);
  out.push(`stand-alone ISS (same loop, flat RAM, no kernel): instr_per_cpu_s=${rate(b.iss.instructions, b.iss.cpuSeconds)} instructions/CPU-s (instructions=${b.iss.instructions}, cpu_s=${b.iss.cpuSeconds.toFixed(4)} s)`);
  const last = b.runs[b.runs.length - 1];
  if (last !== undefined) {
    out.push(`platform / stand-alone ISS (cores=${last.cores} run): ${(b.platformOverIss ?? NaN).toFixed(3)}`);
    out.push(`pulp-cluster l1 scratchpad (cores=${last.cores} run): tx_per_cpu_s=${rate(last.l1Transactions, last.cpuSeconds)} transactions/CPU-s (transactions=${last.l1Transactions}, cpu_s=${last.cpuSeconds.toFixed(4)} s)`);
  }
  return out;
}

/** The lines printed by `edgesim bench platform`. */
export function platformBenchLines(which: readonly number[], iterations: number): string[] {
  return formatPlatformBench(runPlatformBenches(which, iterations));
}
