#!/usr/bin/env node
/**
 * The `edgesim` command. A thin layer: it parses arguments, calls the library and turns errors
 * into one clear message (never a stack trace) and an exit code, the same for every command:
 * 0 ok; 1 user error with diagnostics (a bad platform, model or scenario file, bad arguments or
 * usage, a missing file, a failed check); 2 internal error (an unexpected exception: a bug to
 * report). Every command's `--help` ends with examples that work from the repository root.
 */
import { Command, CommanderError } from 'commander';
import { formatDemo, runDemo } from '../demo/index.js';
import { SimError } from '../util/index.js';
import { compareWithSystemC, defaultCases, formatCompare } from './bench-compare.js';
import { parseKernelBenchArgs, runKernelBench } from './bench-kernel.js';
import { aimcBenchLines, runAimcBench } from './bench-aimc.js';
import { DEFAULT_BENCH_SCENARIO, formatCampaignBench, parseWorkerCounts, runCampaignBench } from './bench-campaign.js';
import { campaignCommand } from './campaign-command.js';
import { formatSweepBench, runSweepBench } from './bench-sweep.js';
import { formatShardBench, runShardBench } from './bench-shard.js';
import { sweepCommand } from './sweep-command.js';
import { mergeCommand } from './merge-command.js';
import { parseShard } from './shard.js';
import { compileCommand } from './compile-command.js';
import { demoCommand } from './demo-command.js';
import { SIM_PLATFORMS, formatNnBench, formatNnSimBench, runNnBenchForms, runNnSimBench } from './bench-nn.js';
import { peBenchLines, runPeBench } from './bench-pe.js';
import { formatPlatformBench, runPlatformBenches } from './bench-platform.js';
import { DEFAULT_INIT_DIR, initCommand } from './init-command.js';
import { checkPlatform, describe, describeJson, schema } from './platform-commands.js';
import { runCommand } from './run-command.js';
import { runModelCommand } from './run-model.js';
import { rtlCommand } from './rtl-command.js';
import { characterizeCommand } from './characterize-command.js';
import { k8sCommand, slurmCommand, slurmStatusCommand } from './scaleout.js';

/** Exit codes of every command. */
const EXIT = { ok: 0, userError: 1, internalError: 2 } as const;

/** Prints a command's outputs and sets the exit code. */
function emit(r: { stdout: string; stderr: string; exitCode: number }): void {
  process.stdout.write(r.stdout);
  process.stderr.write(r.stderr);
  process.exitCode = r.exitCode;
}

/** JSON on stdout (numbers that JSON cannot hold, Infinity and NaN, become null). */
const printJson = (v: unknown): void => void process.stdout.write(`${JSON.stringify(v, null, 2)}\n`);

/** Appends an "Examples:" section to a command's --help; every example runs from the repository root. */
function examples(cmd: Command, lines: readonly string[]): Command {
  return cmd.addHelpText('after', `\nExamples:\n${lines.map((l) => `  $ ${l}`).join('\n')}\n`);
}

/** Whether progress may be shown: stderr is a terminal and neither --quiet nor --json was given. */
const showProgress = (o: { quiet?: boolean; json?: boolean }): boolean => process.stderr.isTTY === true && o.quiet !== true && o.json !== true;

const QUIET = 'no progress output, only results and errors (progress is shown only on a terminal anyway)';
const EXIT_HELP = 'Exit codes: 0 ok, 1 user error with diagnostics (bad platform/model/scenario file, bad arguments or usage, missing file, failed check), 2 internal error (please report it).';

const program = new Command();
program
  .name('edgesim')
  .description('SystemC-style discrete-event co-simulation of edge-AI inference accelerators')
  .version('0.1.0')
  .showHelpAfterError('(run edgesim --help for usage)')
  .addHelpText('after', `\n${EXIT_HELP}\nEvery command has --help with examples, e.g. edgesim run --help.\n`)
  .exitOverride();

const demo = program
  .command('demo')
  .description('the main job on built-in defaults: MLPerf Tiny ResNet-8 (int8 ONNX) compiled for pulp-cluster and simulated on the first -n CIFAR-10 test images shipped in the repo; prints accuracy, bit-exactness against the reference evaluator and onnxruntime\'s stored outputs, latency, energy and duty cycles, and writes traces/demo-resnet8-pulp-cluster/. `demo kernel` runs the small kernel model (producer -> FIFO -> consumer -> TLM bus -> memory) instead')
  .argument('[which]', 'resnet8 (default) or kernel', 'resnet8')
  .option('-n <count>', 'resnet8: images to simulate (1-500; about 0.8 s of host time each)', '100')
  .option('--platform <name|file>', 'resnet8: pulp-cluster (default), diana-like, hermes-like, eyeriss-like or a platform file; layers go to the platform\'s accelerators where they run exactly')
  .option('--out <dir>', 'resnet8: trace folder (default traces/demo-resnet8-<platform>)')
  .option('--items <n>', 'kernel: items to transfer', '8')
  .option('--quiet', `resnet8: ${QUIET}`)
  .option('--json', 'resnet8: print the summary as JSON instead of the tables')
  .action((which: string, o: { n: string; platform?: string; out?: string; items: string; quiet?: boolean; json?: boolean }) => {
    if (which === 'kernel') {
      const items = Number(o.items);
      if (!Number.isSafeInteger(items) || items < 1 || items > 1_000_000) {
        throw new SimError('bad-argument', `--items '${o.items}' must be an integer between 1 and 1000000`);
      }
      process.stdout.write(`${formatDemo(runDemo({ items }))}\n`);
      return;
    }
    if (which !== 'resnet8') throw new SimError('bad-argument', `demo '${which}' does not exist: use resnet8 (the default) or kernel`);
    const n = intOption('-n', o.n, 500);
    emit(demoCommand({
      n,
      ...(o.platform === undefined ? {} : { platform: o.platform }),
      ...(o.out === undefined ? {} : { out: o.out }),
      ...(o.json === true ? { json: true } : {}),
      ...(showProgress(o) ? { progress: inferenceProgress } : {}),
    }));
  });
examples(demo, ['edgesim demo -n 2', 'edgesim demo -n 1 --platform diana-like', 'edgesim demo kernel --items 4']);

