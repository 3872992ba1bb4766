/**
 * `edgesim run <platform.yaml> <program.s|program.elf>`: check the platform, instantiate it, load
 * and start the program on the chosen cores, run, print the report (time, cores, components,
 * traffic, energy) and write `traces/<run>/` (platform.json, report.json, energy.json).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { energyReport, formatEnergyReport, type EnergyReport } from '../energy/index.js';
import { assemble, formatAsmDiagnostic } from '../isa/index.js';
import { CoreSim, catalog, parseElf, type ProgramImage } from '../modules/index.js';
import { dumpPlatform, loadPlatform, type PlatformGraph } from '../platform/index.js';
import { formatReport, instantiate, runReport, startProgram, type RunReport } from '../sim/index.js';
import { writeRunReport } from './report-files.js';
import { TraceHub, formatPerfetto, formatVcd, parseGlobList, type ComponentPrices } from '../trace/index.js';
import { SimError, formatAddress, formatDiagnostics, formatTable, formatTime, hasErrors, parseTime, unknownNameHint } from '../util/index.js';
import { isFile, readText, usage } from './files.js';

/** Options of {@link runCommand}, as given on the command line. */
export interface RunOptions {
  readonly cores?: string;
  readonly until?: string;
  readonly out?: string;
  readonly origin?: string;
  readonly json?: boolean;
  /** Trace formats, comma-separated: `vcd`, `perfetto`. */
  readonly trace?: string;
  /** Instance-path globs to trace, comma-separated (default: all). */
  readonly traceInclude?: string;
  /** Instance-path globs not to trace, comma-separated. */
  readonly traceExclude?: string;
}

/** The trace options of `edgesim run` (program and `--model` forms). */
export interface TraceCliOptions {
  readonly trace?: string;
  readonly traceInclude?: string;
  readonly traceExclude?: string;
}

const TRACE_FORMATS = ['vcd', 'perfetto'] as const;
type TraceFormat = (typeof TRACE_FORMATS)[number];

/** A trace hub for `--trace`, or undefined without it. @throws SimError `bad-argument` for an unknown format or globs without --trace. */
export function traceHubFromOptions(o: TraceCliOptions): { hub: TraceHub; formats: readonly TraceFormat[] } | undefined {
  if (o.trace === undefined) {
    if (o.traceInclude !== undefined || o.traceExclude !== undefined) throw usage('--trace-include and --trace-exclude need --trace vcd,perfetto');
    return undefined;
  }
  const formats = o.trace.split(',').map((s) => s.trim().toLowerCase()).filter((s) => s !== '');
  if (formats.length === 0) throw usage(`--trace '${o.trace}' names no format; give e.g. --trace vcd,perfetto`);
  for (const f of formats) if (!(TRACE_FORMATS as readonly string[]).includes(f)) throw usage(`--trace: unknown format '${f}'; choose from ${TRACE_FORMATS.join(', ')}`);
  return { hub: new TraceHub({ include: parseGlobList(o.traceInclude), exclude: parseGlobList(o.traceExclude) }), formats: [...new Set(formats)] as TraceFormat[] };
}

/**
 * Closes the hub at `endPs`, writes `trace.vcd` / `trace.json` into `outDir` and returns the
 * written paths and the warnings (globs that matched no instance, with the instance paths).
 */
/**
 * The energy model's prices per instance (`ComponentPrices` of the trace layer) from a run's
 * energy report: per-event prices in pJ (the event's energy over its count), busy, idle and
 * static powers in pJ per ps (the prices in uW / 1e6), so the windows sum to the report's energies.
 */
export function tracePrices(energy: EnergyReport): Map<string, ComponentPrices> {
  const out = new Map<string, ComponentPrices>();
  for (const c of energy.components) {
    const perEventPj: Record<string, number> = {};
    let busy = 0;
    let idle = 0;
    let stat = 0;
    for (const e of c.events) {
      // the price times the kind's scale for this instance (e.g. MAC energy by PE type): what one event costs
      if (e.kind === 'per-event') perEventPj[e.event] = e.price.value * (e.scale ?? 1);
      else {
        const pw = e.price.value / 1e6; // uW = 1e-6 pJ per ps
        if (e.kind === 'busy') busy += pw;
        else if (e.kind === 'idle') idle += pw;
        else stat += pw;
      }
    }
    out.set(c.instance, { perEventPj, busyPjPerPs: busy, idlePjPerPs: idle, staticPjPerPs: stat });
  }
  return out;
}

