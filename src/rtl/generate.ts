/** The generator: a PlatformGraph in, the files of an RTL output folder out. */
import type { ClockDomain, InstanceNode, PlatformGraph } from '../platform/index.js';
import type { PortSpec } from '../spec/index.js';
import { aimcConfigFromParams, aimcLayout } from '../modules/index.js';
import { deriveRng, type Diagnostic } from '../util/index.js';
import { kindModel, kindPorts, emitLiberty, emitStub } from './blackbox.js';
import { bundleSignals, elements, modulePortName, type BundleSignal } from './bundle.js';
import { clog2, isPow2, verilogName } from './names.js';
import { emitPe, emitPeArray, emitPeArrayWs, peArrayModuleName, peGeom, peModuleName, peScenario, peVectors, type PeGeom } from './pe-array.js';
import { ADDR_W, emitRrArbiter, emitSpm, emitSramModel, spmExpect, spmModuleName, spmScenario, spmVectors, spmWidths, sramMacroName, sramPorts, type SpmGeom } from './scratchpad.js';
import { sha256Hex } from './sha256.js';
import { emitTestbench, emitUnits, type TbAimc, type TbDma, type TbPe, type TbSpm, type TbXbar } from './tb.js';
import { aimcGeom, aimcScenario, aimcTileModuleName, aimcTilePorts, aimcVectors, aimcXbarName, aimcXbarPorts, emitAimcTile, emitAimcXbarModel, type AimcGeom } from './aimc.js';
import { FILE_FOOTER, fileHeader, portList, range, type PortDecl } from './verilog.js';
import { emitXbar, xbarExpect, xbarGeom, xbarModuleName, xbarRoutes, xbarScenario, xbarStages, xbarVectors, type XbarGeom } from './xbar.js';
import { emitMem, memExpect, memGeom, memModuleName, memScenario, memVectors, type MemGeom, type TbMem } from './memory.js';
import { emitEu, euExpect, euGeom, euModuleName, euScenario, euVectors, EU_IRQ_BASE, EU_OPS, type EuGeom, type TbEu } from './event-unit.js';
import { dmaExtBase, dmaGeom, dmaLocalWindows, dmaModuleName, dmaParamOverrides, dmaScenario, dmaVectors, emitDma, type DmaGeom, type DmaTiming } from './dma.js';

/** Version written to manifest.json; bump when the generated text changes. */
export const RTL_GENERATOR_VERSION = '0.4.0';

/** Options of {@link generateRtl}. */
export interface RtlOptions {
  /** Shrink the design to the CI size first ({@link ciSizePlatform}). */
  readonly ciSize?: boolean;
  /** The platform YAML text, hashed into the manifest (or pass `yamlSha256`). */
  readonly yamlText?: string;
  /** SHA-256 of the platform YAML, when the caller hashed it. */
  readonly yamlSha256?: string;
  /** Seed of the testbench stimulus (default 1). */
  readonly seed?: number;
  /** Position of an instance's parameter in the platform file, for diagnostics (default 1:1). */
  readonly positionOf?: (instance: string, param?: string) => { readonly line: number; readonly column: number };
}

/** One SRAM or black-box macro of the design. */
export interface RtlMacro {
  readonly name: string;
  readonly kind: 'sram' | 'crossbar' | 'black-box';
  readonly doc: string;
  readonly stub: string;
  readonly model: string;
  readonly liberty: string;
}

/** manifest.json. */
export interface RtlManifest {
  readonly generator: string;
  readonly version: string;
  readonly platform: string;
  readonly yamlSha256: string | null;
  readonly ciSize: boolean;
  readonly top: string;
  readonly testbench: string;
  readonly clocks: readonly { readonly name: string; readonly port: string; readonly periodNs: number }[];
  readonly instances: readonly { readonly name: string; readonly verilog: string; readonly kind: string; readonly module: string; readonly rtl: boolean; readonly note?: string }[];
  readonly parameters: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  readonly files: readonly string[];
  readonly macros: readonly RtlMacro[];
  readonly lists: Readonly<Record<'rtl' | 'sim' | 'syn', readonly string[]>>;
}

/** Result of {@link generateRtl}: files (path relative to the output folder -> text), empty when there is an error. */
export interface RtlResult {
  readonly files: ReadonlyMap<string, string>;
  readonly manifest?: RtlManifest;
  readonly diagnostics: readonly Diagnostic[];
}

/** What the CI size changes (documented in src/rtl/README.md). */
export const CI_SIZE = { peRows: 4, peCols: 4, spmBanks: 4, spmBankWords: 16, aimcRows: 16, aimcCols: 8, aimcMinOutputs: 4 } as const;

/**
 * The CI-sized platform: PE arrays at most 4 x 4; scratchpads at most 4 banks of 16 words
 * (sizeBytes = banks x 16 x wordBytes; ports, word width, interleaving unchanged), L2 memories
 * likewise (the address map is unchanged: like a scratchpad, the memory decodes the low address
 * bits and repeats over its region); AIMC tiles
 * at most 16 rows and 8 columns, or the columns of 4 outputs when an output needs more than 2
 * columns (sliced weights). Everything else is unchanged.
 */
export function ciSizePlatform(g: PlatformGraph): PlatformGraph {
  const instances: Record<string, InstanceNode> = {};
  for (const [n, i] of Object.entries(g.instances)) {
    const p = { ...i.params } as Record<string, unknown>;
    if (i.kind === 'pe-array') {
      p.rows = Math.min(num(p.rows), CI_SIZE.peRows);
      p.cols = Math.min(num(p.cols), CI_SIZE.peCols);
    } else if (i.kind === 'scratchpad') {
      const banks = Math.min(num(p.banks), CI_SIZE.spmBanks);
      p.banks = banks;
      p.sizeBytes = banks * CI_SIZE.spmBankWords * num(p.wordBytes);
    } else if (i.kind === 'memory' && p.level !== 'external') {
      const banks = Math.min(num(p.banks), CI_SIZE.spmBanks);
      p.banks = banks;
      p.sizeBytes = banks * CI_SIZE.spmBankWords * (num(p.dataWidthBits) / 8);
    } else if (i.kind === 'aimc-tile') {
      const cpo = aimcLayout(aimcConfigFromParams(p as unknown as Parameters<typeof aimcConfigFromParams>[0])).colsPerOutput;
      p.rows = Math.min(num(p.rows), CI_SIZE.aimcRows);
      p.cols = Math.min(num(p.cols), Math.max(CI_SIZE.aimcCols, CI_SIZE.aimcMinOutputs * cpo));
    }
    instances[n] = { ...i, params: p };
  }
  return { ...g, instances };
}