/** One progress line per simulated inference, rewritten in place (terminal only). */
function inferenceProgress(d: number, t: number): void {
  process.stderr.write(`\rsimulating inference ${d}/${t}${d === t ? '\n' : ''}`);
}

const bench = program.command('bench').description('speed benchmarks: kernel workloads, SystemC comparison, platform, AIMC tile, PE array, reference evaluator and simulated networks, campaigns, design-space sweeps, sharding');
examples(bench, ['edgesim bench kernel w1 1000 100 100000 --check', 'edgesim bench pe --size 32 --json', 'edgesim bench campaign --items 2 --workers 1']);
const benchKernel = bench
  .command('kernel')
  .description('run a kernel workload (w1 timed-ring, w2 delta-ring, w3 thread-ring, w4 clocked-pipeline, w5 fifo) and print one line with the SystemC programs\' keys')
  .argument('<workload>', 'w1 | w2 | w3 | w4 | w5')
  .argument('[sizes...]', 'sizes in order: w1-w3 N T M; w4 S C; w5 P M (defaults as in the SystemC programs)')
  .option('--check', 'exit 1 unless counts, simulated time and deltas equal the specification')
  .option('--json', 'print the result as JSON (line, counts, wall and CPU seconds, matchesSpec) instead of the line')
  .action((workload: string, sizes: string[], o: { check?: boolean; json?: boolean }) => {
    const a = parseKernelBenchArgs(workload, sizes);
    const r = runKernelBench(a.name, a.sizes);
    if (o.json === true) printJson({ workload: a.name, sizes: a.sizes, ...r });
    else process.stdout.write(`${r.line}\n`);
    if (!r.matchesSpec) {
      process.stderr.write(`edgesim: result differs from the workload specification: ${r.mismatch}\n`);
      if (o.check) process.exitCode = EXIT.userError;
    }
  });
examples(benchKernel, ['edgesim bench kernel w1 1000 100 100000 --check', 'edgesim bench kernel w5 16 100000 --check --json', 'edgesim bench kernel w4 64 1000']);

const benchCompare = bench
  .command('compare-systemc')
  .description('run W1-W5 on edgesim and on SystemC 2.3.4 in alternating pairs and print a table of per-CPU-second rates, ratios and peak memory (needs g++, libsystemc-dev, GNU time)')
  .option('--pairs <n>', 'alternating pairs per workload', '3')
  .option('--scale <x>', 'scale the run lengths (1 = the SystemC programs\' defaults)', '1')
  .option('--quiet', 'no progress lines, only the table and errors')
  .option('--json', 'print the rows (every pair\'s measures, median ratio) as JSON instead of the table')
  .action((o: { pairs: string; scale: string; quiet?: boolean; json?: boolean }) => {
    const pairs = Number(o.pairs);
    const scale = Number(o.scale);
    if (!Number.isSafeInteger(pairs) || pairs < 1) throw new SimError('bad-argument', `--pairs '${o.pairs}' must be a positive integer`);
    if (!(scale > 0 && scale <= 10)) throw new SimError('bad-argument', `--scale '${o.scale}' must be a number in (0, 10]`);
    const rows = compareWithSystemC(defaultCases(scale), pairs, (m) => { if (o.quiet !== true && o.json !== true) process.stderr.write(`  ${m}\n`); });
    if (o.json === true) printJson(rows);
    else process.stdout.write(`${formatCompare(rows)}\n`);
  });
examples(benchCompare, ['edgesim bench compare-systemc --pairs 1 --scale 0.1', 'edgesim bench compare-systemc --pairs 3 --scale 1 --quiet']);

const benchPlatform = bench
  .command('platform')
  .description('simulated instructions per CPU-second of one core and of the 8 worker cores of pulp-cluster running a compute loop from L1, and L1 scratchpad transactions per CPU-second')
  .option('--cores <n>', '1 or 8 (default: both)')
  .option('--iterations <n>', 'loop iterations per core (6 instructions each)', '1000000')
  .option('--json', 'print the measurements as JSON instead of the lines')
  .action((o: { cores?: string; iterations: string; json?: boolean }) => {
    if (o.cores !== undefined && o.cores !== '1' && o.cores !== '8') throw new SimError('bad-argument', `--cores '${o.cores}' must be 1 or 8`);
    const it = Number(o.iterations);
    if (!/^[0-9]+$/.test(o.iterations) || !Number.isSafeInteger(it) || it < 1 || it > 100_000_000) throw new SimError('bad-argument', `--iterations '${o.iterations}' must be an integer between 1 and 100000000`);
    const which = o.cores === undefined ? [1, 8] : [Number(o.cores)];
    const r = runPlatformBenches(which, it);
    if (o.json === true) printJson(r);
    else process.stdout.write(`${formatPlatformBench(r).join('\n')}\n`);
  });
examples(benchPlatform, ['edgesim bench platform --iterations 20000', 'edgesim bench platform --cores 8 --iterations 20000 --json']);

/** Collects a repeatable option's values. */
function collect(v: string, prev: string[]): string[] {
  return [...prev, v];
}

/** A positive integer option, or a usage error naming it. */
function intOption(name: string, v: string, max: number): number {
  const n = Number(v);
  if (!/^[0-9]+$/.test(v) || !Number.isSafeInteger(n) || n < 1 || n > max) throw new SimError('bad-argument', `${name} '${v}' must be an integer between 1 and ${max}`);
  return n;
}

const benchAimc = bench
  .command('aimc')
  .description('ideal AIMC MVMs per CPU-second (tile model: DAC phases, ADC transfer, shift-add) for a 256x256 HERMES-like and a 1152x512 DIANA-like tile with 8-bit inputs, next to a plain typed-array matrix-vector product of the same shape in the same run (the practical limit); ratio = plain / model')
  .option('--iterations <n>', 'MVMs per shape', '2000')
  .option('--json', 'print the measurements as JSON instead of the lines')
  .action((o: { iterations: string; json?: boolean }) => {
    const it = intOption('--iterations', o.iterations, 10_000_000);
    if (o.json === true) printJson(runAimcBench(it));
    else process.stdout.write(`${aimcBenchLines(it).join('\n')}\n`);
  });
examples(benchAimc, ['edgesim bench aimc --iterations 20', 'edgesim bench aimc --iterations 200 --json']);

