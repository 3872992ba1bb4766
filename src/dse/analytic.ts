/**
 * The design-space exploration's fast analytic path: latency, per-instance activity counts and
 * energy of a compiled network on a platform, estimated statically from the compiler's reports,
 * the program text and the modules' closed forms, without simulating. See README.md
 * ("Analytic estimate") for the formulas, the approximations and the measured error.
 */
import { ACT_BYTES, lower, type AccelCompiled, type AccelMapping, type Compiled, type DotLayer, type LayerReport, type Placement } from '../compiler/index.js';
import { energyReport, type ActivityCounts, type EnergyReport } from '../energy/index.js';
import { accessCounts, aimcConfigFromParams, aimcLayout, aimcMvmTimePs, aimcTimingFromParams, layerTimingFromParams, simCatalog, type AimcLayout, type AimcTileConfig, type AimcTimingParams } from '../modules/index.js';
import type { NnGraph } from '../nn/index.js';
import type { InstanceNode, PlatformGraph } from '../platform/index.js';
import type { ModuleCatalog } from '../spec/index.js';
import { SimError } from '../util/index.js';

/** Options of {@link analyticEstimate}. */
export interface AnalyticOptions {
  /**
   * The network that was compiled (lowered again here, deterministic): the dot layers' shapes
   * give the PE-array commands' GEMM dimensions and operand bytes. Without it, PE-array layers
   * keep the compiler's compute estimate and their counts are MAC-based only (see README).
   */
  readonly graph?: NnGraph;
}

/** One layer of an {@link AnalyticEstimate}, in program order. */
export interface AnalyticLayer {
  /** The layer's node description, as in the compiler's reports. */
  readonly node: string;
  /** `cores`, `alias`, or the accelerator instance (the first tile of an AIMC layer). */
  readonly target: string;
  readonly kind: AccelMapping['kind'];
  /** Host-core cycles estimated for the layer: `predictedCycles + issueCycles + accelCycles + stallCycles`. */
  readonly cycles: number;
  /** The compiler's static prediction (`predictedCycles` of the report). */
  readonly predictedCycles: number;
  /**
   * Issue cycles the prediction leaves out: load-use stalls (all layers), and for accelerated
   * and float layers the code's issue cycles with the core's costs (taken branches, F
   * divisions, ...) minus the one cycle per instruction the compiler counts for them.
   */
  readonly issueCycles: number;
  /**
   * Host cycles spent waiting for the accelerator beyond what `predictedCycles` holds: AIMC MVM
   * commands (and PROGRAM transfers); PE-array commands with operand transfers minus the
   * compiler's compute-only estimate (may be negative).
   */
  readonly accelCycles: number;
  /** Host memory stall cycles: estimated loads and stores x (access latency - 1). */
  readonly stallCycles: number;
  /** Instructions of the busiest core (the compiler's `predictedInstructions`). */
  readonly instructions: number;
  /** Estimated loads and stores of the busiest core (program-text mix x `instructions`). */
  readonly loads: number;
  readonly stores: number;
  readonly macs: number;
}

/** Result of {@link analyticEstimate}. */
export interface AnalyticEstimate {
  readonly platform: string;
  /** The host core (the first compiled core) and its clock period in ps. */
  readonly host: string;
  readonly periodPs: number;
  /** Host-core cycles: the sum of the layers' `cycles`. */
  readonly cycles: number;
  /** `cycles x periodPs`. */
  readonly latencyPs: number;
  readonly perLayer: readonly AnalyticLayer[];
  /** Predicted activity per simulated instance (every instance whose kind has a simulation model). */
  readonly activity: readonly ActivityCounts[];
  /** `energyReport(platform, activity, latencyPs, catalog)`. */
  readonly energy: EnergyReport;
}

// ---------------------------------------------------------------------------------------------
// Program text: the dynamic instruction mix of each layer's code

/** Relative dynamic counts of one layer's code (loop weights from the program text). */
interface Mix {
  /** Machine instructions (`la` = 2, `li` of a constant beyond 12 bits = 2). */
  instructions: number;
  loads: number;
  stores: number;
  /** Issue cycles with the host's costs ({@link issueCost}; the instructions a taken clamp skips do not issue). */
  cycles: number;
  /** Loads whose value the next instruction reads (a `loadUseStall` each). */
  loadUse: number;
  /** `sync.bar` instructions in the layer's code (static: they sit between loop nests). */
  barriers: number;
}

const LOADS = new Set(['lb', 'lbu', 'lh', 'lhu', 'lw', 'flw']);
const STORES = new Set(['sb', 'sh', 'sw', 'fsw']);
const HEADER_RE = /^\s*# ---- (?:accelerated layer|layer \d+): (.*)$/;
const LABEL_RE = /^\s*([A-Za-z_.$][\w.$]*):\s*$/;

interface Ins {
  readonly op: string;
  readonly args: readonly string[];
}

/**
 * The trip count of the loop closed by back edge `br` (at instruction `at`) to instruction
 * `top`: `li r, N` before the loop for `bnez r` (the code's counted loops), or `D / s` for the
 * pointer loops `addi rB, rA, D` ... `addi rA, rA, s` ... `bne rA, rB`; 1 when unknown (the
 * loops over a core's share of channels or rows, whose bounds are computed at run time).
 */