const num = (v: unknown): number => (typeof v === 'number' ? v : Number.NaN);

type Impl =
  | { readonly t: 'spm'; readonly geom: SpmGeom; readonly module: string }
  | { readonly t: 'pe'; readonly geom: PeGeom; readonly module: string; readonly note: string }
  | { readonly t: 'aimc'; readonly geom: AimcGeom; readonly module: string; readonly note: string }
  | { readonly t: 'dma'; readonly geom: DmaGeom; readonly module: string; readonly note: string; readonly locals: readonly number[]; readonly timing: DmaTiming }
  | { readonly t: 'xbar'; readonly geom: XbarGeom; readonly module: string; readonly note: string }
  | { readonly t: 'mem'; readonly geom: MemGeom; readonly module: string; readonly note: string }
  | { readonly t: 'eu'; readonly geom: EuGeom; readonly module: string; readonly note: string }
  | { readonly t: 'bb'; readonly module: string; readonly note: string };

/** Param values worth recording (numbers, strings, booleans, string lists). */
function plainParams(i: InstanceNode): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(i.params)) {
    if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') out[k] = v;
    else if (Array.isArray(v) && v.every((x) => typeof x === 'string')) out[k] = [...(v as string[])];
  }
  return out;
}

/**
 * Generates the RTL output folder of a platform (see src/rtl/README.md for the layout). Pure
 * and deterministic: the same graph and options give the same bytes. Parameters the generator
 * cannot realize are errors naming the instance and the parameter, and then no file is
 * returned; kinds and variants without RTL become black boxes with a warning.
 */