const benchPe = bench
  .command('pe')
  .description('PE-array MACs simulated per CPU-second (functional GEMM of the pe-array model, int8 and int16) next to a plain typed-array triple loop of the same shape in the same run; ratio = model / plain')
  .option('--size <n>', 'M = N = K of the GEMM', '256')
  .option('--repeats <n>', 'timed runs per measurement', '1')
  .option('--json', 'print the measurements as JSON instead of the lines')
  .action((o: { size: string; repeats: string; json?: boolean }) => {
    const n = intOption('--size', o.size, 4096);
    const opts = { M: n, N: n, K: n, repeats: intOption('--repeats', o.repeats, 1000) };
    if (o.json === true) printJson(runPeBench(opts));
    else process.stdout.write(`${peBenchLines(opts).join('\n')}\n`);
  });
examples(benchPe, ['edgesim bench pe --size 32', 'edgesim bench pe --size 64 --repeats 3 --json']);

const benchNn = bench
  .command('nn')
  .description('functional reference evaluator speed: ResNet-8 int8 (QOperator ONNX) inferences and MACs per CPU-second, with onnxruntime-exact float32 requantization and with the fixed-point (gemmlowp) form; the baseline the timed simulation is compared with')
  .option('--inferences <n>', 'timed inferences per form', '50')
  .option('--sim', 'also simulate the compiled network on pulp-cluster and diana-like (or --platforms) in interleaved rounds with the evaluator, and print inferences and simulated instructions per CPU-second and the evaluator/simulation ratio')
  .option('--platforms <list>', 'comma-separated shipped platforms to simulate (implies --sim)')
  .option('--rounds <n>', 'interleaved rounds for --sim (medians are printed)', '3')
  .option('--sim-inferences <n>', 'timed simulated inferences per platform per round (default: 1 on pulp-cluster, 5 on others)')
  .option('--json', 'print the measurements (medians and per-round figures with --sim) as JSON instead of the lines')
  .action((o: { inferences: string; sim?: boolean; platforms?: string; rounds: string; simInferences?: string; json?: boolean }) => {
    if (o.sim !== true && o.platforms === undefined) {
      const r = runNnBenchForms({ inferences: intOption('--inferences', o.inferences, 100_000) });
      if (o.json === true) printJson(r);
      else process.stdout.write(`${r.map(formatNnBench).join('\n')}\n`);
      return;
    }
    const platforms = o.platforms === undefined ? SIM_PLATFORMS : o.platforms.split(',').map((s) => s.trim()).filter((s) => /^[a-z0-9-]+$/.test(s));
    const n = o.simInferences === undefined ? undefined : intOption('--sim-inferences', o.simInferences, 10_000);
    const r = runNnSimBench({
      platforms,
      rounds: intOption('--rounds', o.rounds, 1000),
      evalInferences: intOption('--inferences', o.inferences, 100_000),
      ...(n === undefined ? {} : { simInferences: Object.fromEntries(platforms.map((p) => [p, n])) }),
    });
    if (o.json === true) printJson(r);
    else process.stdout.write(`${formatNnSimBench(r).join('\n')}\n`);
  });
examples(benchNn, ['edgesim bench nn --inferences 5', 'edgesim bench nn --sim --rounds 1 --inferences 2', 'edgesim bench nn --platforms diana-like --rounds 1 --json']);

const benchCampaign = bench
  .command('campaign')
  .description('campaign speed (fault-injection issue): the same items run ideal on 1 worker (analog params at their defaults, no faults), then noisy (the scenario as it is) on each --workers count, default ResNet-8 with HERMES PCM noise on hermes-exact; prints a table of wall time after setup (s), inferences/s, speed-up vs 1 worker (target >= 1.7x from 1 to 2), noise cost (noisy over ideal s/inference) and accuracy, and checks that every worker count gives identical results (exit 1 if not); setup (compilation, worker start-up, warm-up items: one per timed sample and worker, caching its fault-free reference) is reported apart. Nothing is asserted on time')
  .option('--scenario <file>', 'scenario without a sweep (default scenarios/aimc-noise-hermes.yaml of the package, not of the cwd)')
  .option('--items <n>', 'timed items per configuration (chip-major: the scenario\'s inferences per chip, as many chips as needed)', '8')
  .option('--workers <list>', 'comma-separated worker counts of the noisy runs, including 1', '1,2')
  .option('--json', 'print the result as JSON instead of the table')
  .option('--quiet', QUIET)
  .action(async (o: { scenario?: string; items: string; workers: string; json?: boolean; quiet?: boolean }) => {
    const workers = parseWorkerCounts(o.workers);
    const items = intOption('--items', o.items, 100_000);
    const { result, warnings } = await runCampaignBench({
      scenario: o.scenario ?? DEFAULT_BENCH_SCENARIO, items, workers,
      ...(showProgress(o) ? { progress: (m: string) => void process.stderr.write(`bench campaign: ${m}\n`) } : {}),
    });
    const f = formatCampaignBench(result);
    process.stderr.write(warnings);
    if (f.warning !== null) process.stderr.write(`edgesim: warning: ${f.warning}\n`);
    process.stdout.write(o.json === true ? `${JSON.stringify(result, null, 2)}\n` : f.text);
    if (!result.deterministic) process.exitCode = EXIT.userError; // a failed check
  });
examples(benchCampaign, ['edgesim bench campaign --items 8 --workers 1,2', 'edgesim bench campaign --scenario scenarios/aimc-noise-hermes.yaml --items 2 --workers 1 --json']);

