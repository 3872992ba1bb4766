/**
 * Traces (src/trace): glob selection resolved once at elaboration, a VCD parsed back and checked
 * against the run's own records, the Perfetto / Chrome trace-event file checked against the
 * format's rules, and tracing changing nothing in the simulation's results.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCommand } from '../../src/cli/run-command.js';
import { runModelCommand } from '../../src/cli/run-model.js';
import { describe, expect, it } from 'vitest';
import { assembleOrThrow } from '../../src/isa/index.js';
import { CoreSim, Dma } from '../../src/modules/index.js';
import type { PlatformGraph } from '../../src/platform/index.js';
import { instantiate, runReport, startProgram, type Instantiated } from '../../src/sim/index.js';
import { TraceHub, formatPerfetto, formatVcd, globToRegExp, parseGlobList, perfettoTrace, selectPaths, type TraceEvent } from '../../src/trace/index.js';
import { cleanGraph, repoRoot } from '../helpers/repo.js';

const PULP = 'platforms/pulp-cluster.yaml';

function origin(g: PlatformGraph): number {
  const r = g.addressMap.find((x) => g.instances[x.target]?.kind === 'memory');
  return r!.base;
}

/** Runs test/fixtures/asm/<file> on every core of the platform, with an optional trace hub. */
function runProgram(g: PlatformGraph, file: string, trace?: TraceHub): Instantiated {
  const src = readFileSync(`${repoRoot}test/fixtures/asm/${file}`, 'utf8');
  const image = assembleOrThrow(src, { origin: origin(g) });
  const p = instantiate(g, trace === undefined ? {} : { trace });
  const cores = Object.values(g.instances).filter((n) => n.kind === 'core').map((n) => n.name);
  startProgram(p, cores, image);
  p.sim.run();
  trace?.finish(p.sim.now);
  return p;
}

// ---- a small VCD reader (IEEE 1364 §18): scopes, vars, value changes ----
interface VcdVar { readonly path: string; readonly width: number; readonly changes: [number, number][] }
function parseVcd(text: string): { timescale: string; vars: Map<string, VcdVar>; end: number } {
  const tokens = text.split(/\s+/).filter((t) => t !== '');
  const byId = new Map<string, VcdVar[]>();
  const vars = new Map<string, VcdVar>();
  const scope: string[] = [];
  let timescale = '';
  let t = 0;
  let i = 0;
  let defs = true;
  while (i < tokens.length) {
    const tok = tokens[i++]!;
    if (defs) {
      if (tok === '$scope') { scope.push(tokens[i + 1]!); i += 3; continue; }
      if (tok === '$upscope') { scope.pop(); i++; continue; }
      if (tok === '$timescale') { const parts: string[] = []; while (tokens[i] !== '$end') parts.push(tokens[i++]!); i++; timescale = parts.join(' '); continue; }
      if (tok === '$var') {
        const [, width, id, name] = [tokens[i], tokens[i + 1], tokens[i + 2], tokens[i + 3]];
        i += 5;
        const v: VcdVar = { path: [...scope, name!].join('.'), width: Number(width), changes: [] };
        vars.set(v.path, v);
        byId.set(id!, [...(byId.get(id!) ?? []), v]);
        continue;
      }
      if (tok === '$enddefinitions') { defs = false; i++; continue; }
      if (tok.startsWith('$')) { while (tokens[i] !== '$end') i++; i++; continue; }
      throw new Error(`unexpected ${tok} in the header`);
    }
    if (tok === '$dumpvars' || tok === '$end') continue;
    if (tok.startsWith('#')) {
      const nt = Number(tok.slice(1));
      expect(nt).toBeGreaterThanOrEqual(t); // times increase
      t = nt;
      continue;
    }
    let id: string;
    let val: number;
    if (tok.startsWith('b')) { val = parseInt(tok.slice(1), 2); id = tokens[i++]!; } else { val = Number(tok[0]); id = tok.slice(1); }
    const vs = byId.get(id);
    if (vs === undefined) throw new Error(`value change of undeclared id ${id}`);
    for (const v of vs) v.changes.push([t, val]);
  }
  return { timescale, vars, end: t };
}
/** The value of a variable at time `t` (the last change at or before t). */
const valueAt = (v: VcdVar, t: number): number => {
  let x = NaN;
  for (const [ct, cv] of v.changes) if (ct <= t) x = cv; else break;
  return x;
};