export function generateRtl(platform: PlatformGraph, opts: RtlOptions = {}): RtlResult {
  const g = opts.ciSize === true ? ciSizePlatform(platform) : platform;
  const diagnostics: Diagnostic[] = [];
  const pos = (inst: string, param?: string): { line: number; column: number } => opts.positionOf?.(inst, param) ?? { line: 1, column: 1 };
  const err = (inst: string, param: string | undefined, message: string, hint?: string): void => {
    diagnostics.push({ severity: 'error', code: 'rtl-bad-param', message, file: g.file, ...pos(inst, param), ...(hint === undefined ? {} : { hint }) });
  };
  const warn = (inst: string, param: string | undefined, message: string): void => {
    diagnostics.push({ severity: 'warning', code: 'rtl-black-box', message, file: g.file, ...pos(inst, param) });
  };

  // ---- names
  const top = `${verilogName(g.platform)}_top`;
  const vname = new Map<string, string>();
  const seen = new Map<string, string>();
  for (const n of Object.keys(g.instances)) {
    const v = verilogName(n);
    const other = seen.get(v);
    if (other !== undefined) err(n, undefined, `instance '${n}' and '${other}' both become Verilog name '${v}'`, 'rename one of them');
    seen.set(v, n);
    vname.set(n, v);
  }

  // ---- implementation per instance, with parameter checks
  const impls = new Map<string, Impl>();
  const bbSignatures = new Map<string, Map<string, string>>();
  for (const [n, i] of Object.entries(g.instances)) {
    const p = i.params;
    if (i.kind === 'scratchpad') {
      const banks = num(p.banks);
      const wordBytes = num(p.wordBytes);
      const size = num(p.sizeBytes);
      const ports = num(p.ports);
      const bankWords = size / banks / wordBytes;
      let ok = true;
      const bad = (param: string, message: string, hint?: string): void => { ok = false; err(n, param, `${n}.${param}: ${message}`, hint); };
      if (!isPow2(banks)) bad('banks', `${banks} banks is not a power of two (word interleaving decodes the bank from address bits)`, 'use 1, 2, 4, 8, ... banks');
      if (!isPow2(wordBytes) || wordBytes > 16) bad('wordBytes', `a ${wordBytes}-byte word is not realizable (1, 2, 4, 8 or 16 bytes)`, 'use a power of two up to 16');
      if (p.interleaving !== 'word') bad('interleaving', `interleaving '${String(p.interleaving)}' has no RTL (only word interleaving is generated)`, 'use interleaving: word');
      if (p.accessCycles !== 1) bad('accessCycles', `accessCycles ${String(p.accessCycles)}: the generated banks answer one cycle after the grant (accessCycles 1)`, 'use accessCycles: 1');
      if (!Number.isInteger(bankWords) || bankWords < 2) bad('sizeBytes', `${size} B gives ${bankWords} words per bank; an SRAM bank needs a whole number of at least 2 words`, `use a multiple of ${2 * banks * wordBytes} B`);
      if (ports > 64) bad('ports', `${ports} ports exceed the 64 the arbiter is generated for`);
      if (ok && clog2(size) > ADDR_W) bad('sizeBytes', `${size} B does not fit in ${ADDR_W}-bit addresses`);
      if (!ok) continue;
      const geom: SpmGeom = { ports, banks, wordBytes, bankWords };
      impls.set(n, { t: 'spm', geom, module: spmModuleName(geom) });
      continue;
    }
    if (i.kind === 'pe-array') {
      const peType = String(p.peType);
      const rows = num(p.rows);
      const cols = num(p.cols);
      if (peType === 'int8' || peType === 'int16' || peType === 'lightpe1' || peType === 'lightpe2') {
        if (rows * cols > 4096) {
          err(n, 'rows', `${n}.rows x cols = ${rows * cols} PEs: the generator builds arrays of at most 4096 PEs`, 'use --ci-size or a smaller array');
          continue;
        }
        const accBits = num(p.accBits);
        const lightShift = p.lightShift === 'floor' ? 'floor' : 'exact';
        const df = p.dataflow === 'ws' ? 'ws' : 'os';
        const geom = peGeom(rows, cols, peType, accBits, { actBits: num(p.actBits), mMax: num(p.lightMaxShift), shift: lightShift }, df);
        if ((peType === 'int8' || peType === 'int16') && geom.acc < 2 * geom.w) {
          err(n, 'accBits', `${n}.accBits ${geom.acc} cannot hold one ${peType} product (${2 * geom.w} bits)`);
          continue;
        }
        if ((peType === 'lightpe1' || peType === 'lightpe2') && geom.acc < geom.w) {
          err(n, 'accBits', `${n}.accBits ${geom.acc} is narrower than the ${geom.w}-bit activations`);
          continue;
        }
        let note = 'operand streams and results are top-level ports; the command/operand controller (mem, wmem, cfg) is not generated: those ports are tied off';
        if (p.dataflow === 'is') {
          note = `dataflow '${String(p.dataflow)}' is realized as output stationary (tile latency K + R + C - 2, not the simulator's ${String(p.dataflow)} latency); ${note}`;
          diagnostics.push({ severity: 'warning', code: 'rtl-dataflow', message: `${n}.dataflow: '${String(p.dataflow)}' has no RTL yet; the array is generated output stationary`, file: g.file, ...pos(n, 'dataflow') });
        }
        impls.set(n, { t: 'pe', geom, module: peArrayModuleName(geom), note });
        continue;
      }
      warn(n, 'peType', `${n}.peType: '${peType}' PEs have no RTL yet; the array is a black box`);
    }
    if (i.kind === 'aimc-tile') {
      const clk = g.clocks[i.clock];
      const r = clk === undefined ? { why: 'no clock' } : aimcGeom(p, clk.periodPs);
      if (r.geom !== undefined) {
        if (r.geom.k > 4096 || r.geom.n > 4096) {
          err(n, r.geom.k > 4096 ? 'rows' : 'cols', `${n}: ${r.geom.k} inputs x ${r.geom.n} outputs: the generator builds AIMC peripheries of at most 4096 inputs and 4096 outputs`, 'use --ci-size');
          continue;
        }
        impls.set(n, { t: 'aimc', geom: r.geom, module: aimcTileModuleName(r.geom), note: 'inputs, programming rows, per-output scales (the SCALE command) and outputs are top-level ports; the command controller (mem, cfg) is not generated: those ports are tied off' });
        continue;
      }
      warn(n, undefined, `${n}: ${r.why ?? 'unsupported'}; the AIMC tile is a black box`);
    }
    if (i.kind === 'dma') {
      const locals = [...new Set(g.connections.filter((c) => c.from.instance === n && c.from.port === 'local').map((c) => c.from.index ?? 0))].sort((a, b) => a - b);
      const r = dmaGeom(p, locals.length, dmaLocalWindows(g, n, 'local', locals));
      if (r.geom === undefined) {
        for (const e of r.errors) err(n, e.param, `${n}.${e.param}: ${e.message}`, e.hint);
        continue;
      }
      const timing: DmaTiming = { setupCycles: num(p.setupCycles), rowOverheadCycles: num(p.rowOverheadCycles), bandwidthBytesPerCycle: num(p.bandwidthBytesPerCycle), maxOutstanding: num(p.maxOutstanding), maxBurstBytes: num(p.maxBurstBytes) };
      const unconnected = locals.length < num(p.localPorts) ? `; local ports not connected in the YAML (${num(p.localPorts) - locals.length}) are left out and tied off, as the simulator skips them` : '';
      impls.set(n, { t: 'dma', geom: r.geom, module: dmaModuleName(r.geom), locals, timing, note: `request/grant ports as the YAML connects them; one burst in flight at a time (the simulator allows maxOutstanding), no setup or row-overhead cycles: the same bytes, not the same cycles${unconnected}` });
      continue;
    }
    if (i.kind === 'xbar') {
      const r = xbarGeom(verilogName(n), p, xbarRoutes(g, n, num(p.targets)));
      if (r.geom === undefined) {
        for (const e of r.errors) err(n, e.param, `${n}.${e.param}: ${e.message}`, e.hint);
        continue;
      }
      const ge = r.geom;
      impls.set(n, { t: 'xbar', geom: ge, module: xbarModuleName(ge), note: `address decode of ${ge.routes.length} route(s), round-robin per output, ${xbarStages(ge)}-cycle request pipeline (latencyCycles ${ge.latency} + ${ge.occ} cycle(s) of occupancy per word), in-order responses; undecoded addresses answered with 0xBADCAB1E` });
      continue;
    }
    if (i.kind === 'memory' && p.level !== 'external') {
      const r = memGeom(p);
      if (r.geom === undefined) {
        for (const e of r.errors) err(n, e.param, `${n}.${e.param}: ${e.message}`, e.hint);
        continue;
      }
      const ge = r.geom;
      impls.set(n, { t: 'mem', geom: ge, module: memModuleName(ge), note: `L2 memory: ${ge.banks} banks x ${ge.bankWords} words x ${ge.wordBytes * 8} bits (SRAM macros), ${ge.ports} port(s); a port accepts a word every ${ge.occ} cycle(s), response ${ge.latency + ge.occ} cycles after the grant (the simulator's latencyCycles + ceil(word / bandwidthBytesPerCycle)); one word per request` });
      continue;
    }
    if (i.kind === 'event-unit') {
      const r = euGeom(p);
      if (r.geom === undefined) {
        for (const e of r.errors) err(n, e.param, `${n}.${e.param}: ${e.message}`, e.hint);
        continue;
      }
      const ge = r.geom;
      impls.set(n, { t: 'eu', geom: ge, module: euModuleName(ge), note: `${ge.cores} sync port(s) (bar, evset, evwait, wfe by address bits 3:2), ${ge.barriers} barrier(s) of every core, irq[k] -> event ${EU_IRQ_BASE} + k; requests take effect ${ge.req} cycles after the grant, released cores answer ${ge.wake} cycles after the release (the simulator's timing)` });
      continue;
    }
    // black box, named by kind and port shape
    const sig = i.ports.map((q) => `${q.name}:${q.role}:${q.widthBits}:${q.count ?? 0}`).join(',');
    const byKind = bbSignatures.get(i.kind) ?? new Map<string, string>();
    bbSignatures.set(i.kind, byKind);
    if (!byKind.has(sig)) byKind.set(sig, n);
    impls.set(n, { t: 'bb', module: '', note: bbNote(i.kind) });
  }
  // black-box module names: es_<kind>, or with the port shape when one kind has several
  const bbName = new Map<string, string>();
  for (const [kind, sigs] of bbSignatures) {
    for (const [sig, firstInst] of sigs) {
      const inst = g.instances[firstInst]!;
      const shape = inst.ports.map((q) => `${verilogName(q.name)}${q.count ?? 1}w${q.widthBits}`).join('_');
      bbName.set(`${kind}|${sig}`, sigs.size === 1 ? `es_${verilogName(kind)}` : `es_${verilogName(kind)}_${shape}`);
    }
  }
  for (const [n, i] of Object.entries(g.instances)) {
    const im = impls.get(n);
    if (im?.t !== 'bb') continue;
    const sig = i.ports.map((q) => `${q.name}:${q.role}:${q.widthBits}:${q.count ?? 0}`).join(',');
    impls.set(n, { ...im, module: bbName.get(`${i.kind}|${sig}`)! });
  }

  // ---- connection checks
  for (const c of g.connections) {
    const fromPort = g.instances[c.from.instance]?.ports.find((q) => q.name === c.from.port);
    if (fromPort !== undefined && (fromPort.role === 'initiator' || fromPort.role === 'target')) {
      if (c.fromWidthBits > c.toWidthBits) err(c.from.instance, undefined, `connection ${c.from.instance}.${c.from.port} -> ${c.to.instance}.${c.to.port}: a ${c.fromWidthBits}-bit initiator on a ${c.toWidthBits}-bit target has no RTL (only narrower initiators are zero-extended)`);
      for (const w of [c.fromWidthBits, c.toWidthBits]) if (w % 8 !== 0) err(c.from.instance, undefined, `connection ${c.from.instance}.${c.from.port} -> ${c.to.instance}.${c.to.port}: ${w}-bit data is not whole bytes`);
    }
  }
  const usedClocks = Object.values(g.clocks).filter((d) => Object.values(g.instances).some((i) => i.clock === d.name));
  if (diagnostics.some((d) => d.severity === 'error')) return { files: new Map(), diagnostics };

  // ---- files
  const files = new Map<string, string>();
  const rtl: string[] = [];
  const models: string[] = [];
  const stubs: string[] = [];
  const macros: RtlMacro[] = [];
  const addRtl = (module: string, text: string): void => {
    const path = `rtl/${module}.v`;
    if (!files.has(path)) rtl.push(path);
    files.set(path, text);
  };
  const addMacro = (name: string, kind: RtlMacro['kind'], doc: string, ports: readonly PortDecl[], model: string): void => {
    if (macros.some((m) => m.name === name)) return;
    const m: RtlMacro = { name, kind, doc, stub: `macros/${name}_bb.v`, model: `models/${name}.v`, liberty: `macros/${name}.lib` };
    macros.push(m);
    files.set(m.stub, emitStub({ name, ports, doc }));
    files.set(m.liberty, emitLiberty({ name, ports }));
    files.set(m.model, model);
    stubs.push(m.stub);
    models.push(m.model);
  };

  const tbSpms: TbSpm[] = [];
  const tbPes: TbPe[] = [];
  const tbAimcs: TbAimc[] = [];
  const tbDmas: TbDma[] = [];
  const tbXbars: TbXbar[] = [];
  const tbMems: TbMem[] = [];
  const tbEus: TbEu[] = [];
  const vectors = new Map<string, string>();
  /** The scratchpad core of a geometry and its bank macro (scratchpads and L2 memories). */
  const addBanks = (ge: SpmGeom, what: string): void => {
    addRtl(spmModuleName(ge), emitSpm(ge));
    addMacro(sramMacroName(ge), 'sram', `a ${ge.bankWords} x ${ge.wordBytes * 8}-bit single-port SRAM with byte enables (one ${what} bank)`, sramPorts(ge), emitSramModel(ge));
  };
  if ([...impls.values()].some((m) => m.t === 'spm' || m.t === 'mem' || (m.t === 'xbar' && m.geom.n > 1))) addRtl('es_rr_arb', emitRrArbiter());
  for (const [n, im] of impls) {
    const i = g.instances[n]!;
    const v = vname.get(n)!;
    if (im.t === 'spm') {
      addBanks(im.geom, 'scratchpad');
      const rng = deriveRng(opts.seed ?? 1, n, 'rtl-spm');
      const rounds = spmScenario(im.geom, rng);
      const exp = spmExpect(im.geom, rounds);
      vectors.set(`tb/vectors/${v}_spm.hex`, spmVectors(im.geom, rounds, exp));
      tbSpms.push({ inst: v, geom: im.geom, rounds: rounds.length });
    } else if (im.t === 'pe') {
      addRtl(peModuleName(im.geom), emitPe(im.geom));
      addRtl(im.module, im.geom.dataflow === 'ws' ? emitPeArrayWs(im.geom) : emitPeArray(im.geom));
      const tiles = peScenario(im.geom, deriveRng(opts.seed ?? 1, n, 'rtl-pe'));
      const pv = peVectors(im.geom, tiles);
      vectors.set(`tb/vectors/${v}_pe_steps.hex`, pv.steps);
      vectors.set(`tb/vectors/${v}_pe_tiles.hex`, pv.tiles);
      vectors.set(`tb/vectors/${v}_pe_expect.hex`, pv.expect);
      if (pv.wload !== undefined) vectors.set(`tb/vectors/${v}_pe_wload.hex`, pv.wload);
      tbPes.push({ inst: v, geom: im.geom, tiles });
    } else if (im.t === 'aimc') {
      addRtl(im.module, emitAimcTile(im.geom));
      const xb = aimcXbarName(im.geom);
      addMacro(xb, 'crossbar', `AIMC crossbar ${im.geom.k} x ${im.geom.n} with its ADCs; digital codes at the boundary (pulse codes in, ADC codes out); the model's LATENCY is the simulator's MVM time in cycles less the periphery's register stages`, aimcXbarPorts(im.geom), emitAimcXbarModel(im.geom));
      const t = aimcScenario(im.geom, deriveRng(opts.seed ?? 1, n, 'rtl-aimc'));
      const av = aimcVectors(im.geom, t);
      vectors.set(`tb/vectors/${v}_aimc_prog.hex`, av.prog);
      vectors.set(`tb/vectors/${v}_aimc_x.hex`, av.x);
      vectors.set(`tb/vectors/${v}_aimc_scale.hex`, av.scale);
      vectors.set(`tb/vectors/${v}_aimc_y.hex`, av.y);
      tbAimcs.push({ inst: v, geom: im.geom, test: t });
    } else if (im.t === 'dma') {
      addRtl(im.module, emitDma(im.geom));
      if (im.geom.windows.length > 0) {
        const t = dmaScenario(im.geom, im.timing, dmaExtBase(g, n, im.geom.windows), deriveRng(opts.seed ?? 1, n, 'rtl-dma'));
        const dv = dmaVectors(t);
        vectors.set(`tb/vectors/${v}_dma_mem.hex`, dv.mem);
        vectors.set(`tb/vectors/${v}_dma_expect.hex`, dv.expect);
        vectors.set(`tb/vectors/${v}_dma_xfers.hex`, dv.xfers);
        tbDmas.push({ inst: v, geom: im.geom, test: t, cfgBase: g.addressMap.find((r) => r.target === n)?.base ?? 0 });
      }
    } else if (im.t === 'xbar') {
      addRtl(im.module, emitXbar(im.geom));
      const rounds = xbarScenario(im.geom, deriveRng(opts.seed ?? 1, n, 'rtl-xbar'));
      if (rounds.length > 0) {
        vectors.set(`tb/vectors/${v}_xbar.hex`, xbarVectors(im.geom, rounds, xbarExpect(im.geom, rounds)));
        tbXbars.push({ inst: v, geom: im.geom, rounds: rounds.length });
      }
    } else if (im.t === 'mem') {
      addBanks(im.geom, 'L2 memory');
      addRtl(im.module, emitMem(im.geom));
      const acc = memScenario(im.geom, deriveRng(opts.seed ?? 1, n, 'rtl-mem'));
      const exp = memExpect(im.geom, acc);
      vectors.set(`tb/vectors/${v}_mem.hex`, memVectors(im.geom, acc, exp, g.addressMap.find((r) => r.target === n)?.base ?? 0));
      tbMems.push({ inst: v, geom: im.geom, perPort: Array.from({ length: im.geom.ports }, (_, q) => acc.filter((a) => a.port === q).length), last: Math.max(...exp.map((e) => e.resp)) });
    } else if (im.t === 'eu') {
      addRtl(im.module, emitEu(im.geom));
      const t = euScenario(im.geom, deriveRng(opts.seed ?? 1, n, 'rtl-eu'));
      const exp = euExpect(im.geom, t);
      vectors.set(`tb/vectors/${v}_eu.hex`, euVectors(t, exp));
      tbEus.push({ inst: v, geom: im.geom, test: t, requests: exp.reduce((s, l) => s + l.length, 0), last: Math.max(...exp.flat().map((e) => e.resp)) });
    } else {
      const doc = `the ${i.kind} '${n}' (${im.note})`;
      addMacro(im.module, 'black-box', `${i.kind}: ${im.note}`, kindPorts(i.ports), kindModel(im.module, i.ports, doc));
    }
  }
  addRtl(top, emitTop(g, top, impls, vname, usedClocks));
  addRtl(`${top}_units`, emitUnits(top, tbSpms, tbPes, tbAimcs, tbDmas, tbXbars, tbMems, tbEus));
  const tbPath = `tb/tb_${top}.v`;
  files.set(tbPath, emitTestbench(top, tbSpms, tbPes, tbAimcs, tbDmas, tbXbars, tbMems, tbEus));
  for (const [k, t] of vectors) files.set(k, t);

  // parameter headers
  const params: Record<string, Record<string, unknown>> = {};
  for (const [n, i] of Object.entries(g.instances)) params[n] = plainParams(i);
  const H = top.toUpperCase();
  const defs: [string, string][] = [];
  for (const d of usedClocks) defs.push([`${H}_CLK_${verilogName(d.name).toUpperCase()}_PERIOD_PS`, String(d.periodPs)]);
  for (const [n, im] of impls) {
    const p = `${H}_${vname.get(n)!.toUpperCase()}`;
    if (im.t === 'spm') {
      const { dw } = spmWidths(im.geom);
      defs.push([`${p}_PORTS`, String(im.geom.ports)], [`${p}_BANKS`, String(im.geom.banks)], [`${p}_BANK_WORDS`, String(im.geom.bankWords)], [`${p}_WORD_BITS`, String(dw)], [`${p}_SIZE_BYTES`, String(im.geom.banks * im.geom.bankWords * im.geom.wordBytes)]);
    } else if (im.t === 'aimc') {
      defs.push([`${p}_INPUTS`, String(im.geom.k)], [`${p}_OUTPUTS`, String(im.geom.n)], [`${p}_INPUT_BITS`, String(im.geom.ib)], [`${p}_ADC_BITS`, String(im.geom.adcBits)], [`${p}_MVM_CYCLES`, String(im.geom.latency)], [`${p}_DAC_PHASES`, String(im.geom.phases)]);
    } else if (im.t === 'pe') {
      defs.push([`${p}_ROWS`, String(im.geom.rows)], [`${p}_COLS`, String(im.geom.cols)], [`${p}_OPERAND_BITS`, String(im.geom.w)], [`${p}_ACC_BITS`, String(im.geom.acc)]);
    } else if (im.t === 'mem') {
      defs.push([`${p}_PORTS`, String(im.geom.ports)], [`${p}_BANKS`, String(im.geom.banks)], [`${p}_BANK_WORDS`, String(im.geom.bankWords)], [`${p}_WORD_BITS`, String(im.geom.wordBytes * 8)], [`${p}_RESPONSE_CYCLES`, String(im.geom.latency + im.geom.occ)]);
    } else if (im.t === 'eu') {
      defs.push([`${p}_CORES`, String(im.geom.cores)], [`${p}_BARRIERS`, String(im.geom.barriers)], ...Object.entries(EU_OPS).map(([k, o]) => [`${p}_OP_${k.toUpperCase()}`, String(o * 4)] as [string, string]));
    } else if (im.t === 'xbar') {
      defs.push([`${p}_INPUTS`, String(im.geom.n)], [`${p}_OUTPUTS`, String(im.geom.m)], [`${p}_DATA_BITS`, String(im.geom.w)], [`${p}_PIPELINE_CYCLES`, String(xbarStages(im.geom))]);
    } else if (im.t === 'dma') {
      defs.push([`${p}_LOCAL_PORTS`, String(im.geom.locals)], [`${p}_LOCAL_BITS`, String(im.geom.lb * 8)], [`${p}_EXT_BITS`, String(im.geom.eb * 8)], [`${p}_MAX_BURST_BYTES`, String(im.geom.maxBurst)], [`${p}_MAX_TRANSFER_BYTES`, String(im.geom.maxTransfer)]);
      defs.push(...Object.entries({ SRC: 0x00, DST: 0x04, BYTES: 0x08, ROWS: 0x0c, SRC_STRIDE: 0x10, DST_STRIDE: 0x14, CMD: 0x18, STATUS: 0x1c }).map(([k, o]) => [`${p}_REG_${k}`, String(o)] as [string, string]));
    }
  }
  const regionDefs = g.addressMap.map((r) => [`${H}_${verilogName(r.target).toUpperCase()}_BASE`, `0x${r.base.toString(16).toUpperCase().padStart(8, '0')}`] as const);
  files.set(`rtl/${top}_params.vh`, `// ${top}_params.vh: parameters of ${g.platform} as generated (\`include it with +incdir+rtl; defines only).\n// Generated by edgesim (src/rtl); do not edit: regenerate from the platform YAML.\n\`ifndef ${H}_PARAMS_VH\n\`define ${H}_PARAMS_VH\n${defs.map(([k, v]) => `\`define ${k} ${v}`).join('\n')}\n${regionDefs.map(([k, v]) => `\`define ${k} 32'h${v.slice(2)}`).join('\n')}\n\`endif\n`);
  files.set(`sw/${top}_params.h`, `/* ${top}_params.h: parameters of ${g.platform} for firmware, generated by edgesim (src/rtl); do not edit. */\n#ifndef ${H}_PARAMS_H\n#define ${H}_PARAMS_H\n\n${defs.map(([k, v]) => `#define ${k} ${v}`).join('\n')}\n${regionDefs.map(([k, v]) => `#define ${k} ${v}u`).join('\n')}\n\n#endif /* ${H}_PARAMS_H */\n`);

  // file lists, constraints, synthesis script
  rtl.sort();
  models.sort();
  stubs.sort();
  const simList = [...rtl, ...models, tbPath];
  const synList = [...rtl, ...stubs];
  files.set('filelist_rtl.f', `${rtl.join('\n')}\n`);
  files.set('filelist_sim.f', `${simList.join('\n')}\n`);
  files.set('filelist_syn.f', `${synList.join('\n')}\n`);
  files.set(`constraints/${top}.sdc`, emitSdc(g, top, usedClocks));
  files.set('syn/synth.ys', emitSynth(top, synList));
  files.set('syn/gate_level.ys', emitGateLevel(top, synList));
  const sramModels = macros.filter((x) => x.kind !== 'black-box').map((x) => x.model).sort();
  files.set('filelist_gl.f', `${[`syn/${top}_units_netlist.v`, ...sramModels, tbPath].join('\n')}\n`);

  const manifestBase = {
    generator: 'edgesim-rtl',
    version: RTL_GENERATOR_VERSION,
    platform: g.platform,
    yamlSha256: opts.yamlSha256 ?? (opts.yamlText === undefined ? null : sha256Hex(opts.yamlText)),
    ciSize: opts.ciSize === true,
    top,
    testbench: `tb_${top}`,
    clocks: usedClocks.map((d) => ({ name: d.name, port: clockPort(d), periodNs: d.periodPs / 1000 })),
    instances: Object.entries(g.instances).map(([n, i]) => {
      const im = impls.get(n)!;
      return { name: n, verilog: `u_${vname.get(n)!}`, kind: i.kind, module: im.module, rtl: im.t !== 'bb', ...(im.t === 'spm' ? {} : { note: im.note }) };
    }),
    parameters: params,
    macros,
    lists: { rtl, sim: simList, syn: synList },
  };
  files.set('README.md', emitReadme(g, manifestBase, diagnostics));
  const allFiles = [...files.keys(), 'manifest.json'].sort();
  const manifest: RtlManifest = { ...manifestBase, files: allFiles };
  files.set('manifest.json', `${JSON.stringify(manifest, null, 2)}\n`);
  const sorted = new Map([...files.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)));
  return { files: sorted, manifest, diagnostics };
}