const benchSweep = bench
  .command('sweep')
  .description('design-space sweep speed (exploration issue): the same points of a sweep file evaluated analytic-only in this thread, then simulated-only on each --workers count, default the shipped ADC bits x tile size study on hermes-like; prints a table of wall time after setup (s), design points per second, the speed-up of the simulated path over 1 worker and the analytic path\'s advantage, and checks that every worker count gives identical results (exit 1 if not); preparation and warm-up points are reported apart. Nothing is asserted on time')
  .option('--sweep <file>', 'sweep file with data (default scenarios/sweep-adc-hermes.yaml of the package, not of the cwd)')
  .option('--points <n>', 'points per configuration (the first n of the file)', '8')
  .option('--inferences <n>', 'inferences per point on the simulated path (default: the file\'s)')
  .option('--workers <list>', 'comma-separated worker counts of the simulated runs, starting with 1', '1,2')
  .option('--json', 'print the result as JSON instead of the table')
  .option('--quiet', QUIET)
  .action(async (o: { sweep?: string; points: string; inferences?: string; workers: string; json?: boolean; quiet?: boolean }) => {
    const r = await runSweepBench({
      ...(o.sweep === undefined ? {} : { sweep: o.sweep }),
      points: intOption('--points', o.points, 100_000),
      ...(o.inferences === undefined ? {} : { inferences: intOption('--inferences', o.inferences, 1_000_000) }),
      workers: parseWorkerCounts(o.workers),
      ...(showProgress(o) ? { progress: (m: string) => void process.stderr.write(`bench sweep: ${m}\n`) } : {}),
    });
    process.stdout.write(o.json === true ? `${JSON.stringify(r, null, 2)}\n` : formatSweepBench(r));
    if (!r.deterministic) process.exitCode = EXIT.userError; // a failed check
  });
examples(benchSweep, ['edgesim bench sweep --points 4 --workers 1,2', 'edgesim bench sweep --sweep scenarios/sweep-odimo-diana.yaml --points 2 --inferences 5 --json']);

const benchShard = bench
  .command('shard')
  .description('sharding cost (scale-out issue): the same campaign unsharded on 1 worker (once untimed as warm-up, once timed), and as --shards n shards one after the other (1 worker each) with edgesim merge; prints the wall times, the overhead (shards + merge over unsharded: each shard prepares the scenario again) and the ideal speed-up on n machines, and checks that the merged summary equals the unsharded one byte for byte (exit 1 if not). Default scenarios/l1-upsets-pulp.yaml of the package. Nothing is asserted on time')
  .option('--scenario <file>', 'scenario without a sweep (default scenarios/l1-upsets-pulp.yaml of the package, not of the cwd)')
  .option('--shards <n>', 'number of shards', '4')
  .option('--json', 'print the result as JSON instead of the table')
  .option('--quiet', QUIET)
  .action(async (o: { scenario?: string; shards: string; json?: boolean; quiet?: boolean }) => {
    const r = await runShardBench({
      ...(o.scenario === undefined ? {} : { scenario: o.scenario }),
      shards: intOption('--shards', o.shards, 1000),
      ...(showProgress(o) ? { progress: (m: string) => void process.stderr.write(`bench shard: ${m}\n`) } : {}),
    });
    process.stdout.write(o.json === true ? `${JSON.stringify(r, null, 2)}\n` : formatShardBench(r));
    if (!r.identical) process.exitCode = EXIT.userError; // a failed check
  });
examples(benchShard, ['edgesim bench shard --shards 4', 'edgesim bench shard --scenario scenarios/aimc-noise-hermes.yaml --shards 2 --json']);

const compileCmd = program
  .command('compile')
  .description('compile a quantized ONNX model for the cores of a platform: writes program.s, program.hex, data/*.bin, manifest.json (addresses, inputs, outputs) and mapping.json, and prints the per-layer mapping; exit 0 compiled, 1 diagnostics (model, platform or compiler) or bad usage, 2 internal error')
  .argument('<model.onnx>', 'quantized ONNX model (QOperator form)')
  .requiredOption('--platform <platform.yaml>', 'platform file')
  .requiredOption('-o, --out <dir>', 'output folder')
  .option('--cores <list>', 'comma-separated cores to run on (default: every core)')
  .option('--no-simd', 'do not use the packed int8 SIMD matrix-product path')
  .option('--target <node=target>', 'force a layer onto an accelerator instance or the cores (repeatable), e.g. --target conv1=dacc', collect, [])
  .option('--mapping <mapping.yaml>', 'mapping file forcing layers (layers: { node: instance | cores }); --target wins over it')
  .option('--quiet', 'print only the summary line, not the mapping table')
  .option('--json', 'print { summary, out, manifest, mapping } as JSON instead of the summary and the table')
  .action((modelFile: string, o: { platform: string; out: string; cores?: string; simd: boolean; target: string[]; mapping?: string; quiet?: boolean; json?: boolean }) => {
    emit(compileCommand(modelFile, {
      platform: o.platform, out: o.out, targets: o.target,
      ...(o.mapping === undefined ? {} : { mapping: o.mapping }), ...(o.cores === undefined ? {} : { cores: o.cores }), ...(o.simd ? {} : { noSimd: true }),
      ...(o.quiet === true ? { quiet: true } : {}), ...(o.json === true ? { json: true } : {}),
    }));
  });
examples(compileCmd, [
  'edgesim compile test/fixtures/models/mlperf_tiny_resnet8_int8_qop.onnx --platform platforms/diana-like.yaml -o traces/resnet8-diana',
  'edgesim compile test/fixtures/models/qonnx_tfc_2w2a_mnist.qonnx.onnx --platform platforms/hermes-exact.yaml -o traces/tfc-hermes --json',
  'edgesim compile test/fixtures/models/mlperf_tiny_resnet8_int8_qop.onnx --platform platforms/pulp-cluster.yaml -o traces/resnet8-pulp --cores pe0,pe1,pe2,pe3 --quiet',
]);