describe('glob selection', () => {
  it('matches * and ? over whole instance paths; exclude wins; unmatched globs are reported', () => {
    expect(globToRegExp('pe?').test('pe3')).toBe(true);
    expect(globToRegExp('pe?').test('pe10')).toBe(false);
    expect(globToRegExp('cluster.*').test('cluster.core0')).toBe(true);
    expect(globToRegExp('a.b').test('axb')).toBe(false); // the dot is literal
    const paths = ['pe0', 'pe1', 'pe10', 'l1', 'dma'];
    expect(selectPaths(paths).selected).toEqual(paths);
    const s = selectPaths(paths, ['pe*', 'dma', 'nope*'], ['pe1?', 'zzz']);
    expect(s.selected).toEqual(['pe0', 'pe1', 'dma']);
    expect(s.unmatched).toEqual([{ list: 'include', glob: 'nope*' }, { list: 'exclude', glob: 'zzz' }]);
    expect(parseGlobList(' pe*, ,l1 ')).toEqual(['pe*', 'l1']);
  });

  it('is resolved once at instantiation: unselected modules hold null recorders', () => {
    const g = cleanGraph(PULP);
    const hub = new TraceHub({ include: ['pe*', 'dma', 'l?'], exclude: ['pe7'] });
    const p = instantiate(g, { trace: hub });
    for (const [path, m] of p.modules) {
      const want = (/^pe[0-6]$/.test(path) || path === 'dma' || path === 'l1' || path === 'l2');
      expect(m.trace === null, path).toBe(!want);
      expect(m.busy.recorder === null, path).toBe(!want);
      if (want) expect(m.trace).toBe(hub.recorder(path));
    }
    expect(() => hub.resolve([{ path: 'x', kind: 'core' }])).toThrow(/already/);
    const off = new TraceHub({ enabled: false });
    const q = instantiate(g, { trace: off });
    expect([...q.modules.values()].every((m) => m.trace === null && m.busy.recorder === null)).toBe(true);
    expect(off.recorders).toEqual([]);
  });
});

describe('tracing changes nothing in the results', () => {
  it('no hub, a disabled hub and a full trace give the same report', () => {
    const g = cleanGraph(PULP);
    const report = (hub?: TraceHub): string => {
      const p = runProgram(g, 'dma_tile.s', hub);
      return JSON.stringify({ r: runReport(p.sim, p.modules.values(), p.skipped), exits: [...p.modules.values()].filter((m) => m instanceof CoreSim).map((c) => [c.exitTime, c.core.instructions]) });
    };
    const base = report();
    expect(report(new TraceHub({ enabled: false }))).toBe(base);
    expect(report(new TraceHub())).toBe(base);
  });
});

describe('VCD', () => {
  const g = cleanGraph(PULP);
  const hub = new TraceHub();
  const p = runProgram(g, 'dma_tile.s', hub);
  const vcd = parseVcd(formatVcd(hub, { comment: 'dma_tile.s' }));
  const dma = p.get('dma', Dma);

  it('has a 1 ps timescale, one scope per component and ends at the end of the run', () => {
    expect(vcd.timescale).toBe('1 ps');
    for (const m of p.modules.keys()) expect(vcd.vars.get(`${m}.busy`)?.width, m).toBe(1);
    expect(vcd.vars.get('dma.in_flight')?.width).toBe(32);
    expect(vcd.end).toBe(p.sim.now);
  });

  it('DMA transfers: the transfer variable holds the id from start to finish; in_flight counts submitted transfers', () => {
    const tv = vcd.vars.get('dma.transfer')!;
    const fl = vcd.vars.get('dma.in_flight')!;
    const busy = vcd.vars.get('dma.busy')!;
    expect(dma.transfers.size).toBeGreaterThan(0);
    for (const r of dma.transfers.values()) {
      const s = r.started!;
      const f = r.finished!;
      expect(valueAt(tv, s)).toBe(r.id);
      expect(valueAt(tv, f - 1)).toBe(r.id);
      expect(valueAt(tv, f)).not.toBe(r.id);
      // the variable changes exactly at the start and at the finish
      expect(tv.changes.some(([t, v]) => t === s && v === r.id)).toBe(true);
      expect(tv.changes.some(([t, v]) => t === f && v !== r.id)).toBe(true);
      expect(valueAt(busy, s)).toBe(1);
      expect(valueAt(fl, r.submitted)).toBeGreaterThanOrEqual(1);
    }
    const last = Math.max(...[...dma.transfers.values()].map((r) => r.finished!));
    expect(valueAt(fl, last)).toBe(0);
    expect(valueAt(busy, last)).toBe(0);
  });

  it('core busy wires: their total high time equals the busy time of the report', () => {
    for (const c of [...p.modules.values()].filter((m) => m instanceof CoreSim)) {
      const v = vcd.vars.get(`${c.path}.busy`)!;
      let high = 0;
      let since = -1;
      for (const [t, x] of v.changes) {
        if (x === 1 && since < 0) since = t;
        else if (x === 0 && since >= 0) { high += t - since; since = -1; }
      }
      expect(high, c.path).toBe(c.busy.total);
    }
  });
});