function bbNote(kind: string): string {
  switch (kind) {
    case 'core': return 'RISC-V core: not generated (use a CV32E40P-class core); its ports are the platform ports in the request/grant protocol';
    case 'dma': return 'DMA engine: not generated yet';
    case 'memory': return 'off-chip memory (level: external): a DRAM controller and PHY outside the generated design; the simulator models it like L2 (fixed latency, bandwidth), the generator does not build DRAM';
    case 'aimc-tile': return 'AIMC tile of a configuration without RTL (a fractional ADC step, outputs beyond 2^29, bit-serial phases shorter than 3 cycles, an MVM shorter than 5 cycles)';
    case 'pe-array': return 'PE array of a PE type without RTL (fp32)';
    default: return `${kind}: no RTL`;
  }
}

const clockPort = (d: ClockDomain): string => `clk_${verilogName(d.name)}_i`;

/** The wire of one signal of one port element in the top level. */
const wireName = (inst: string, p: PortSpec, idx: number, s: BundleSignal): string =>
  `${inst}_${verilogName(p.name)}${p.count === undefined ? '' : `_${idx}`}${s.sig === '' ? '' : `_${s.sig}`}`;

function emitTop(g: PlatformGraph, top: string, impls: ReadonlyMap<string, Impl>, vname: ReadonlyMap<string, string>, clocks: readonly ClockDomain[]): string {
  const ports: PortDecl[] = [...clocks.map((d) => ({ dir: 'input' as const, name: clockPort(d), width: 1 })), { dir: 'input', name: 'rst_ni', width: 1 }];
  const decl: string[] = [];
  const inst: string[] = [];
  const assigns: string[] = [];
  const sinks: { expr: string; width: number }[] = [];
  // bound elements: key inst|port|idx -> connection partner
  const bound = new Map<string, { inst: string; port: PortSpec; idx: number; width: number; selfWidth: number }>();
  for (const c of g.connections) {
    const fi = g.instances[c.from.instance]!;
    const ti = g.instances[c.to.instance]!;
    const fp = fi.ports.find((q) => q.name === c.from.port)!;
    const tp = ti.ports.find((q) => q.name === c.to.port)!;
    bound.set(`${c.from.instance}|${c.from.port}|${c.from.index ?? 0}`, { inst: c.to.instance, port: tp, idx: c.to.index ?? 0, width: c.toWidthBits, selfWidth: c.fromWidthBits });
    bound.set(`${c.to.instance}|${c.to.port}|${c.to.index ?? 0}`, { inst: c.from.instance, port: fp, idx: c.from.index ?? 0, width: c.fromWidthBits, selfWidth: c.toWidthBits });
  }
  for (const [n, i] of Object.entries(g.instances)) {
    const im = impls.get(n)!;
    const v = vname.get(n)!;
    const implemented = (p: PortSpec, e: number): boolean => im.t === 'bb' || im.t === 'xbar' || im.t === 'eu' || ((im.t === 'spm' || im.t === 'mem') && p.name === 'mem') || (im.t === 'dma' && (p.name !== 'local' || im.locals.includes(e)));
    for (const p of i.ports) {
      for (let e = 0; e < elements(p); e++) {
        const partner = bound.get(`${n}|${p.name}|${e}`);
        for (const s of bundleSignals(p)) {
          const w = wireName(v, p, e, s);
          decl.push(`  wire ${range(s.width)}${w};`);
          if (s.out) {
            if (!implemented(p, e)) assigns.push(`  assign ${w} = ${s.width}'d0;`);
            if (partner === undefined) sinks.push({ expr: w, width: s.width });
          } else {
            if (!implemented(p, e)) sinks.push({ expr: w, width: s.width });
            if (partner === undefined) assigns.push(`  assign ${w} = ${s.width}'d0;`);
            else {
              const ps = bundleSignals(partner.port).find((x) => x.sig === s.sig)!;
              const pw = wireName(vname.get(partner.inst)!, partner.port, partner.idx, ps);
              if (!s.data || ps.width === s.width) assigns.push(`  assign ${w} = ${pw};`);
              else if (ps.width < s.width) assigns.push(`  assign ${w} = {${s.width - ps.width}'d0, ${pw}};`);
              else {
                assigns.push(`  assign ${w} = ${pw}[${s.width - 1}:0];`);
                sinks.push({ expr: `${pw}[${ps.width - 1}:${s.width}]`, width: ps.width - s.width });
              }
            }
          }
        }
      }
    }
    // instance
    const conns: string[] = [`.clk_i(${clockPort(g.clocks[i.clock]!)})`, '.rst_ni(rst_ni)'];
    const cat = (p: PortSpec, s: BundleSignal): string => {
      const ws = Array.from({ length: elements(p) }, (_, e) => wireName(v, p, elements(p) - 1 - e, s));
      return ws.length === 1 ? ws[0]! : `{${ws.join(', ')}}`;
    };
    /** Every port of the instance, bundle by bundle, to the module's ports of the same names. */
    const allConns = (): void => {
      for (const p of i.ports) for (const s of bundleSignals(p)) conns.push(`.${modulePortName(p, s)}(${cat(p, s)})`);
    };
    /** The `mem` target bundle to the module's unprefixed `req_i .. rdata_o` (scratchpads, L2 memories). */
    const memConns = (): void => {
      const mem = i.ports.find((q) => q.name === 'mem')!;
      for (const s of bundleSignals(mem)) conns.push(`.${s.sig}_${s.out ? 'o' : 'i'}(${cat(mem, s)})`);
    };
    /** The instance, after a comment line (and `prefix` lines, e.g. attributes), with `conns`. */
    const place = (comment: string, prefix = '', module: string = im.module): void => {
      inst.push(`  // ${n}: ${comment}\n${prefix}  ${module} u_${v} (\n    ${conns.join(',\n    ')}\n  );`);
    };
    if (im.t === 'bb') {
      allConns();
      place(`${i.kind}, black box (${im.note}); keep: synthesis must not drop it (the top level has no other outputs)`, '  (* keep *)\n');
    } else if (im.t === 'eu') {
      allConns();
      place(`event-unit (${im.note})`);
    } else if (im.t === 'mem') {
      memConns();
      place(`memory (${im.note})`);
    } else if (im.t === 'xbar') {
      allConns();
      place(`xbar, ${im.geom.n} inputs x ${im.geom.m} outputs, ${im.geom.w}-bit data (${im.note})`);
    } else if (im.t === 'spm') {
      memConns();
      place(`scratchpad, ${im.geom.banks} banks x ${im.geom.bankWords} words x ${im.geom.wordBytes * 8} bits, ${im.geom.ports} ports`);
    } else if (im.t === 'dma') {
      for (const p of i.ports) {
        for (const s of bundleSignals(p)) {
          if (p.name !== 'local') conns.push(`.${modulePortName(p, s)}(${cat(p, s)})`);
          else {
            const ws = [...im.locals].reverse().map((e) => wireName(v, p, e, s));
            conns.push(`.${modulePortName(p, s)}(${ws.length === 1 ? ws[0]! : `{${ws.join(', ')}}`})`);
          }
        }
      }
      place(`dma, ${im.geom.locals} local ports (${im.locals.map((e) => `local[${e}]`).join(', ')}) x ${im.geom.lb * 8} bits, ext ${im.geom.eb * 8} bits, bursts of ${im.geom.maxBurst} B`, '', `${im.module} ${dmaParamOverrides(im.geom)}`.trimEnd());
    } else if (im.t === 'aimc') {
      const pre = `${v}_`;
      for (const q of aimcTilePorts(im.geom).slice(2)) {
        ports.push({ ...q, name: `${pre}${q.name}` });
        conns.push(`.${q.name}(${pre}${q.name})`);
      }
      place(`aimc-tile, ${im.geom.k} inputs x ${im.geom.n} outputs, digital periphery + crossbar macro (${im.note})`);
    } else {
      const ge = im.geom;
      const pre = `${v}_`;
      if (ge.dataflow === 'ws') {
        ports.push(
          { dir: 'input', name: `${pre}wload_i`, width: 1 },
          { dir: 'input', name: `${pre}w_i`, width: ge.cols * ge.wb },
          { dir: 'input', name: `${pre}in_valid_i`, width: 1 },
          { dir: 'input', name: `${pre}in_last_i`, width: 1 },
          { dir: 'input', name: `${pre}a_i`, width: ge.rows * ge.w },
          { dir: 'output', name: `${pre}out_valid_o`, width: ge.cols },
          { dir: 'output', name: `${pre}out_o`, width: ge.cols * ge.acc },
          { dir: 'output', name: `${pre}done_o`, width: 1 },
        );
        conns.push(...['wload_i', 'w_i', 'in_valid_i', 'in_last_i', 'a_i', 'out_valid_o', 'out_o', 'done_o'].map((s) => `.${s}(${pre}${s})`));
      } else {
        ports.push(
          { dir: 'input', name: `${pre}in_valid_i`, width: 1 },
          { dir: 'input', name: `${pre}in_first_i`, width: 1 },
          { dir: 'input', name: `${pre}in_last_i`, width: 1 },
          { dir: 'input', name: `${pre}a_i`, width: ge.rows * ge.w },
          { dir: 'input', name: `${pre}b_i`, width: ge.cols * ge.wb },
          { dir: 'output', name: `${pre}done_o`, width: 1 },
          { dir: 'output', name: `${pre}acc_o`, width: ge.rows * ge.cols * ge.acc },
        );
        conns.push(...['in_valid_i', 'in_first_i', 'in_last_i', 'a_i', 'b_i', 'done_o', 'acc_o'].map((s) => `.${s}(${pre}${s})`));
      }
      place(`pe-array, ${ge.rows} x ${ge.cols} ${ge.peType} PEs, ${ge.dataflow === 'ws' ? 'weight' : 'output'} stationary, ${ge.acc}-bit accumulators (${im.note})`, '', `${im.module} #(.ROWS(${ge.rows}), .COLS(${ge.cols}))`);
    }
  }
  const L: string[] = [fileHeader(`${top}: top level of platform '${g.platform}': every instance of the YAML, connected as its connections say (request/grant bundles, events).`)];
  L.push(`module ${top} (\n${portList(ports)}\n);`);
  L.push(...decl);
  L.push('');
  L.push(...assigns);
  L.push('');
  L.push(inst.join('\n\n'));
  if (sinks.length > 0) {
    const w = sinks.reduce((s, x) => s + x.width, 0);
    L.push('');
    L.push(`  // outputs nobody reads and inputs of ports the generated blocks do not implement`);
    L.push(`  wire ${range(w)}unused_sink = {\n    ${sinks.map((s) => s.expr).join(',\n    ')}\n  };`);
  }
  L.push('endmodule');
  L.push(FILE_FOOTER);
  return L.join('\n');
}