const runCmd = program
  .command('run')
  .description('run a program or a model on a platform. Program: load an assembly (.s) or ELF program on the cores, run it, print the report (time, per-core instructions/cycles/IPC, busy fractions, bank conflicts, bytes moved, energy) and write traces/<run>/; exit 0 if every started core exited with code 0, else 1. Model (--model): compile a quantized ONNX model once, simulate -n inferences of --data, print accuracy, agreement with the reference evaluator, latency, energy and duty cycles; exit 0 when every inference is bit-exact with the reference evaluator, else 1. Bad usage, missing files, bad platform or model: 1; internal error: 2')
  .argument('[platform.yaml]', 'platform file (or --platform)')
  .argument('[program]', 'program: assembly (.s) or ELF (.elf); omit with --model')
  .option('--platform <platform.yaml>', 'platform file')
  .option('--model <model.onnx>', 'quantized ONNX model to compile and run instead of a program')
  .option('--data <images.bin>', 'with --model: raw uint8 samples, one after another')
  .option('--labels <labels.bin>', 'with --model: one label byte per sample (for accuracy)')
  .option('--shape <C,H,W>', 'with --model: shape of one sample, e.g. 3,32,32')
  .option('--preprocess <p>', 'with --model: sub128 (int8 = p - 128), div255 (float = p / 255) or raw (default: by the input type, printed)')
  .option('-n <count>', 'with --model: inferences (default 10)')
  .option('--output <name>', 'with --model: graph output for top-1 (default: the first)')
  .option('--no-check', 'with --model: do not compare with the reference evaluator')
  .option('--target <node=target>', 'with --model: force a layer onto an accelerator instance or the cores (repeatable)', collect, [])
  .option('--mapping <mapping.yaml>', 'with --model: mapping file forcing layers (layers: { node: instance | cores })')
  .option('--cores <list>', 'cores to start: comma-separated names or all', 'all')
  .option('--until <time>', 'stop the simulation at this time (e.g. 10us)')
  .option('--out <dir>', 'trace folder (default: traces/<program or model>-<platform>)')
  .option('--origin <addr>', 'load address of assembly (default: the first memory region, else the first scratchpad)')
  .option('--json', 'print the results as JSON instead of the tables')
  .option('--quiet', `with --model: ${QUIET}`)
  .option('--trace <formats>', 'also write traces: vcd (trace.vcd, GTKWave) and/or perfetto (trace.json, ui.perfetto.dev), comma-separated; with --model the first inference only')
  .option('--trace-include <globs>', 'with --trace: instance paths to trace, comma-separated globs (* and ?; default all)')
  .option('--trace-exclude <globs>', 'with --trace: instance paths not to trace, comma-separated globs')
  .action((posPlatform: string | undefined, programFile: string | undefined, o: {
    platform?: string; model?: string; data?: string; labels?: string; shape?: string; preprocess?: string; n?: string; output?: string; check: boolean; target: string[]; mapping?: string;
    cores: string; until?: string; out?: string; origin?: string; json?: boolean; quiet?: boolean; trace?: string; traceInclude?: string; traceExclude?: string;
  }) => {
    const traceOpts = { ...(o.trace === undefined ? {} : { trace: o.trace }), ...(o.traceInclude === undefined ? {} : { traceInclude: o.traceInclude }), ...(o.traceExclude === undefined ? {} : { traceExclude: o.traceExclude }) };
    const platformFile = o.platform ?? posPlatform;
    if (platformFile === undefined) throw new SimError('bad-argument', 'no platform: give it as the first argument or with --platform');
    if (o.platform !== undefined && posPlatform !== undefined && programFile === undefined) programFile = posPlatform;
    if (o.model !== undefined) {
      if (programFile !== undefined) throw new SimError('bad-argument', `give either a program ('${programFile}') or --model, not both`);
      if (o.data === undefined || o.shape === undefined) throw new SimError('bad-argument', '--model needs --data <images.bin> and --shape <C,H,W> (and --labels for accuracy)');
      emit(runModelCommand(platformFile, o.model, {
        data: o.data, shape: o.shape, check: o.check, targets: o.target,
        ...(o.mapping === undefined ? {} : { mapping: o.mapping }),
        ...(o.labels === undefined ? {} : { labels: o.labels }),
        ...(o.preprocess === undefined ? {} : { preprocess: o.preprocess }),
        ...(o.n === undefined ? {} : { n: o.n }),
        ...(o.output === undefined ? {} : { output: o.output }),
        ...(o.cores === 'all' ? {} : { cores: o.cores }),
        ...(o.out === undefined ? {} : { out: o.out }),
        ...(o.json === true ? { json: true } : {}),
        ...(showProgress(o) ? { progress: inferenceProgress } : {}),
        ...traceOpts,
      }));
      return;
    }
    if (programFile === undefined) throw new SimError('bad-argument', 'no program: give an assembly or ELF file, or --model with --data');
    const r = runCommand(platformFile, programFile, {
      cores: o.cores,
      ...(o.until === undefined ? {} : { until: o.until }),
      ...(o.out === undefined ? {} : { out: o.out }),
      ...(o.origin === undefined ? {} : { origin: o.origin }),
      ...(o.json === true ? { json: true } : {}),
      ...traceOpts,
    });
    emit(r);
  });
examples(runCmd, [
  'edgesim run platforms/pulp-cluster.yaml test/fixtures/asm/vadd.s --cores pe0,pe1,pe2,pe3,pe4,pe5,pe6,pe7',
  'edgesim run --platform platforms/hermes-exact.yaml --model test/fixtures/models/qonnx_tfc_2w2a_mnist.qonnx.onnx --data test/fixtures/models/data/mnist_test1000_images_u8.bin --labels test/fixtures/models/data/mnist_test1000_labels_u8.bin --shape 1,28,28 -n 2',
  'edgesim run platforms/pulp-cluster.yaml test/fixtures/asm/vadd.s --cores pe0 --json',
]);

const campaignCmd = program
  .command('campaign')
  .description('run a fault-injection campaign from a scenario file: every chip x inference item simulated with its faults (drawn from streams seeded by seed, chip, inference and fault, so results do not depend on the worker count), results streamed to <out>/results.jsonl (a killed campaign resumes where it stopped), then accuracy with its 95 % confidence interval, per-chip accuracy, latency and energy distributions, the rate of outputs differing from the fault-free run, the first diverging tensor and PASS/FAIL against the threshold; writes <out>/summary.json. Exit 0 when the campaign ran, whether the verdict is PASS or FAIL (a result, not an error: read it from summary.json or --json); 1 for a bad scenario, bad usage or a failed run; 2 for an internal error')
  .argument('<scenario.yaml>', 'scenario file (see scenarios/README.md)')
  .option('--workers <n>', 'worker threads (default: all cores; 1 runs in the main thread)')
  .option('-o, --out <dir>', 'result folder (default traces/campaign-<scenario>)')
  .option('--fresh', 'discard earlier results in the folder instead of resuming')
  .option('--quiet', 'no progress bar, only results and errors (the bar is shown only on a terminal anyway)')
  .option('--json', 'print the summary (or the sweep) as JSON, nothing else on stdout')
  .option('--shard <k/n>', 'run only shard k of n (0-based) of the items (chip x inference, round robin) into -o, for a cluster; combine the shards with edgesim merge (same result as one run)')
  .action(async (file: string, o: { workers?: string; out?: string; fresh?: boolean; quiet?: boolean; json?: boolean; shard?: string }) => {
    const workers = o.workers === undefined ? undefined : intOption('--workers', o.workers, 256);
    emit(await campaignCommand(file, {
      ...(o.shard === undefined ? {} : { shard: parseShard(o.shard) }),
      ...(workers === undefined ? {} : { workers }),
      ...(o.out === undefined ? {} : { out: o.out }),
      ...(o.fresh === true ? { fresh: true } : {}),
      ...(o.quiet === true || o.json === true ? { quiet: true } : {}),
      ...(o.json === true ? { json: true } : {}),
    }));
  });