function tripCount(ins: readonly Ins[], top: number, at: number, br: Ins): number {
  const writes = (x: Ins, r: string): boolean => !STORES.has(x.op) && !x.op.startsWith('b') && x.op !== 'j' && x.args[0] === r;
  if (br.op === 'bnez') {
    const r = br.args[0]!;
    for (let i = top - 1; i >= 0; i--) {
      const x = ins[i]!;
      if (!writes(x, r)) continue;
      const n = x.op === 'li' ? Number(x.args[1]) : NaN;
      return Number.isInteger(n) && n > 0 ? n : 1;
    }
    return 1;
  }
  if (br.op === 'bne') {
    const [a, b] = br.args as [string, string];
    let step = 0;
    for (let i = top; i < at; i++) {
      const x = ins[i]!;
      if (x.op === 'addi' && x.args[0] === a && x.args[1] === a) step += Number(x.args[2]);
    }
    for (let i = top - 1; i >= 0; i--) {
      const x = ins[i]!;
      if (!writes(x, b)) continue;
      const d = x.op === 'addi' && x.args[1] === a ? Number(x.args[2]) : NaN;
      return step > 0 && d > 0 ? Math.ceil(d / step) : 1;
    }
  }
  return 1;
}

const fits12 = (v: number): boolean => v >= -2048 && v <= 2047;

/** Machine instructions of an assembly line: `la` 2 (auipc, addi), `li` 1 or 2 (lui + addi beyond 12 bits), else 1. */
function expansion(x: Ins): number {
  if (x.op === 'la') return 2;
  if (x.op === 'li') {
    const v = Number(x.args[1]);
    return Number.isFinite(v) && (fits12(v) || (v & 0xfff) === 0) ? 1 : 2;
  }
  return 1;
}

/** Whether instruction `x` reads register `r` (the first operand is a destination except for stores and branches). */
function readsReg(x: Ins, r: string): boolean {
  const srcs = STORES.has(x.op) || x.op.startsWith('b') ? x.args : x.args.slice(1);
  return srcs.some((a) => a === r || a.endsWith(`(${r})`));
}

/**
 * Issue cycles of one execution of an assembly line with a core's timing params (the core
 * declaration's names and defaults): loads, stores, ALU (pseudo-instructions: per machine
 * instruction), mul / mulh / div, F (add/mul, div/sqrt, other), Xesimd, Xeacc, Xesync, Xedma,
 * jumps; a branch closing a loop of `backTrips` trips is taken on all but the last, a clamp
 * (`backTrips` < 0) taken, any other branch not taken (the compiler's convention).
 */
function issueCost(core: InstanceNode): (x: Ins, backTrips: number) => number {
  const c = (k: string, d: number): number => num(core, k, d);
  const [alu, mul, mulh, div, load, store, bt, bn, jump, sys, simd, sync, dma, acc, fam, fds, fot] = [
    c('aluCycles', 1), c('mulCycles', 1), c('mulhCycles', 5), c('divCycles', 35), c('loadCycles', 1), c('storeCycles', 1), c('branchTakenCycles', 3),
    c('branchNotTakenCycles', 1), c('jumpCycles', 2), c('systemCycles', 1), c('simdCycles', 1), c('syncCycles', 1), c('dmaCycles', 1), c('accelCycles', 1),
    c('fpuAddMulCycles', 1), c('fpuDivSqrtCycles', 19), c('fpuOtherCycles', 1),
  ];
  return (x, backTrips) => {
    const op = x.op;
    if (LOADS.has(op)) return load;
    if (STORES.has(op)) return store;
    if (op.startsWith('b')) return backTrips > 0 ? ((backTrips - 1) * bt + bn) / backTrips : backTrips < 0 ? bt : bn;
    if (op === 'j' || op === 'jal' || op === 'jalr' || op === 'ret' || op === 'call') return jump;
    if (op === 'mul') return mul;
    if (op.startsWith('mulh')) return mulh;
    if (op.startsWith('div') || op.startsWith('rem')) return div;
    if (op.startsWith('acc.')) return acc;
    if (op.startsWith('sync.')) return sync;
    if (op.startsWith('dma.')) return dma;
    if (op.startsWith('pv.')) return simd;
    if (op === 'ecall' || op === 'ebreak' || op.startsWith('fence') || op.startsWith('csr')) return sys;
    if (op === 'fdiv.s' || op === 'fsqrt.s') return fds;
    if (/^f(n?m(add|sub)|add|sub|mul)\.s$/.test(op)) return fam;
    if (op.startsWith('f')) return fot;
    return alu * expansion(x);
  };
}

/**
 * Splits the program text at the layer headers the code generators write (`# ---- layer i:` /
 * `# ---- accelerated layer:`) and weights each instruction by the trip counts of the loops
 * around it (back edges to labels; {@link tripCount}). Code before the first header goes to the
 * first layer. Returns the mix per header text.
 */