function emitSdc(g: PlatformGraph, top: string, clocks: readonly ClockDomain[]): string {
  const L: string[] = [`# ${top}.sdc: clocks of platform '${g.platform}' from its YAML; generated by edgesim (src/rtl).`, '# Uncertainty and I/O delays are placeholders (10% and 20% of the period).'];
  for (const d of clocks) {
    const ns = (d.periodPs / 1000).toFixed(3);
    L.push(`create_clock -name ${verilogName(d.name)} -period ${ns} [get_ports ${clockPort(d)}]`);
    L.push(`set_clock_uncertainty ${(d.periodPs / 10000).toFixed(3)} [get_clocks ${verilogName(d.name)}]`);
  }
  const first = clocks[0];
  if (first !== undefined) {
    const io = (first.periodPs / 5000).toFixed(3);
    const clkPorts = clocks.map(clockPort).join(' ');
    L.push(`set_input_delay ${io} -clock ${verilogName(first.name)} [remove_from_collection [all_inputs] [get_ports {${clkPorts} rst_ni}]]`);
    L.push(`set_output_delay ${io} -clock ${verilogName(first.name)} [all_outputs]`);
  }
  L.push('set_false_path -from [get_ports rst_ni]');
  if (clocks.length > 1) L.push(`set_clock_groups -asynchronous ${clocks.map((d) => `-group [get_clocks ${verilogName(d.name)}]`).join(' ')}`);
  return `${L.join('\n')}\n`;
}