examples(campaignCmd, ['edgesim campaign scenarios/registers-pulp.yaml --workers 2', 'edgesim campaign scenarios/l1-upsets-pulp.yaml --workers 1 --fresh --quiet', 'edgesim campaign scenarios/l1-upsets-pulp.yaml --json']);

const sweepCmd = program
  .command('sweep')
  .description('design-space exploration from a sweep file: axes over platform params (PE type, array and buffer sizes, ADC bits, ...), per-layer targets, ODiMO-style channel splits between a PE array and an AIMC tile, and per-layer precision; grid, random or Latin-hypercube sampling; each point compiled and evaluated analytically (the compiler\'s predicted cycles and event counts priced by the energy model, accuracy from the reference evaluator) and/or by simulation (accuracy, latency, energy over the file\'s inferences), with the analytic error reported; constraints, the Pareto front of 1-4 objectives (accuracy, latency, energy, area, perfPerArea) with its hypervolume, optional normalization to the best point of one axis value (QUIDAM). Points run on worker threads; results are cached by a hash of everything that determines them, so a killed sweep resumes. Writes <out>/sweep.json, points.csv and report.html. Exit 0 when the sweep ran (infeasible or failing points are results), 1 for a bad sweep file or usage, 2 for an internal error')
  .argument('<sweep.yaml>', 'sweep file (see the README "Design-space exploration")')
  .option('--workers <n>', 'worker threads (default: all cores; 1 runs in the main thread)')
  .option('-o, --out <dir>', 'result folder (default traces/sweep-<name>)')
  .option('--cache <dir>', 'result cache folder, may be shared by several sweeps (default <out>/cache)')
  .option('--fresh', 'evaluate every point again instead of using cached results')
  .option('--quiet', 'no progress bar, only results and errors (the bar is shown only on a terminal anyway)')
  .option('--json', 'print sweep.json, nothing else on stdout')
  .option('--shard <k/n>', 'evaluate only shard k of n (0-based) of the points (round robin) into -o, for a cluster; combine the shards with edgesim merge (same result as one run)')
  .action(async (file: string, o: { workers?: string; out?: string; cache?: string; fresh?: boolean; quiet?: boolean; json?: boolean; shard?: string }) => {
    const workers = o.workers === undefined ? undefined : intOption('--workers', o.workers, 256);
    emit(await sweepCommand(file, {
      ...(o.shard === undefined ? {} : { shard: parseShard(o.shard) }),
      ...(workers === undefined ? {} : { workers }),
      ...(o.out === undefined ? {} : { out: o.out }),
      ...(o.cache === undefined ? {} : { cache: o.cache }),
      ...(o.fresh === true ? { fresh: true } : {}),
      ...(o.quiet === true || o.json === true ? { quiet: true } : {}),
      ...(o.json === true ? { json: true } : {}),
    }));
  });
examples(sweepCmd, ['edgesim sweep scenarios/sweep-odimo-diana.yaml --workers 2', 'edgesim sweep scenarios/sweep-pe-resnet8.yaml -o traces/pe --json', 'edgesim sweep scenarios/sweep-adc-hermes.yaml --cache traces/sweep-cache --quiet']);

const mergeCmd = program
  .command('merge')
  .description('combine the shard folders of a campaign or a sweep (runs with --shard k/n, e.g. the tasks of a Slurm job array) into the outputs of one unsharded run: a campaign\'s summary.json (byte for byte), results.jsonl and report.html, a scenario sweep\'s per-point folders and sweep.json, a design-space sweep\'s sweep.json, points.csv and report.html; checks first that the folders are the shards of one run (same scenario hash), each exactly once and complete, and names any missing, duplicated, incomplete or mismatched shard. Exit 0 merged, 1 for bad or incomplete shards, 2 for an internal error')
  .argument('<shard...>', 'shard folders (the -o folders of the --shard runs)')
  .requiredOption('-o, --out <dir>', 'folder for the merged outputs')
  .option('--json', 'print the merged summary (campaign) or sweep.json, nothing else on stdout')
  .action((dirs: string[], o: { out: string; json?: boolean }) => {
    emit(mergeCommand(dirs, { out: o.out, ...(o.json === true ? { json: true } : {}) }));
  });
examples(mergeCmd, ['edgesim merge traces/l1/shard-0 traces/l1/shard-1 -o traces/l1/merged', 'edgesim merge traces/slurm-l1-upsets/shard-* -o traces/slurm-l1-upsets/merged --json']);

const checkCmd = program
  .command('check')
  .description('load and check a platform file; print every problem compiler-style (file:line:col: error[code]: message) on stderr; exit 0 ok, 1 if there is any error (or the file is missing)')
  .argument('<platform.yaml>', 'platform file')
  .option('--json', 'on success, print the resolved platform as JSON instead of the summary')
  .option('--quiet', 'nothing on stdout: the exit code says it (diagnostics still go to stderr)')
  .action((file: string, o: { json?: boolean; quiet?: boolean }) => {
    emit(checkPlatform(file, { ...(o.json === true ? { json: true } : {}), ...(o.quiet === true ? { quiet: true } : {}) }));
  });
examples(checkCmd, ['edgesim check platforms/pulp-cluster.yaml', 'edgesim check platforms/diana-like.yaml --json', 'edgesim check platforms/hermes-exact.yaml --quiet']);