/** Checks the trace-event format's rules (JSON Object Format) on a file. */
function checkTraceEvents(file: { traceEvents: readonly TraceEvent[]; displayTimeUnit: string }, paths: readonly string[]): void {
  expect(['ms', 'ns']).toContain(file.displayTimeUnit);
  const names = new Map<number, string>();
  const starts = new Map<number, TraceEvent>();
  const ends = new Map<number, TraceEvent>();
  for (const e of file.traceEvents) {
    expect(typeof e.name, JSON.stringify(e)).toBe('string');
    expect(typeof e.pid).toBe('number');
    switch (e.ph) {
      case 'M':
        expect(['process_name', 'thread_name', 'thread_sort_index']).toContain(e.name);
        expect(e.args).toBeDefined();
        if (e.name === 'thread_name') names.set(e.tid!, String(e.args!['name']));
        break;
      case 'X':
        expect(Number.isFinite(e.ts) && Number.isFinite(e.dur)).toBe(true);
        expect(e.dur!).toBeGreaterThanOrEqual(0);
        expect(typeof e.tid).toBe('number');
        break;
      case 's':
      case 'f':
        expect(Number.isInteger(e.id)).toBe(true);
        expect(Number.isFinite(e.ts)).toBe(true);
        expect(typeof e.cat).toBe('string');
        (e.ph === 's' ? starts : ends).set(e.id!, e);
        if (e.ph === 'f') expect(e.bp).toBe('e');
        break;
      case 'C':
        expect(Number.isFinite(e.ts)).toBe(true);
        expect(Object.values(e.args ?? {}).every((v) => typeof v === 'number')).toBe(true);
        break;
      default:
        throw new Error(`unexpected phase ${String(e.ph)}`);
    }
  }
  // every track is named by an instance path (or is an extra track given); flows start and end in pairs, not backwards in time
  expect([...names.values()].sort()).toEqual([...paths].sort());
  expect([...starts.keys()].sort((a, b) => a - b)).toEqual([...ends.keys()].sort((a, b) => a - b));
  for (const [id, s] of starts) expect(ends.get(id)!.ts!).toBeGreaterThanOrEqual(s.ts!);
  // slices of a track nest or are disjoint (what a track's stack needs)
  const byTid = new Map<number, TraceEvent[]>();
  for (const e of file.traceEvents) if (e.ph === 'X') byTid.set(e.tid!, [...(byTid.get(e.tid!) ?? []), e]);
  for (const xs of byTid.values()) {
    const sorted = [...xs].sort((a, b) => a.ts! - b.ts! || b.dur! - a.dur!);
    const stack: number[] = [];
    for (const e of sorted) {
      while (stack.length > 0 && stack[stack.length - 1]! <= e.ts! + 1e-9) stack.pop();
      const end = e.ts! + e.dur!;
      if (stack.length > 0) expect(end).toBeLessThanOrEqual(stack[stack.length - 1]! + 1e-9);
      stack.push(end);
    }
  }
}