function emitSynth(top: string, files: readonly string[]): string {
  return `# Yosys script (run from the output folder: yosys -s syn/synth.ys). Generated by edgesim (src/rtl).
# Macros and black boxes are read as (* blackbox *) stubs; their Liberty stubs are in macros/*.lib.
${files.map((f) => `read_verilog ${f}`).join('\n')}
hierarchy -check -top ${top}
synth -top ${top}
check -assert
tee -q -o syn/stat.txt stat
stat
write_verilog -noattr syn/${top}_netlist.v
`;
}

function emitGateLevel(top: string, files: readonly string[]): string {
  return `# Yosys script for the gate-level simulation (run from the output folder: yosys -s syn/gate_level.ys).
# Synthesizes ${top}_units (the units the testbench drives) flat, SRAM macros kept as black boxes,
# and writes syn/${top}_units_netlist.v; then: iverilog -g2012 -o gl.vvp -s tb_${top} -f filelist_gl.f && vvp -n gl.vvp
${files.map((f) => `read_verilog ${f}`).join('\n')}
hierarchy -check -top ${top}_units
synth -flatten -top ${top}_units
check -assert
write_verilog -noattr syn/${top}_units_netlist.v
`;
}

function emitReadme(g: PlatformGraph, m: Omit<RtlManifest, 'files'>, diags: readonly Diagnostic[]): string {
  const top = m.top;
  const rtlInst = m.instances.filter((i) => i.rtl);
  const bb = m.instances.filter((i) => !i.rtl);
  return `# RTL of platform \`${g.platform}\`${m.ciSize ? ' (CI size)' : ''}

Generated by edgesim ${m.version} (\`edgesim rtl\`) from \`${g.file}\`${m.yamlSha256 === null ? '' : ` (sha256 ${m.yamlSha256})`}.
Do not edit: regenerate. Top module: \`${top}\`. Testbench: \`${m.testbench}\`.
${m.ciSize ? '\nCI size: PE arrays at most 4 x 4, scratchpads and L2 memories at most 4 banks of 16 words, AIMC tiles at most 16 rows and 8 columns (or the columns of 4 outputs; see manifest.json for the values used).\n' : ''}
## Clocks

${m.clocks.map((c) => `- \`${c.port}\`: ${c.name}, ${c.periodNs} ns`).join('\n')}
- \`rst_ni\`: asynchronous active-low reset of every flop.

## Instances

Generated RTL:
${rtlInst.map((i) => `- \`${i.verilog}\` (${i.kind}): \`${i.module}\`${i.note === undefined ? '' : `; ${i.note}`}`).join('\n') || '- none'}