const describeCmd = program
  .command('describe')
  .description('print the module reference generated from the declarations: the list of kinds, or one kind\'s params, ports, energy events, statistics and fault points')
  .argument('[kind]', 'module kind')
  .option('--json', 'print the reference as JSON (kinds with summaries, or one kind\'s doc, params, ports, energy, statistics and faults)')
  .action((kind: string | undefined, o: { json?: boolean }) => {
    process.stdout.write(`${o.json === true ? describeJson(kind) : describe(kind)}\n`);
  });
examples(describeCmd, ['edgesim describe', 'edgesim describe scratchpad', 'edgesim describe pe-array --json']);

const schemaCmd = program
  .command('schema')
  .description('print the JSON Schema of platform files (for YAML editors), generated from the module declarations (JSON already)')
  .action(() => {
    process.stdout.write(`${schema()}\n`);
  });
examples(schemaCmd, ['edgesim schema > platform.schema.json']);

const rtlCmd = program
  .command('rtl')
  .description('generate Verilog from a platform file: the banked scratchpads, the PE arrays (int8, int16, LightPE; os, ws), the AIMC tile digital periphery, the DMA engines, the interconnects, the L2 memories and the event units as synthesizable RTL, a top level, black boxes with models and stubs, file lists, SDC, a Yosys script and a self-checking testbench (src/rtl/README.md); exit 0 written, 1 diagnostics (nothing written)')
  .argument('<platform.yaml>', 'platform file')
  .requiredOption('-o, --out <dir>', 'output folder')
  .option('--ci-size', 'shrink first: PE arrays to at most 4 x 4, scratchpads and L2 memories to at most 4 banks of 16 words, AIMC tiles to at most 16 rows and 8 columns (or 4 outputs\' columns)')
  .option('--json', 'print { out, files, manifest } as JSON instead of the summary')
  .action((file: string, o: { out: string; ciSize?: boolean; json?: boolean }) => {
    emit(rtlCommand(file, { out: o.out, ciSize: o.ciSize === true, ...(o.json === true ? { json: true } : {}) }));
  });
examples(rtlCmd, ['edgesim rtl platforms/pulp-cluster.yaml --ci-size -o traces/rtl-pulp', 'edgesim rtl platforms/diana-like.yaml --ci-size -o traces/rtl-diana --json']);

const characterizeCmd = program
  .command('characterize')
  .description('QUIDAM-style area pre-characterization: synthesize the generated PE arrays (int8, int16, lightpe1, lightpe2 x rows x cols in 1, 2, 4, 8) with Yosys, count cells as NAND2 gate equivalents, write the data file and fit GE(rows, cols) per PE type (degree by k-fold CV, MAPE/RMSPE printed) into the generated module the pe-array declaration reads; needs yosys; measured 14 min wall on 2 busy cores (--quick: 3 x 3 sizes into traces/characterize-quick/, measured 2.4 min)')
  .option('-o, --out <file>', 'data file (default platforms/tech/characterization/pe-array.json; --quick: traces/characterize-quick/pe-array.json)')
  .option('--module <file>', 'generated TypeScript module (default src/modules/pe-array/area.ts; --quick: traces/characterize-quick/area.ts)')
  .option('--quick', 'sizes 1, 2, 4 only, written to traces/characterize-quick/ unless -o/--module say otherwise')
  .option('--jobs <n>', 'Yosys processes at a time (default: the CPU count)')
  .option('--from <file>', 'refit an existing data file instead of synthesizing')
  .action(async (o: { out?: string; module?: string; quick?: boolean; jobs?: string; from?: string }) => {
    emit(await characterizeCommand({
      ...(o.out === undefined ? {} : { out: o.out }),
      ...(o.module === undefined ? {} : { module: o.module }),
      ...(o.quick === true ? { quick: true } : {}),
      ...(o.jobs === undefined ? {} : { jobs: Number(o.jobs) }),
      ...(o.from === undefined ? {} : { from: o.from }),
      ...(process.stderr.isTTY === true ? { progress: (l: string) => void process.stderr.write(`${l}\n`) } : {}),
    }));
  });
examples(characterizeCmd, ['edgesim characterize --quick', 'edgesim characterize --from platforms/tech/characterization/pe-array.json --module traces/area.ts']);

const initCmd = program
  .command('init')
  .description(`scaffold a project: a commented platform file (host core, L1 and weight scratchpads, DMA, an 8x8 int8 PE array, L2, clock, technology files), a commented fault-injection scenario running the TFC-2W2A MNIST model shipped with edgesim on it, and a README with the next commands; refuses to overwrite existing files (exit 1) unless --force`)
  .argument('[dir]', 'folder to create or fill', DEFAULT_INIT_DIR)
  .option('--force', 'overwrite platform.yaml, scenario.yaml and README.md if they exist')
  .action((dir: string, o: { force?: boolean }) => {
    emit(initCommand(dir, o.force === true ? { force: true } : {}));
  });
examples(initCmd, ['edgesim init', 'edgesim init traces/my-project --force']);

const slurm = program
  .command('slurm')
  .description('run a campaign or a sweep as a Slurm job array: `slurm campaign|sweep <file> --shards n` checks the file loads, then writes a job array script (task k runs the file with --shard k/n into <dir>/shard-k), a merge job (edgesim merge, submitted with --dependency=afterok on the array) and submit.sh into <dir>, and with --submit submits both with sbatch; `slurm status <dir>` reports the shards\' progress. The scripts call this installation\'s node and edgesim by absolute paths: the nodes must share its file system')
  .addHelpText('after', '\nGNU parallel or Kubernetes instead: see edgesim k8s --help and the README ("Running on a cluster").');