function layerMixes(asm: string, cost: (x: Ins, backTrips: number) => number): { header: string; mix: Mix }[] {
  const out: { header: string; mix: Mix }[] = [];
  let header: string | undefined;
  let ins: Ins[] = [];
  let labels = new Map<string, number>();
  const flush = (): void => {
    if (header === undefined) return;
    const w = new Float64Array(ins.length).fill(1);
    const trips = new Float64Array(ins.length);
    // clamps: a forward branch over one or two instructions is taken (the value is in range),
    // the instructions it skips do not issue
    const skipped = new Uint8Array(ins.length);
    ins.forEach((x, i) => {
      if (!x.op.startsWith('b') && x.op !== 'j') return;
      const top = labels.get(x.args[x.args.length - 1]!);
      if (top !== undefined && x.op !== 'j' && top > i + 1 && top <= i + 3) {
        trips[i] = -1;
        for (let k = i + 1; k < top; k++) skipped[k] = 1;
      }
      if (top === undefined || top > i) return;
      const n = tripCount(ins, top, i, x);
      trips[i] = n;
      for (let k = top; k <= i; k++) w[k]! *= n;
    });
    const mix: Mix = { instructions: 0, loads: 0, stores: 0, cycles: 0, loadUse: 0, barriers: 0 };
    ins.forEach((x, i) => {
      const n = w[i]!;
      mix.instructions += n * expansion(x);
      if (skipped[i] === 0) mix.cycles += n * cost(x, trips[i]!);
      if (LOADS.has(x.op)) {
        mix.loads += n;
        const next = ins[i + 1];
        if (next !== undefined && readsReg(next, x.args[0]!)) mix.loadUse += n;
      } else if (STORES.has(x.op)) mix.stores += n;
      else if (x.op === 'sync.bar') mix.barriers++;
    });
    out.push({ header, mix });
  };
  for (const line of asm.split('\n')) {
    const h = HEADER_RE.exec(line);
    if (h !== null) {
      if (header !== undefined) {
        flush();
        ins = [];
        labels = new Map();
      }
      header = h[1]!;
      continue;
    }
    const t = line.replace(/#.*$/, '').trim();
    if (t === '') continue;
    const lb = LABEL_RE.exec(t);
    if (lb !== null) {
      labels.set(lb[1]!, ins.length);
      continue;
    }
    const sp = t.indexOf(' ');
    const op = sp < 0 ? t : t.slice(0, sp);
    const args = sp < 0 ? [] : t.slice(sp + 1).split(',').map((s) => s.trim());
    ins.push({ op, args });
  }
  flush();
  return out;
}

// ---------------------------------------------------------------------------------------------
// Routes through the interconnect: latency and events of a burst

/** The instances a request from `from.port` passes to reach `target` (crossbars, then the target), or undefined. */
function route(g: PlatformGraph, from: string, port: string, target: string): InstanceNode[] | undefined {
  const seen = new Set<string>([from]);
  const walk = (inst: string, p: string | undefined): InstanceNode[] | undefined => {
    for (const c of g.connections) {
      if (c.from.instance !== inst || (p !== undefined && c.from.port !== p)) continue;
      const peer = g.instances[c.to.instance];
      if (peer === undefined || seen.has(peer.name)) continue;
      if (peer.name === target) return [peer];
      if (peer.kind !== 'xbar') continue;
      seen.add(peer.name);
      const rest = walk(peer.name, 'out');
      if (rest !== undefined) return [peer, ...rest];
    }
    return undefined;
  };
  return walk(from, port);
}

/** The first memory or scratchpad an initiator port reaches (breadth of the connection list). */
function firstMemory(g: PlatformGraph, from: string, port: string): string | undefined {
  for (const m of Object.values(g.instances)) {
    if ((m.kind === 'memory' || m.kind === 'scratchpad') && route(g, from, port, m.name) !== undefined) return m.name;
  }
  return undefined;
}

const num = (n: InstanceNode, k: string, d = 0): number => (typeof n.params[k] === 'number' ? (n.params[k] as number) : d);

/** Per-instance counters being estimated. */
class Tally {
  readonly events = new Map<string, Record<string, number>>();
  readonly busy = new Map<string, number>();
  add(inst: string, ev: string, n: number): void {
    const r = this.events.get(inst);
    if (r === undefined) this.events.set(inst, { [ev]: n });
    else r[ev] = (r[ev] ?? 0) + n;
  }
  addBusy(inst: string, ps: number): void {
    this.busy.set(inst, (this.busy.get(inst) ?? 0) + ps);
  }
}

/**
 * Time in ps of one burst of `bytes` along `path` (no contention): every crossbar
 * `latencyCycles + ceil(bytes / bandwidthBytesPerCycle)` (store and forward), then the target:
 * scratchpad `(words - 1) + accessCycles` (one word per cycle per port), memory
 * `latencyCycles + ceil(bytes / bandwidthBytesPerCycle)`; each in its own clock.
 */
function burstPs(g: PlatformGraph, path: readonly InstanceNode[], bytes: number): number {
  let t = 0;
  for (const n of path) {
    const T = g.clocks[n.clock]?.periodPs ?? 0;
    if (n.kind === 'xbar') t += (num(n, 'latencyCycles') + Math.ceil(bytes / num(n, 'bandwidthBytesPerCycle', 4))) * T;
    else if (n.kind === 'scratchpad') t += (Math.ceil(bytes / num(n, 'wordBytes', 4)) - 1 + num(n, 'accessCycles', 1)) * T;
    else if (n.kind === 'memory') t += (num(n, 'latencyCycles') + Math.ceil(bytes / num(n, 'bandwidthBytesPerCycle', 8))) * T;
  }
  return t;
}

/** Counts `count` bursts of `bytes` along `path`: crossbar `transfer` per bus word, scratchpad `read`/`write` per word, memory `access` per data word. */
function countBursts(tally: Tally, path: readonly InstanceNode[], bytes: number, count: number, write: boolean): void {
  if (count <= 0) return;
  for (const n of path) {
    if (n.kind === 'xbar') tally.add(n.name, 'transfer', count * Math.ceil(bytes / (num(n, 'dataWidthBits', 32) / 8)));
    else if (n.kind === 'scratchpad') tally.add(n.name, write ? 'write' : 'read', count * Math.ceil(bytes / num(n, 'wordBytes', 4)));
    else if (n.kind === 'memory') tally.add(n.name, 'access', count * Math.ceil(bytes / (num(n, 'dataWidthBits', 64) / 8)));
  }
}

// ---------------------------------------------------------------------------------------------
// The estimate

/** A layer of either report, normalized: the mapping's accelerator fields and the core report (memories, cores, weight bytes). */
interface Entry {
  readonly node: string;
  readonly target: string;
  readonly kind: AccelMapping['kind'];
  readonly macs: number;
  readonly commands: number;
  readonly folds: number;
  readonly aimc: AccelMapping['aimc'];
  readonly split: AccelMapping['split'];
  readonly predictedInstructions: number;
  readonly predictedCycles: number;
  readonly report: LayerReport | undefined;
}

function entriesOf(compiled: Compiled | AccelCompiled): Entry[] {
  const reports = new Map(compiled.layers.map((l) => [l.node, l]));
  if ('mapping' in compiled) return compiled.mapping.map((m) => ({ ...m, report: reports.get(m.node) }));
  return compiled.layers.map((l) => ({
    node: l.node, target: l.target, kind: l.target, macs: l.macs, commands: 0, folds: 0, aimc: undefined, split: undefined,
    predictedInstructions: l.predictedInstructions, predictedCycles: l.predictedCycles, report: l,
  }));
}

/**
 * Estimates latency, activity and energy of one inference of `compiled` on `platform` without
 * simulating (README "analytic.ts" has the formulas and the measured error):
 *
 * - **Latency** = sum over layers of `predictedCycles + issueCycles + accelCycles +
 *   stallCycles`, times the host clock period (the host: `compiled.cores[0]`).
 *   `predictedCycles`: the compiler's static cycles. `issueCycles`: load-use stalls; for
 *   accelerated and float layers (predicted at one cycle per instruction) the program-text mix's
 *   issue cycles per instruction with the host's costs instead ({@link layerMixes},
 *   {@link issueCost}). `accelCycles`: AIMC layers add every MVM command (descriptor read + per
 *   input vector: input read, `aimcMvmTimePs` of the block's tile, output write) and the PROGRAMs'
 *   descriptor and weight reads; PE-array layers (with `opts.graph`) replace the compiler's
 *   `folds x (2R + C + K - 2)` by the commands' durations (descriptor, operand and result
 *   transfers plus `layerTimingFromParams`, band by band). The host waits for every command.
 *   `stallCycles` = loads x (load latency - 1) + stores x (store latency - 1), the latency of one
 *   word along the route from the core to the memory ({@link burstPs}).
 * - **Loads and stores** per layer: the mix's fractions times `predictedInstructions`.
 * - **Activity**: cores `instruction` = `predictedInstructions` per layer, shared over the cores
 *   as the code splits rows or channels ({@link coreShares}); scratchpads / memories / crossbars:
 *   the host's loads and stores (one word each) and every accelerator transfer along its route
 *   ({@link countBursts}), weights staged by the DMA; PE arrays `accessCounts` of the SCALE-Sim
 *   compute report per command (without the graph: `mac` = MACs, `rfRead` = 3 MACs, `rfWrite` =
 *   MACs); AIMC tiles per MVM vector the model's counts (`conversion` = phases x outputs x units
 *   per output, `rowDrive` = phases x rows, `cellRead` = phases x rows x columns used, `shiftAdd`
 *   = conversions (+ outputs with offset mapping)), per PROGRAM `rowWrite` = rows and
 *   `cellWrite` = rows x columns used; event unit: `sync.bar` in the program x cores.
 * - **Energy** = `energyReport` of those counts over the estimated latency (static power x
 *   latency).
 *
 * Not modelled: bank conflicts, contention, barrier waits, instruction fetch (untimed in the
 * simulator too), concurrency of accelerators with the host (ODiMO splits: the AIMC part is
 * estimated, the PE part counts MACs only).
 *
 * @throws SimError `dse-analytic` when the host core or its clock is missing from the platform.
 */
export function analyticEstimate(platform: PlatformGraph, compiled: Compiled | AccelCompiled, catalog: ModuleCatalog, opts: AnalyticOptions = {}): AnalyticEstimate {
  const g = platform;
  const hostName = compiled.cores[0];
  const host = hostName === undefined ? undefined : g.instances[hostName];
  const hostPeriod = host === undefined ? undefined : g.clocks[host.clock]?.periodPs;
  if (host === undefined || hostPeriod === undefined || hostPeriod <= 0) {
    throw new SimError('dse-analytic', `analytic estimate: the compiled program's first core '${hostName ?? '(none)'}' is not a core with a clock in platform '${g.platform}'`);
  }
  const periodOf = (n: InstanceNode): number => g.clocks[n.clock]?.periodPs ?? hostPeriod;
  const entries = entriesOf(compiled);
  const tally = new Tally();

  // lowered dot layers by node (shapes) and tensor placements (memories)
  const dots = new Map<string, DotLayer>();
  const acts = new Map<string, readonly number[]>();
  if (opts.graph !== undefined) {
    const low = lower(opts.graph).value;
    if (low !== undefined) {
      for (const l of low.layers) if (l.kind === 'dot') dots.set(l.node, l);
      for (const [k, v] of low.acts) acts.set(k, v.shape);
    }
  }

  // the program text's mix per layer
  const mixes = layerMixes(compiled.program.asm, issueCost(host));
  const loadUseStall = num(host, 'loadUseStall', 1);
  const headerOf = (node: string): { header: string; mix: Mix } | undefined => mixes.find((m) => m.header.startsWith(node) && /^(?:$|[ :])/.test(m.header.slice(node.length)));
  const cores = compiled.cores;

  // host access latency (cycles beyond the issue cycle) and route, per memory
  const hostAccess = new Map<string, { path: InstanceNode[]; stall: number } | undefined>();
  const hostRoute = (mem: string): { path: InstanceNode[]; stall: number } | undefined => {
    if (!hostAccess.has(mem)) {
      const path = route(g, host.name, 'tcdm', mem) ?? route(g, host.name, 'data', mem);
      hostAccess.set(mem, path === undefined ? undefined : { path, stall: Math.max(0, Math.ceil(burstPs(g, path, 4) / hostPeriod) - 1) });
    }
    return hostAccess.get(mem);
  };
  const lastMem = (s: string): string => s.split(/->|=dma=>/).pop()!.trim();
  const hostMemoryDefault = compiled.program.memory;

  const perLayer: AnalyticLayer[] = [];
  const instrPerCore = new Array<number>(cores.length).fill(0);
  for (const e of entries) {
    const kind = e.kind;
    const pi = e.predictedInstructions;
    const seg = kind === 'alias' ? undefined : headerOf(e.node);
    const mix = seg?.mix;
    const loads = mix !== undefined && mix.instructions > 0 ? (pi * mix.loads) / mix.instructions : 0;
    const stores = mix !== undefined && mix.instructions > 0 ? (pi * mix.stores) / mix.instructions : 0;
    const used = kind === 'alias' ? 0 : Math.min(cores.length, Math.max(1, e.report?.cores ?? 1));
    const share = coreShares(seg?.header, used, cores.length);
    share.forEach((f, i) => (instrPerCore[i]! += f * pi));
    const sumShare = share.reduce((s, f) => s + f, 0);

    // where the host's loads and stores go
    const accel = kind === 'pe-array' || kind === 'aimc-tile' ? g.instances[e.target] : kind === 'split' ? g.instances[e.split?.aimc.target ?? e.target] : undefined;
    const scratch = accel === undefined ? undefined : firstMemory(g, accel.name, 'mem');
    const mems = e.report?.memories;
    const loadMem = mems !== undefined ? lastMem(mems.input) : scratch ?? hostMemoryDefault;
    const storeMem = mems !== undefined ? lastMem(mems.output) : scratch ?? hostMemoryDefault;
    const lr = hostRoute(loadMem);
    const sr = hostRoute(storeMem);
    // accelerated layers (with the graph): the pre-pass reads the input tensor once and the
    // post-pass writes the output tensor (its whole buffer when padded) where they live; the
    // rest of the glue's accesses go to the accelerator's scratch memory
    const dot = dots.get(e.node);
    const place = (t: string | undefined): Placement | undefined => (t === undefined ? undefined : compiled.tensors.find((x) => x.name === t));
    const xIn = accel !== undefined ? place(dot?.input) : undefined;
    const yOut = accel !== undefined ? place(dot?.output) : undefined;
    const inLoads = xIn === undefined ? 0 : Math.min(loads, xIn.shape.reduce((a, b) => a * b, 1));
    const outStores = yOut === undefined ? 0 : Math.min(stores, yOut.buffer.bytes / ACT_BYTES[yOut.dtype]);
    const ir = xIn === undefined ? undefined : hostRoute(xIn.memory);
    const orr = yOut === undefined ? undefined : hostRoute(yOut.memory);
    if (ir !== undefined) countBursts(tally, ir.path, 4, Math.round(inLoads), false);
    if (orr !== undefined) countBursts(tally, orr.path, 4, Math.round(outStores), true);
    const restLoads = ir === undefined ? loads : loads - inLoads;
    const restStores = orr === undefined ? stores : stores - outStores;
    if (lr !== undefined) countBursts(tally, lr.path, 4, Math.round(restLoads * sumShare), false);
    if (sr !== undefined) countBursts(tally, sr.path, 4, Math.round(restStores * sumShare), true);
    // accelerated and float layers: the compiler counts one cycle per instruction; the mix's issue
    // cycles per instruction replace that (load-use stalls included); dot layers on the cores:
    // the compiler's costs plus the load-use stalls
    // float layers (core layers without MACs) are predicted at one cycle per instruction too
    const accelerated = kind === 'pe-array' || kind === 'aimc-tile' || kind === 'split' || (kind === 'cores' && e.macs === 0);
    const perInstr = mix !== undefined && mix.instructions > 0 ? pi / mix.instructions : 0;
    const issueCycles = mix === undefined ? 0 : accelerated ? perInstr * (mix.cycles + loadUseStall * mix.loadUse) - pi : perInstr * loadUseStall * mix.loadUse;
    const stallCycles = restLoads * (lr?.stall ?? 0) + restStores * (sr?.stall ?? 0) + inLoads * (ir?.stall ?? 0) + outStores * (orr?.stall ?? 0);

    // weights staged from main memory by the DMA (core layers: memories.weights 'home->local')
    if (mems !== undefined && mems.weights.includes('=dma=>') && e.report !== undefined) {
      const l = dots.get(e.node);
      stageWeights(g, tally, mems.weights, l === undefined ? e.report.weightBytes : l.weights.length * l.weightBytes);
    }
    if (mix !== undefined && mix.barriers > 0 && cores.length > 1) {
      const eu = Object.values(g.instances).find((n) => n.kind === 'event-unit');
      if (eu !== undefined) tally.add(eu.name, 'request', mix.barriers * cores.length);
    }

    let accelPs = 0;
    let compilerAccelCycles = 0;
    if (accel !== undefined && kind === 'pe-array') {
      const l = dots.get(e.node);
      const R = num(accel, 'rows', 1);
      const C = num(accel, 'cols', 1);
      const accPeriod = periodOf(accel);
      if (l !== undefined) {
        const K = l.inChannelsPerGroup * l.kh * l.kw;
        compilerAccelCycles = Math.ceil((e.folds * (2 * R + C + K - 2) * accPeriod) / hostPeriod);
        accelPs = peLayer(g, tally, accel, l, acts.get(l.input), e.commands, e.folds, compiled);
      } else {
        tally.add(accel.name, 'mac', e.macs);
        tally.add(accel.name, 'rfRead', 3 * e.macs);
        tally.add(accel.name, 'rfWrite', e.macs);
      }
    } else if (accel !== undefined && (kind === 'aimc-tile' || kind === 'split') && e.aimc !== undefined) {
      const part = e.split?.aimc;
      accelPs = aimcLayer(g, tally, e.aimc, part?.commands ?? e.commands, part?.macs ?? e.macs, part === undefined ? dots.get(e.node) : undefined);
      const d = e.split?.digital;
      if (d !== undefined) {
        tally.add(d.target, 'mac', d.macs);
        tally.add(d.target, 'rfRead', 3 * d.macs);
        tally.add(d.target, 'rfWrite', d.macs);
      }
    }
    const accelCycles = accelPs / hostPeriod - compilerAccelCycles;
    const cycles = e.predictedCycles + issueCycles + accelCycles + stallCycles;
    perLayer.push({
      node: e.node, target: e.target, kind, cycles, predictedCycles: e.predictedCycles, issueCycles, accelCycles, stallCycles,
      instructions: pi, loads, stores, macs: e.macs,
    });
  }
  cores.forEach((c, i) => tally.add(c, 'instruction', Math.round(instrPerCore[i]!)));

  const cycles = perLayer.reduce((s, l) => s + l.cycles, 0);
  const latencyPs = cycles * hostPeriod;
  const activity: ActivityCounts[] = [];
  for (const n of Object.values(g.instances)) {
    if (!simCatalog.has(n.kind)) continue;
    const def = catalog.get(n.kind);
    if (def === undefined) continue;
    const counted = tally.events.get(n.name) ?? {};
    const energyEvents: Record<string, number> = {};
    for (const [ev, spec] of Object.entries(def.energy)) if (spec.kind === 'per-event') energyEvents[ev] = Math.round(counted[ev] ?? 0);
    activity.push({ path: n.name, kind: n.kind, busyPs: Math.min(latencyPs, Math.round(tally.busy.get(n.name) ?? 0)), energyEvents });
  }
  return {
    platform: g.platform, host: host.name, periodPs: hostPeriod, cycles, latencyPs, perLayer, activity,
    energy: energyReport(g, activity, latencyPs, catalog),
  };
}

/**
 * Weights staged by the DMA from their main-memory home into the local memory (report
 * `memories.weights` = `home=dma=>local`): one transfer of `bytes` (the layer's weights with the
 * graph, else the report's weight bytes, biases and multipliers included), overlapped with the
 * previous layer (no latency), busy for
 * `setupCycles + ceil(bytes / bandwidthBytesPerCycle)` DMA cycles.
 */
function stageWeights(g: PlatformGraph, tally: Tally, where: string, bytes: number): void {
  const [home, local] = where.split('=dma=>').map((s) => s.trim()) as [string, string];
  const dma = Object.values(g.instances).find((n) => n.kind === 'dma');
  if (dma === undefined) return;
  const ext = route(g, dma.name, 'ext', home);
  const loc = route(g, dma.name, 'local', local);
  if (ext !== undefined) countBursts(tally, ext, bytes, 1, false);
  if (loc !== undefined) countBursts(tally, loc, bytes, 1, true);
  const T = g.clocks[dma.clock]?.periodPs ?? 0;
  tally.addBusy(dma.name, (num(dma, 'setupCycles', 10) + Math.ceil(bytes / num(dma, 'bandwidthBytesPerCycle', 8))) * T);
}

/**
 * Each core's share of the busiest core's work in a layer: a dot layer whose code header says
 * `U channels x H x W pixels ..., batch B; core h: rows h, h + P` (or `channels`) gives core h of
 * the P compiled cores `ceil((U - h) / P) / ceil(U / P)` with U = H x B rows (or U channels);
 * other layers give 1 to each of the `used` cores (the report's `cores`).
 */
function coreShares(header: string | undefined, used: number, P: number): number[] {
  const m = header === undefined ? null : /(\d+) channels x (\d+)x\d+ pixels.*batch (\d+); core h: (rows|channels)/.exec(header);
  if (m === null || P <= 1) return Array.from({ length: used }, () => 1);
  const U = m[4] === 'rows' ? Number(m[2]) * Number(m[3]) : Number(m[1]);
  const busiest = Math.ceil(U / P);
  return Array.from({ length: P }, (_, h) => Math.max(0, Math.ceil((U - h) / P)) / busiest);
}

/**
 * A PE-array layer's commands (one CONV or GEMM per batch and band of output rows, as the
 * compiler emits them): the band height is the one whose folds add up to the report's `folds`
 * (else the even split of the output rows over the bands). Each command: descriptor read, A/X
 * read (the band's padded input rows), B/W read (through `wmem` when the weights image lives
 * where it reaches), SCALE-Sim cycles (`layerTimingFromParams`, `startupCycles` included), C/Y
 * write of int32 results; counts from `accessCounts`. Returns the commands' time in ps.
 */
function peLayer(g: PlatformGraph, tally: Tally, pe: InstanceNode, l: DotLayer, inShape: readonly number[] | undefined, commands: number, folds: number, compiled: Compiled): number {
  const R = num(pe, 'rows', 1);
  const C = num(pe, 'cols', 1);
  const T = g.clocks[pe.clock]?.periodPs ?? 0;
  const peType = String(pe.params['peType']);
  const eb = peType === 'int8' || peType === 'lightpe1' ? 1 : peType === 'fp32' ? 4 : 2;
  const conv = l.op === 'conv';
  const K = l.inChannelsPerGroup * l.kh * l.kw;
  const N = l.channels;
  const bands = Math.max(1, Math.round(commands / Math.max(1, l.batch)));
  const outRows = l.outH;
  const foldsOf = (r: number): number => {
    let f = 0;
    for (let r0 = 0; r0 < outRows; r0 += r) {
      const n = Math.min(r, outRows - r0);
      f += Math.ceil((conv ? n * l.outW : n) / R) * Math.ceil(N / C);
    }
    return f * l.batch;
  };
  let rows = Math.ceil(outRows / bands);
  for (let r = rows; r <= outRows && Math.ceil(outRows / r) === bands; r++) {
    if (foldsOf(r) === folds) {
      rows = r;
      break;
    }
  }
  const mem = firstMemory(g, pe.name, 'mem');
  const memPath = mem === undefined ? [] : route(g, pe.name, 'mem', mem) ?? [];
  const wImage = compiled.images.find((im) => im.what.includes(l.node) && /weight/i.test(im.what));
  const wPath = (wImage !== undefined ? route(g, pe.name, 'wmem', wImage.memory) ?? route(g, pe.name, 'mem', wImage.memory) : undefined) ?? memPath;
  const [pt, pl, pb, pr] = l.pads;
  const inW = inShape?.[3] ?? (l.outW - 1) * l.strides[1] + l.kw - pl - pr;
  const Wp = inW + pl + pr;
  void pt;
  void pb;
  let ps = 0;
  for (let b = 0; b < l.batch; b++) {
    for (let r0 = 0; r0 < outRows; r0 += rows) {
      const n = Math.min(rows, outRows - r0);
      const M = conv ? n * l.outW : n;
      const aBytes = conv ? ((n - 1) * l.strides[0] + l.kh) * Wp * l.inChannelsPerGroup * eb : n * K * eb;
      const bBytes = K * N * eb;
      const cBytes = M * N * 4;
      const desc = conv ? 64 : 32;
      const timing = layerTimingFromParams({ M, N, K }, pe.params as never);
      const t = burstPs(g, memPath, desc) + burstPs(g, memPath, aBytes) + burstPs(g, wPath, bBytes) + timing.cycles * T + burstPs(g, memPath, cBytes);
      ps += t;
      tally.addBusy(pe.name, t);
      countBursts(tally, memPath, desc, 1, false);
      countBursts(tally, memPath, aBytes, 1, false);
      countBursts(tally, wPath, bBytes, 1, false);
      countBursts(tally, memPath, cBytes, 1, true);
      const a = accessCounts(timing.compute);
      tally.add(pe.name, 'mac', a.macs);
      tally.add(pe.name, 'rfRead', a.rfReads);
      tally.add(pe.name, 'rfWrite', a.rfWrites);
      tally.add(pe.name, 'glbRead', a.glbReads);
      tally.add(pe.name, 'glbWrite', a.glbWrites);
    }
  }
  return ps;
}

/** One tile's model configuration, layout and timing. */
interface TileModel {
  readonly node: InstanceNode;
  readonly config: AimcTileConfig;
  readonly layout: AimcLayout;
  readonly timing: AimcTimingParams;
  readonly path: readonly InstanceNode[];
}

function tileModel(g: PlatformGraph, name: string): TileModel | undefined {
  const node = g.instances[name];
  if (node === undefined || node.kind !== 'aimc-tile') return undefined;
  const config = aimcConfigFromParams(node.params as never);
  const mem = firstMemory(g, name, 'mem');
  return {
    node, config, layout: aimcLayout(config, name), timing: aimcTimingFromParams(node.params as never, g.clocks[node.clock]?.periodPs ?? 0),
    path: mem === undefined ? [] : route(g, name, 'mem', mem) ?? [],
  };
}

/**
 * An AIMC layer from its plan (`mapping.aimc`): blocks in column-block-major order (diagonal
 * plans: row group g with column block g), block b on `tiles[b mod tiles]`, rows
 * `rowsPerMvm` (the last row group `lastRows`), outputs `outputsPerBlock` (the last column block
 * the rest of N). Input vectors = `mvms / (planes x blocks)`; N from the graph, else
 * `macs / (vectors x K)`. Every MVM vector: input read (rows x 1 or 2 bytes), `aimcMvmTimePs`,
 * output write (4 B per output); every MVM command a descriptor read (commands - programs of
 * them, spread over the blocks); every PROGRAM a descriptor and weight read (its time is in the
 * compiler's prediction). PROGRAMs beyond one per block (reprogrammings) are charged to blocks in
 * order. Returns the time the host waits, in ps.
 */
function aimcLayer(g: PlatformGraph, tally: Tally, A: NonNullable<AccelMapping['aimc']>, commands: number, macs: number, l: DotLayer | undefined): number {
  const tiles = A.tiles.map((t) => tileModel(g, t)).filter((t): t is TileModel => t !== undefined);
  if (tiles.length === 0) return 0;
  const blocks: { rows: number; outputs: number; tile: TileModel }[] = [];
  const K = A.diagonal ? A.rowsPerMvm : (A.rowGroups - 1) * A.rowsPerMvm + A.lastRows;
  const vectors = A.mvms / Math.max(1, A.planes * A.blocks);
  const N = l?.channels ?? (A.diagonal ? A.colBlocks * A.outputsPerBlock : Math.round(macs / Math.max(1, vectors * K)));
  for (let cb = 0; cb < A.colBlocks; cb++) {
    for (let gi = 0; gi < A.rowGroups; gi++) {
      if (A.diagonal && gi !== cb) continue;
      const tile = tiles[blocks.length % tiles.length]!;
      blocks.push({ rows: gi === A.rowGroups - 1 ? A.lastRows : A.rowsPerMvm, outputs: Math.max(1, Math.min(A.outputsPerBlock, N - cb * A.outputsPerBlock)), tile });
    }
  }
  const mvmCommands = Math.max(0, commands - A.programs);
  const descPerBlock = mvmCommands / Math.max(1, blocks.length);
  let ps = 0;
  blocks.forEach((b, i) => {
    const t = b.tile;
    const name = t.node.name;
    const L = t.layout;
    const db = t.config.inputBits <= 8 ? 1 : 2;
    const wb = t.config.mapping === 'ternary' || t.config.weightBits <= 8 ? 1 : 2;
    const colsUsed = b.outputs * L.colsPerOutput;
    const n = vectors * A.planes;
    const mvmPs = aimcMvmTimePs({ n: b.outputs, layout: L, config: t.config }, t.timing);
    const per = burstPs(g, t.path, b.rows * db) + mvmPs + burstPs(g, t.path, 4 * b.outputs);
    const desc = descPerBlock * burstPs(g, t.path, 16);
    const extra = Math.max(0, A.programs - blocks.length);
    const progs = 1 + Math.floor(extra / blocks.length) + (i < extra % blocks.length ? 1 : 0);
    const progPs = progs * (burstPs(g, t.path, 16) + burstPs(g, t.path, b.rows * b.outputs * wb));
    const progTime = progs * b.rows * t.timing.rowWriteCycles * t.timing.clockPeriodPs;
    ps += n * per + desc + progPs;
    tally.addBusy(name, n * per + desc + progPs + progTime);
    const conv = L.phases * b.outputs * L.unitsPerOutput;
    tally.add(name, 'conversion', n * conv);
    tally.add(name, 'rowDrive', n * L.phases * b.rows);
    tally.add(name, 'cellRead', n * L.phases * b.rows * colsUsed);
    tally.add(name, 'shiftAdd', n * (conv + (L.weightOffset !== 0 ? b.outputs : 0)));
    tally.add(name, 'rowWrite', progs * b.rows);
    tally.add(name, 'cellWrite', progs * b.rows * colsUsed);
    countBursts(tally, t.path, b.rows * db, n, false);
    countBursts(tally, t.path, 4 * b.outputs, n, true);
    countBursts(tally, t.path, 16, Math.round(descPerBlock) + progs, false);
    countBursts(tally, t.path, b.rows * b.outputs * wb, progs, false);
  });
  return ps;
}