Black boxes (\`macros/<name>_bb.v\` port-only stub for synthesis, \`macros/<name>.lib\` Liberty stub, \`models/<name>.v\` behavioural model for simulation):
${bb.map((i) => `- \`${i.verilog}\` (${i.kind}): \`${i.module}\``).join('\n') || '- none'}
${m.macros.filter((x) => x.kind !== 'black-box').map((x) => `- ${x.kind === 'sram' ? 'SRAM' : 'crossbar'} macro \`${x.name}\`: ${x.doc}`).join('\n')}
${diags.length === 0 ? '' : `\n## Generator notes\n\n${diags.map((d) => `- ${d.severity}: ${d.message}`).join('\n')}\n`}
## Files

- \`rtl/\`: one module per file, file name = module name; \`rtl/${top}_params.vh\` and \`sw/${top}_params.h\`: parameters.
- \`models/\`, \`macros/\`: behavioural models; black-box and Liberty stubs.
- \`filelist_rtl.f\` (RTL), \`filelist_sim.f\` (RTL + models + testbench), \`filelist_syn.f\` (RTL + stubs), \`filelist_gl.f\` (gate-level netlist of \`${top}_units\` + SRAM and crossbar models + testbench); paths relative to this folder.
- \`constraints/${top}.sdc\`, \`syn/synth.ys\`, \`tb/${m.testbench}.v\`, \`tb/vectors/*.hex\` (stimulus and expected results from the edgesim TypeScript models).

## Commands (run in this folder)

Checked with Verilator 5.006, Icarus Verilog 11.0 and Yosys 0.23 (Debian bookworm).

\`\`\`sh
verilator --lint-only -Wall --top-module ${top} -f filelist_rtl.f ${m.macros.map((x) => x.model).join(' ')}
iverilog -g2012 -Wall -o /tmp/${top}.vvp -s ${top} -f filelist_rtl.f ${m.macros.map((x) => x.model).join(' ')}
iverilog -g2012 -o ${m.testbench}.vvp -s ${m.testbench} -f filelist_sim.f && vvp -n ${m.testbench}.vvp
verilator --binary -j 2 --top-module ${m.testbench} -Mdir obj_dir -o V${m.testbench} -f filelist_sim.f && ./obj_dir/V${m.testbench}
yosys -q -s syn/synth.ys
yosys -q -s syn/gate_level.ys && iverilog -g2012 -o gl.vvp -s ${m.testbench} -f filelist_gl.f && vvp -n gl.vvp
\`\`\`

The testbench prints \`${m.testbench}: N passed, M failed\` and ends with \`$fatal(1)\` on a failure.
`;
}