examples(slurm, [
  'edgesim slurm campaign scenarios/l1-upsets-pulp.yaml --shards 4 --time 30',
  'edgesim slurm sweep scenarios/sweep-adc-hermes.yaml --shards 8 --cpus 4 --partition cpu --submit',
  'edgesim slurm status traces/slurm-l1-upsets-pulp',
]);
for (const kind of ['campaign', 'sweep'] as const) {
  const what = kind === 'campaign' ? 'scenario' : 'sweep';
  const cmd = slurm
    .command(kind)
    .description(`write (and with --submit, submit) a Slurm job array running the ${what} file in --shards shards, each shard with --workers = its CPUs into <dir>/shard-k, and a merge job writing <dir>/merged; exit 0 written (and submitted), 1 for a bad file or option or an sbatch failure (its message)`)
    .argument(`<${what}.yaml>`, `${what} file (checked to load before anything is written)`)
    .requiredOption('--shards <n>', 'number of shards = array tasks (0..n-1)')
    .option('-o, --out <dir>', 'folder for the scripts, logs, shards and merged results (default traces/slurm-<name>); must be on storage the nodes share')
    .option('--partition <p>', 'Slurm partition (#SBATCH --partition)')
    .option('--time <t>', 'time limit per task: minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM or D-HH:MM:SS')
    .option('--cpus <c>', 'CPUs per task (#SBATCH --cpus-per-task; the shard runs that many workers)', '1')
    .option('--mem <m>', 'memory per task (#SBATCH --mem), e.g. 4G')
    .option('--account <a>', 'Slurm account to charge (#SBATCH --account)')
    .option('--submit', 'submit with sbatch --parsable: the array, then the merge with --dependency=afterok:<array id>; print the job ids')
    .action((file: string, o: { shards: string; out?: string; partition?: string; time?: string; cpus: string; mem?: string; account?: string; submit?: boolean }) => {
      emit(slurmCommand(kind, file, {
        shards: o.shards, cpus: o.cpus,
        ...(o.out === undefined ? {} : { out: o.out }),
        ...(o.partition === undefined ? {} : { partition: o.partition }),
        ...(o.time === undefined ? {} : { time: o.time }),
        ...(o.mem === undefined ? {} : { mem: o.mem }),
        ...(o.account === undefined ? {} : { account: o.account }),
        ...(o.submit === true ? { submit: true } : {}),
      }));
    });
  examples(cmd, kind === 'campaign'
    ? ['edgesim slurm campaign scenarios/l1-upsets-pulp.yaml --shards 4 --time 30', 'edgesim slurm campaign scenarios/registers-pulp.yaml --shards 16 --cpus 2 --mem 4G --partition cpu --time 1:00:00 --submit']
    : ['edgesim slurm sweep scenarios/sweep-adc-hermes.yaml --shards 8 --cpus 4', 'edgesim slurm sweep scenarios/sweep-odimo-diana.yaml --shards 4 --account myproject --time 2-00:00:00 --submit']);
}
const slurmStatus = slurm
  .command('status')
  .description('progress of a sharded run: per shard done/total and whether it is complete (from <dir>/shard-*/shard.json), the overall percent, missing shards, and the merged result when <dir>/merged exists; works on any folder holding shard-<k>/ folders; exit 0 whatever the progress, 1 when the folder does not exist')
  .argument('<dir>', 'the folder edgesim slurm wrote (or any folder of shard-<k>/ folders)')
  .option('--json', 'print the status as JSON')
  .action((dir: string, o: { json?: boolean }) => {
    emit(slurmStatusCommand(dir, o.json === true ? { json: true } : {}));
  });
examples(slurmStatus, ['edgesim slurm status traces/slurm-l1-upsets-pulp', 'edgesim slurm status traces/slurm-sweep-adc-hermes --json']);

const k8s = program
  .command('k8s')
  .description('run a campaign or a sweep as a Kubernetes Indexed Job: `k8s campaign|sweep <file> --shards n --image <img>` checks the file loads, then writes job.yaml (completionMode Indexed, completions n: the pod with index k runs --shard k/n into /results/shard-k), merge-job.yaml (edgesim merge /results/shard-* -o /results/merged) and a README; /results is a PersistentVolumeClaim that must be shared (ReadWriteMany) storage');
examples(k8s, ['edgesim k8s campaign scenarios/l1-upsets-pulp.yaml --shards 4 --image registry.example.com/edgesim:0.1.0']);
for (const kind of ['campaign', 'sweep'] as const) {
  const what = kind === 'campaign' ? 'scenario' : 'sweep';
  const cmd = k8s
    .command(kind)
    .description(`write a Kubernetes Indexed Job running the ${what} file in --shards shards and a merge Job; the container runs the file path as given (relative to the image's working directory), so the file and what it names must be in the image or on the volume; exit 0 written, 1 for a bad file or option`)
    .argument(`<${what}.yaml>`, `${what} file (checked to load here first)`)
    .requiredOption('--shards <n>', 'number of shards = completions (indexes 0..n-1)')
    .requiredOption('--image <img>', 'container image with edgesim on its PATH')
    .option('-o, --out <dir>', 'folder for the manifests (default traces/k8s-<name>)')
    .option('--cpus <c>', 'CPUs requested per pod (and --workers of each shard)', '1')
    .option('--parallelism <p>', 'pods running at a time (default: all shards)')
    .option('--pvc <name>', 'PersistentVolumeClaim mounted at /results (shared, ReadWriteMany)', 'edgesim-results')
    .action((file: string, o: { shards: string; image: string; out?: string; cpus: string; parallelism?: string; pvc: string }) => {
      emit(k8sCommand(kind, file, {
        shards: o.shards, image: o.image, cpus: o.cpus, pvc: o.pvc,
        ...(o.out === undefined ? {} : { out: o.out }),
        ...(o.parallelism === undefined ? {} : { parallelism: o.parallelism }),
      }));
    });
  examples(cmd, kind === 'campaign'
    ? ['edgesim k8s campaign scenarios/l1-upsets-pulp.yaml --shards 4 --image registry.example.com/edgesim:0.1.0', 'edgesim k8s campaign scenarios/registers-pulp.yaml --shards 32 --parallelism 8 --cpus 2 --image edgesim:latest -o traces/k8s-registers']
    : ['edgesim k8s sweep scenarios/sweep-adc-hermes.yaml --shards 8 --cpus 4 --image registry.example.com/edgesim:0.1.0']);
}

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    // --help and --version exit 0; unknown commands or options, missing arguments: usage errors
    process.exitCode = err.exitCode === 0 ? EXIT.ok : EXIT.userError;
  } else if (err instanceof SimError) {
    process.stderr.write(`edgesim: error [${err.code}]: ${err.message}\n`);
    process.exitCode = EXIT.userError;
  } else {
    const msg = err instanceof Error ? err.message : String(err);
    process.stderr.write(`edgesim: internal error: ${msg}\n(please report this with the command you ran)\n`);
    process.exitCode = EXIT.internalError;
  }
}