describe('Perfetto / Chrome trace-event JSON', () => {
  it('follows the format on a DMA program; times are the run\'s in microseconds; flows pair submission and completion', () => {
    const g = cleanGraph(PULP);
    const hub = new TraceHub({ exclude: ['axi'] });
    const p = runProgram(g, 'dma_tile.s', hub);
    const text = formatPerfetto(hub, { processName: 'test' });
    const file = JSON.parse(text) as { traceEvents: TraceEvent[]; displayTimeUnit: string };
    checkTraceEvents(file, [...p.modules.keys()].filter((k) => k !== 'axi'));
    expect(file).toEqual(JSON.parse(JSON.stringify(perfettoTrace(hub, { processName: 'test' }))));
    const dma = p.get('dma', Dma);
    const dmaTid = file.traceEvents.find((e) => e.ph === 'M' && e.name === 'thread_name' && e.args!['name'] === 'dma')!.tid;
    for (const r of dma.transfers.values()) {
      const x = file.traceEvents.find((e) => e.ph === 'X' && e.name === `transfer #${r.id}`)!;
      expect(x.tid).toBe(dmaTid);
      expect(x.ts).toBeCloseTo(r.started! / 1e6, 9);
      expect(x.dur).toBeCloseTo((r.finished! - r.started!) / 1e6, 9);
      const s = file.traceEvents.find((e) => e.ph === 's' && e.name === `dma #${r.id}`)!;
      const f = file.traceEvents.find((e) => e.ph === 'f' && e.id === s.id)!;
      expect(s.ts).toBeCloseTo(r.submitted / 1e6, 9);
      expect(f.ts!).toBeGreaterThanOrEqual(x.ts!);
      expect(f.ts!).toBeLessThanOrEqual(x.ts! + x.dur!);
    }
    // core run slices carry instruction counts that add up to the core's
    for (const c of [...p.modules.values()].filter((m): m is CoreSim => m instanceof CoreSim)) {
      const tid = file.traceEvents.find((e) => e.ph === 'M' && e.name === 'thread_name' && e.args!['name'] === c.path)!.tid;
      const n = file.traceEvents.filter((e) => e.ph === 'X' && e.tid === tid && e.name === 'run').reduce((a, e) => a + Number(e.args!['instructions']), 0);
      expect(n, c.path).toBe(c.core.instructions);
    }
  });

  it('accelerator commands (CLI, --model, first inference) are slices named by command, with flows from the issuing core', () => {
    const out = mkdtempSync(join(tmpdir(), 'edgesim-trace-'));
    const m = 'test/fixtures/models/';
    const r = runModelCommand(`${repoRoot}platforms/hermes-exact.yaml`, `${repoRoot}${m}qonnx_tfc_2w2a_mnist.qonnx.onnx`, {
      data: `${repoRoot}${m}data/mnist_test1000_images_u8.bin`, shape: '1,28,28', n: '2', out, trace: 'vcd,perfetto', traceExclude: 'noc,zzz*',
    });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain(`trace: ${join(out, 'trace.vcd')}`);
    expect(r.stdout).toContain(`trace: ${join(out, 'trace.json')}`);
    expect(r.stderr).toContain("--trace-exclude 'zzz*' matches no instance path; instance paths: ctrl, noc, act, aimc0");
    const file = JSON.parse(readFileSync(join(out, 'trace.json'), 'utf8')) as { traceEvents: TraceEvent[]; displayTimeUnit: string };
    // the instances, plus the model run's extra tracks: the network's layers and the energy per window
    checkTraceEvents(file, ['ctrl', 'act', 'aimc0', 'aimc1', 'aimc2', 'aimc3', 'layers', 'energy']);
    const tidOf = (path: string): number => file.traceEvents.find((e) => e.ph === 'M' && e.name === 'thread_name' && e.args!['name'] === path)!.tid!;
    const aimc = new Set(['aimc0', 'aimc1', 'aimc2', 'aimc3'].map(tidOf));
    const cmds = file.traceEvents.filter((e) => e.ph === 'X' && aimc.has(e.tid!));
    expect(new Set(cmds.map((e) => e.name))).toEqual(new Set(['PROGRAM', 'MVM']));
    const flowsFromCtrl = file.traceEvents.filter((e) => e.ph === 's' && e.tid === tidOf('ctrl'));
    expect(flowsFromCtrl.length).toBe(cmds.length);
    const vcd = parseVcd(readFileSync(join(out, 'trace.vcd'), 'utf8'));
    expect(vcd.vars.get('aimc0.queue')?.width).toBe(32);
    expect(vcd.vars.has('noc.busy')).toBe(false);
    // the first inference's layers: in inferences.json, as the trace's layers track, in report.html
    const inf = JSON.parse(readFileSync(join(out, 'inferences.json'), 'utf8')) as { layers: { node: string; startPs: number; endPs: number }[] };
    expect(inf.layers.length).toBeGreaterThan(4);
    const layerSlices = file.traceEvents.filter((e) => e.ph === 'X' && e.tid === tidOf('layers'));
    expect(layerSlices.map((e) => e.name)).toEqual(inf.layers.map((l) => l.node));
    expect(vcd.vars.get('layers.layer')?.width).toBe(32);
    expect(file.traceEvents.some((e) => e.ph === 'C' && e.name === 'energy.dynamic cumulative [pJ]')).toBe(true);
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain('simulated time (first inference)');
  });

  it('the program form writes both files; bad formats and globs without --trace are usage errors', () => {
    const out = mkdtempSync(join(tmpdir(), 'edgesim-trace-'));
    const r = runCommand(`${repoRoot}${PULP}`, `${repoRoot}test/fixtures/asm/dma_tile.s`, { out, trace: 'vcd', traceInclude: 'dma,pe0' });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain(`trace: ${join(out, 'trace.vcd')}`);
    expect(existsSync(join(out, 'trace.json'))).toBe(false);
    const vcd = parseVcd(readFileSync(join(out, 'trace.vcd'), 'utf8'));
    expect([...vcd.vars.keys()].sort()).toEqual(['dma.busy', 'dma.in_flight', 'dma.transfer', 'pe0.busy']);
    expect(() => runCommand(`${repoRoot}${PULP}`, `${repoRoot}test/fixtures/asm/dma_tile.s`, { out, trace: 'fst' })).toThrow(/unknown format 'fst'/);
    expect(() => runCommand(`${repoRoot}${PULP}`, `${repoRoot}test/fixtures/asm/dma_tile.s`, { out, traceInclude: 'pe0' })).toThrow(/need --trace/);
  });
});