export function writeTraces(t: { hub: TraceHub; formats: readonly TraceFormat[] }, outDir: string, endPs: number, title: string, energy?: EnergyReport): { files: string[]; warnings: string[] } {
  const hub = t.hub;
  hub.finish(endPs);
  const warnings = hub.unmatched.map((u) => `edgesim: warning: --trace-${u.list} '${u.glob}' matches no instance path; instance paths: ${hub.instancePaths.join(', ')}`);
  if (hub.recorders.length === 0) warnings.push('edgesim: warning: the trace selects no instance: the trace files are empty');
  const files: string[] = [];
  mkdirSync(outDir, { recursive: true });
  if (t.formats.includes('vcd')) {
    const f = join(outDir, 'trace.vcd');
    writeFileSync(f, formatVcd(hub, { comment: title }));
    files.push(f);
  }
  if (t.formats.includes('perfetto')) {
    const f = join(outDir, 'trace.json');
    writeFileSync(f, formatPerfetto(hub, { processName: title, ...(energy === undefined ? {} : { energy: tracePrices(energy) }) }));
    files.push(f);
  }
  return { files, warnings };
}

/** What the command prints and its exit code (0 all cores exited 0, 1 failure or bad usage). */
export interface RunOutput {
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode: number;
}

/** One started core at the end of the run. */
export interface CoreResult {
  readonly core: string;
  readonly hartId: number;
  readonly exited: boolean;
  readonly exitCode: number | null;
  readonly exitTimePs: number | null;
  readonly pc: number;
  readonly instructions: number;
  /** Issue cycles (without stalls). */
  readonly cycles: number;
  readonly stallCycles: number;
  /** instructions / (cycles + stallCycles). */
  readonly ipc: number;
}


/** The folder name of a run: `<program>-<platform>`, file-name safe. */
export const defaultRunName = (program: string, platform: string): string =>
  `${basename(program, extname(program))}-${platform}`.replace(/[^A-Za-z0-9._-]+/g, '_');

function parseAddress(text: string): number {
  const v = /^0x[0-9a-f_]+$/i.test(text) ? Number(text.replace(/_/g, '')) : /^[0-9]+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(v) || v < 0 || v > 0xffffffff) throw usage(`--origin '${text}' must be a 32-bit address (e.g. 0x1c000000)`);
  return v;
}

/** Where assembly is placed by default: the first `memory` region of the address map, else the first `scratchpad`. */
function defaultOrigin(g: PlatformGraph): number {
  const of = (kind: string) => g.addressMap.find((r) => g.instances[r.target]?.kind === kind);
  const r = of('memory') ?? of('scratchpad');
  if (r === undefined) throw usage(`platform '${g.platform}' maps no memory or scratchpad to load the program into; give --origin`);
  return r.base;
}

function chooseCores(g: PlatformGraph, spec: string | undefined): string[] {
  const all = Object.values(g.instances).filter((n) => n.kind === 'core').map((n) => n.name);
  if (all.length === 0) throw usage(`platform '${g.platform}' has no core to run a program on`);
  if (spec === undefined || spec === 'all') return all;
  const names = spec.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (names.length === 0) throw usage(`--cores '${spec}' names no core; give e.g. --cores ${all[0]} or --cores all`);
  for (const n of names) {
    if (!all.includes(n)) throw usage(`--cores: '${n}' is not a core of platform '${g.platform}': ${unknownNameHint(n, all, 'cores')}`);
  }
  return [...new Set(names)];
}

function readProgram(file: string, origin: number): { image: ProgramImage; bytes: number } | RunOutput {
  const raw = readFileSync(file);
  const isElf = raw.length >= 4 && raw[0] === 0x7f && raw[1] === 0x45 && raw[2] === 0x4c && raw[3] === 0x46;
  if (isElf || extname(file).toLowerCase() === '.elf') {
    const img = parseElf(new Uint8Array(raw.buffer, raw.byteOffset, raw.length), file);
    return { image: img, bytes: img.segments.reduce((s, x) => s + x.memSize, 0) };
  }
  const r = assemble(raw.toString('utf8'), { origin });
  if (!r.ok) return { stdout: '', stderr: `${r.diagnostics.map((d) => formatAsmDiagnostic(d, file)).join('\n')}\n`, exitCode: 1 };
  return { image: r, bytes: 4 * r.words.length };
}

function coreResult(c: CoreSim): CoreResult {
  const s = c.snapshot().stats;
  const instructions = s['instructions'] ?? 0;
  const cycles = s['cycles'] ?? 0;
  const stallCycles = s['stallCycles'] ?? 0;
  const total = cycles + stallCycles;
  return {
    core: c.path,
    hartId: c.params.hartId,
    exited: c.hasExited,
    exitCode: c.hasExited ? (c.core.exitCode ?? 0) : null,
    exitTimePs: c.exitTime ?? null,
    pc: c.core.pc >>> 0,
    instructions,
    cycles,
    stallCycles,
    ipc: total > 0 ? instructions / total : 0,
  };
}


function formatCores(cs: readonly CoreResult[]): string {
  const rows = [['core', 'exit', 'exit time', 'instructions', 'cycles', 'stall cycles', 'IPC']];
  for (const c of cs) {
    rows.push([
      c.core,
      c.exited ? `code ${c.exitCode}` : 'did not exit',
      c.exitTimePs === null ? '-' : formatTime(c.exitTimePs),
      `${c.instructions} instr`,
      `${c.cycles} cycles`,
      `${c.stallCycles} cycles`,
      `${c.ipc.toFixed(3)} instr/cycle`,
    ]);
  }
  return formatTable(rows, [false, false, true, true, true, true, true]);
}