describe('kernel signals in the trace (sc_trace)', () => {
  it('a clock and a counter signal: every committed value at its time in the VCD, the clock as a 1-bit wire', async () => {
    const { Simulation, Clock, Signal } = await import('../../src/kernel/index.js');
    const { ns } = await import('../../src/util/index.js');
    const sim = new Simulation();
    const clk = new Clock(sim, 'top.clk', { period: ns(10) });
    const cnt = new Signal(sim, 'top.cnt', 0);
    sim.method('top.count', () => cnt.write(cnt.read() + 1), { sensitive: [clk.posedgeEvent], dontInitialize: true });
    const hub = new TraceHub({});
    hub.signal(clk, sim.now);
    const stop = hub.signal(cnt, sim.now)!;
    sim.run(ns(45));
    stop(); // later changes are not recorded
    sim.run(ns(20));
    hub.finish(sim.now);
    const vcd = parseVcd(formatVcd(hub));
    const c = vcd.vars.get('top.clk.value')!;
    expect(c.width).toBe(1);
    // rising edges at 0, 10, ..., 60 ns, falling at 5, 15, ... (the 65 ns edge is not reached)
    expect(c.changes.filter(([t]) => t > 0)).toEqual(Array.from({ length: 12 }, (_, k) => [(k + 1) * 5000, (k + 1) % 2 === 0 ? 1 : 0]));
    expect(c.changes.filter(([t]) => t === 0).at(-1)).toEqual([0, 1]);
    const n = vcd.vars.get('top.cnt.value')!;
    expect(n.width).toBe(32);
    // the counter commits 1 .. 5 at the edges 0 .. 40 ns; the watch stopped before 50 ns
    expect(n.changes.filter(([t]) => t > 0)).toEqual([[10000, 2], [20000, 3], [30000, 4], [40000, 5]]);
    expect(n.changes.filter(([t]) => t === 0).at(-1)).toEqual([0, 1]);
    expect(cnt.read()).toBe(7);
    expect(() => new TraceHub({}).signal(new Signal(sim, 'top.s', 'x'), 0)).toThrow(/only boolean and number/);
  });

  it('a FIFO\'s occupancy: items committed after each update that changes it', async () => {
    const { Simulation, Fifo } = await import('../../src/kernel/index.js');
    const { ns } = await import('../../src/util/index.js');
    const sim = new Simulation();
    const f = new Fifo<number>(sim, 'top.q', 4);
    // the producer writes 3 items at 0 and 2 more at 15 ns; the consumer takes one every 10 ns from 10 ns
    sim.thread('top.prod', function* () {
      for (let i = 0; i < 3; i++) f.nbWrite(i);
      yield ns(15);
      f.nbWrite(3);
      f.nbWrite(4);
    });
    sim.thread('top.cons', function* () {
      for (let k = 0; k < 5; k++) {
        yield ns(10);
        f.nbRead();
      }
    });
    const hub = new TraceHub({});
    hub.fifo(f, sim.now);
    sim.run();
    hub.finish(sim.now);
    const q = parseVcd(formatVcd(hub)).vars.get('top.q.occupancy')!;
    expect(q.width).toBe(32);
    // 3 at 0; 2 at 10 ns; 4 at 15 ns; 3, 2, 1, 0 at 20 .. 50 ns
    expect(q.changes.filter(([t]) => t > 0)).toEqual([[10000, 2], [15000, 4], [20000, 3], [30000, 2], [40000, 1], [50000, 0]]);
    expect(q.changes.filter(([t]) => t === 0).at(-1)).toEqual([0, 3]);
  });
});