/** Runs the command; throws SimError `bad-argument` for usage errors (exit 1). */
export function runCommand(platformFile: string, programFile: string, o: RunOptions = {}): RunOutput {
  if (!isFile(platformFile)) throw usage(`cannot read platform file '${platformFile}': no such file`);
  if (!isFile(programFile)) throw usage(`cannot read program file '${programFile}': no such file`);
  const until = o.until === undefined ? undefined : (() => {
    try {
      return parseTime(o.until);
    } catch (e) {
      throw usage(`--until: ${e instanceof Error ? e.message : String(e)}`);
    }
  })();

  const loaded = loadPlatform(platformFile, readText(platformFile)!, { catalog, readFile: readText });
  const diags = loaded.diagnostics.length > 0 ? `${formatDiagnostics(loaded.diagnostics)}\n` : '';
  if (hasErrors(loaded.diagnostics) || loaded.graph === undefined) return { stdout: '', stderr: diags, exitCode: 1 };
  const g = loaded.graph;
  const coreNames = chooseCores(g, o.cores);
  const origin = o.origin === undefined ? defaultOrigin(g) : parseAddress(o.origin);
  const prog = readProgram(programFile, origin);
  if ('exitCode' in prog) return { ...prog, stderr: diags + prog.stderr };

  const tr = traceHubFromOptions(o);
  const p = instantiate(g, tr === undefined ? {} : { trace: tr.hub });
  const cores = coreNames.map((n) => p.get(n, CoreSim));
  const entry = startProgram(p, coreNames, prog.image);

  let runError: SimError | undefined;
  try {
    if (until === undefined) p.sim.run();
    else p.sim.run(until);
  } catch (e) {
    if (!(e instanceof SimError)) throw e;
    runError = e;
  }

  const report: RunReport = runReport(p.sim, p.modules.values(), p.skipped);
  const energy: EnergyReport = energyReport(g, report.components, report.simulatedTimePs, catalog);
  const coreResults = cores.map(coreResult);

  const failures: string[] = [];
  if (runError !== undefined) failures.push(`error [${runError.code}]: ${runError.message}`);
  for (const c of coreResults) {
    if (!c.exited) {
      if (runError === undefined) failures.push(`core ${c.core} did not exit by ${report.simulatedTime} (pc ${formatAddress(c.pc)}, ${until === undefined ? 'nothing left to simulate: waiting forever' : `--until ${o.until} reached`})`);
    } else if (c.exitCode !== 0) {
      failures.push(`core ${c.core} exited with code ${c.exitCode} at ${formatTime(c.exitTimePs ?? 0)}`);
    }
  }
  const ok = failures.length === 0;

  const outDir = o.out ?? join('traces', defaultRunName(programFile, g.platform));
  const run = {
    platform: g.platform,
    platformFile,
    program: programFile,
    programBytes: prog.bytes,
    entry,
    entryHex: formatAddress(entry),
    cores: coreResults,
    ok,
    failures,
    ...(runError === undefined ? {} : { error: { code: runError.code, message: runError.message, path: runError.path ?? null, timePs: runError.time ?? null } }),
  };
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'platform.json'), `${dumpPlatform(g)}\n`);
  writeFileSync(join(outDir, 'report.json'), `${JSON.stringify({ run, report }, null, 2)}\n`);
  writeFileSync(join(outDir, 'energy.json'), `${JSON.stringify(energy, null, 2)}\n`);
  const traced = tr === undefined ? undefined : writeTraces(tr, outDir, p.sim.now, `${basename(programFile)} on ${g.platform}`, energy);
  const reportHtml = writeRunReport(outDir);

  const stderr = diags + (traced?.warnings ?? []).map((w) => `${w}\n`).join('') + failures.map((f) => `edgesim: ${f.startsWith('error [') ? f : `error: ${f}`}\n`).join('');
  if (o.json) return { stdout: `${JSON.stringify({ run, report, energy }, null, 2)}\n`, stderr, exitCode: ok ? 0 : 1 };

  const text = [
    `platform '${g.platform}' (${platformFile}), program ${programFile} (${prog.bytes} B, entry ${formatAddress(entry)}) on ${coreNames.length} core${coreNames.length === 1 ? '' : 's'}: ${coreNames.join(', ')}`,
    '',
    formatCores(coreResults),
    '',
    formatReport(report),
    '',
    formatEnergyReport(energy),
    '',
    `traces: ${outDir}/ (platform.json, report.json, energy.json)`,
    `report: ${reportHtml}`,
    ...(traced?.files ?? []).map((f) => `trace: ${f}`),
    ok ? `ok: every started core exited with code 0 at ${report.simulatedTime}` : `FAILED: ${failures.length} problem${failures.length === 1 ? '' : 's'} (see stderr)`,
  ];
  return { stdout: `${text.join('\n')}\n`, stderr, exitCode: ok ? 0 : 1 };
}
