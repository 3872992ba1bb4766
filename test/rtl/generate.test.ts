import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rtlCommand } from '../../src/cli/rtl-command.js';
import { Dma, DmaDef, Memory, MemoryDef, Scratchpad, ScratchpadDef, aimcLayout, aimcMvmTimePs, aimcTimingFromParams, layerTiming, programTile } from '../../src/modules/index.js';
import type { PlatformGraph } from '../../src/platform/index.js';
import { AIMC_DIGITAL_CYCLES, DMA_TB_RTT, SV_KEYWORDS, aimcGeom, aimcScenario, dmaExtBase, dmaGeom, dmaLocalWindows, dmaScenario, dmaVectors, generateRtl, peGeom, peScenario, sha256Hex, spmExpect, spmScenario, verilogName, type SpmGeom } from '../../src/rtl/index.js';
import { deriveRng } from '../../src/util/index.js';
import { wordPayload, type InitiatorSocket } from '../../src/tlm/index.js';
import { Simulation, ctxFor, initiator, win } from '../helpers/modules.js';
import { loadRepoPlatform, readRepoFile, repoRoot } from '../helpers/repo.js';
import { PLATFORMS, generate } from './helpers.js';

const TINY = 'test/fixtures/rtl/tiny.yaml';
const GOLDEN = join(repoRoot, 'test/fixtures/rtl/tiny');

const graphOf = (file: string): PlatformGraph => {
  const r = loadRepoPlatform(file);
  expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return r.graph!;
};

/** Every path under `dir`, relative, sorted. */
function listFiles(dir: string, pre = ''): string[] {
  return readdirSync(join(dir, pre)).flatMap((f) => {
    const rel = pre === '' ? f : `${pre}/${f}`;
    return statSync(join(dir, rel)).isDirectory() ? listFiles(dir, rel) : [rel];
  }).sort();
}

describe('rtl generator', () => {
  it('sha256 matches known vectors', () => {
    expect(sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(sha256Hex('a'.repeat(1000))).toBe('41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3');
  });

  it('names are safe against SystemVerilog keywords', () => {
    expect(verilogName('do')).toBe('do_i');
    expect(verilogName('logic')).toBe('logic_i');
    expect(verilogName('3d-buf')).toBe('n3d_buf');
    expect(SV_KEYWORDS.has('interconnect')).toBe(true);
  });

  for (const file of PLATFORMS) {
    it(`${file} generates at full size and at CI size`, () => {
      for (const ci of [false, true]) {
        const r = generate(file, ci);
        expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
        expect(r.manifest?.top).toMatch(/_top$/);
        expect(r.files.size).toBeGreaterThan(10);
      }
    });
  }

  it('is deterministic: same YAML, same bytes', () => {
    for (const file of [PLATFORMS[0]!, TINY]) {
      const a = generate(file);
      const b = generate(file);
      expect([...a.files.keys()]).toEqual([...b.files.keys()]);
      for (const [k, v] of a.files) expect(b.files.get(k), k).toBe(v);
    }
  });

  it('the output folder is complete: listed files exist, one module per file, a model and stubs per black box', () => {
    for (const file of [...PLATFORMS, TINY]) {
      const r = generate(file);
      const m = r.manifest!;
      expect([...r.files.keys()].sort()).toEqual([...m.files]);
      for (const list of ['filelist_rtl.f', 'filelist_sim.f', 'filelist_syn.f']) {
        for (const f of r.files.get(list)!.trim().split('\n')) expect(r.files.has(f), `${list}: ${f}`).toBe(true);
      }
      for (const [path, text] of r.files) {
        if (!path.endsWith('.v')) continue;
        expect(text.startsWith('`timescale 1ns/1ps\n`default_nettype none\n'), path).toBe(true);
        const mods = [...text.matchAll(/^module\s+(\w+)/gm)].map((x) => x[1]);
        expect(mods, path).toEqual([path.replace(/^.*\//, '').replace(/(_bb)?\.v$/, '')]);
        expect(text).not.toMatch(/lint_off|\/\/\s*(verilator|synthesis|pragma|yosys)/i);
        expect(text).not.toMatch(/\/\*\s*(verilator|synthesis|pragma|yosys)/i);
      }
      expect(r.files.has(`rtl/${m.top}.v`)).toBe(true);
      expect(r.files.has(`constraints/${m.top}.sdc`)).toBe(true);
      expect(r.files.get(`constraints/${m.top}.sdc`)).toContain('create_clock');
      expect(r.files.has('README.md') && r.files.has('syn/synth.ys') && r.files.has(`tb/${m.testbench}.v`)).toBe(true);
      for (const bb of m.macros) {
        expect(r.files.get(bb.stub), bb.stub).toContain('(* blackbox *)');
        expect(r.files.get(bb.model), bb.model).toMatch(new RegExp(`^module ${bb.name} [(#]`, 'm'));
        expect(r.files.get(bb.liberty), bb.liberty).toContain(`cell (${bb.name})`);
      }
      // every instance of the YAML appears in the top level
      for (const i of m.instances) expect(r.files.get(`rtl/${m.top}.v`), i.name).toContain(` ${i.verilog} (`);
      expect(m.yamlSha256).toMatch(/^[0-9a-f]{64}$/);
    }
  });

  it('golden files of a small design (same bytes)', () => {
    const r = generateRtl(graphOf(TINY), { yamlText: readRepoFile(TINY)! });
    expect(r.diagnostics).toEqual([]);
    if (process.env.UPDATE_RTL_GOLDEN === '1') {
      rmSync(GOLDEN, { recursive: true, force: true });
      for (const [p, t] of r.files) {
        const dest = join(GOLDEN, p);
        mkdirSyncP(dest);
        writeFileSync(dest, t);
      }
    }
    expect(listFiles(GOLDEN)).toEqual([...r.files.keys()]);
    for (const [p, t] of r.files) expect(t, p).toBe(readFileSync(join(GOLDEN, p), 'utf8'));
  });

  it('parameters it cannot realize: diagnostics naming instance and parameter, no files', () => {
    const g = graphOf('platforms/pulp-cluster.yaml');
    const l1 = g.instances.l1!;
    const bad: PlatformGraph = { ...g, instances: { ...g.instances, l1: { ...l1, params: { ...l1.params, banks: 6, accessCycles: 2, interleaving: 'block' } } } };
    const r = generateRtl(bad);
    expect(r.files.size).toBe(0);
    const msgs = r.diagnostics.map((d) => `${d.severity} ${d.code} ${d.message}`);
    expect(msgs.some((m) => m.startsWith('error rtl-bad-param l1.banks: 6 banks is not a power of two'))).toBe(true);
    expect(msgs.some((m) => m.startsWith('error rtl-bad-param l1.accessCycles'))).toBe(true);
    expect(msgs.some((m) => m.startsWith('error rtl-bad-param l1.interleaving'))).toBe(true);
  });

  it('the CLI reports file:line:column of the bad parameter and writes nothing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'edgesim-rtl-bad-'));
    try {
      const yaml = readRepoFile('platforms/hermes-like.yaml')!.replace('interleaving: word, ports: 5, accessCycles: 1', 'interleaving: word, ports: 5, accessCycles: 2');
      const file = join(dir, 'bad.yaml');
      writeFileSync(file, yaml);
      mkdirSync(join(dir, 'tech'));
      writeFileSync(join(dir, 'tech/hermes-14nm.yaml'), readRepoFile('platforms/tech/hermes-14nm.yaml')!);
      const out = join(dir, 'out');
      const r = rtlCommand(file, { out, ciSize: true });
      expect(r.exitCode).toBe(1);
      const lines = yaml.split('\n');
      const line = lines.findIndex((l) => l.includes('accessCycles: 2')) + 1;
      const col = lines[line - 1]!.indexOf('accessCycles: 2') + 1;
      expect(r.stderr).toContain(`${file}:${line}:${col}: error[rtl-bad-param]: act.accessCycles`);
      expect(existsSync(out)).toBe(false);
      expect(() => rtlCommand(join(dir, 'nope.yaml'), { out })).toThrow(/cannot read platform file/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('PE-array tiles: the expected cycles are the simulator\'s fold latency (os K + R + C - 2, ws 2R + C + M - 2)', () => {
    for (const df of ['os', 'ws'] as const) {
      const g = peGeom(4, 3, 'int8', 0, {}, df);
      for (const t of peScenario(g, deriveRng(1, 'x', 'rtl-pe'))) {
        const sim = layerTiming({ M: t.m, N: 3, K: t.k }, { rows: 4, cols: 3, dataflow: df }, { mode: 'scalesim' });
        expect(sim.compute.folds).toBe(1);
        expect(t.cycles).toBe(sim.cycles);
        expect(t.cycles).toBe(df === 'os' ? t.k + 4 + 3 - 2 : 2 * 4 + 3 + t.m - 2);
      }
    }
  });

  it('AIMC tiles: the expected latency is the simulator\'s MVM time in cycles plus the periphery\'s registers', () => {
    for (const file of ['platforms/diana-like.yaml', 'platforms/hermes-like.yaml', 'platforms/hermes-exact.yaml']) {
      const g = generate(file).manifest!;
      const graph = graphOf(file);
      for (const inst of g.instances.filter((i) => i.kind === 'aimc-tile')) {
        expect(inst.rtl, inst.name).toBe(true);
        const node = graph.instances[inst.name]!;
        const period = graph.clocks[node.clock]!.periodPs;
        const p = { ...node.params, rows: 16, cols: 16 };
        const geom = aimcGeom(p, period).geom!;
        const st = programTile(geom.config, new Array<number>(geom.k * geom.n).fill(0), geom.k, geom.n);
        const ps = aimcMvmTimePs(st, aimcTimingFromParams(p as never, period));
        expect(ps).toBeGreaterThan(0);
        // the periphery's register stages and the crossbar macro together take the simulator's MVM time
        expect(geom.latency + AIMC_DIGITAL_CYCLES).toBe(Math.ceil(ps / period));
        const t = aimcScenario(geom, deriveRng(1, inst.name, 'rtl-aimc'));
        expect(t.cycles).toBe(Math.ceil(ps / period));
        expect(geom.nu).toBe(geom.n * aimcLayout(geom.config).unitsPerOutput);
      }
    }
  });

  it('DMA: the testbench\'s expected bytes and predicted cycles are the simulator\'s Dma on the same transfers', () => {
    let checked = 0;
    for (const file of PLATFORMS) {
      const r = generate(file);
      const graph = graphOf(file);
      for (const inst of r.manifest!.instances.filter((i) => i.kind === 'dma')) {
        expect(inst.rtl, inst.name).toBe(true);
        const node = graph.instances[inst.name]!;
        const p = node.params as Record<string, number>;
        const locals = [...new Set(graph.connections.filter((c) => c.from.instance === inst.name && c.from.port === 'local').map((c) => c.from.index ?? 0))];
        const geom = dmaGeom(node.params, locals.length, dmaLocalWindows(graph, inst.name, 'local', locals)).geom!;
        const timing = { setupCycles: p.setupCycles!, rowOverheadCycles: p.rowOverheadCycles!, bandwidthBytesPerCycle: p.bandwidthBytesPerCycle!, maxOutstanding: p.maxOutstanding!, maxBurstBytes: p.maxBurstBytes! };
        const t = dmaScenario(geom, timing, dmaExtBase(graph, inst.name, geom.windows), deriveRng(1, inst.name, 'rtl-dma'));
        const v = inst.verilog.replace(/^u_/, '');
        const dv = dmaVectors(t);
        expect(r.files.get(`tb/vectors/${v}_dma_expect.hex`)).toBe(dv.expect);
        expect(r.files.get(`tb/vectors/${v}_dma_xfers.hex`)).toBe(dv.xfers);
        // 1D, 2D with strides, a transfer that is not a multiple of the burst size, a whole-burst one
        expect(t.xfers.some((x) => x.rows === 0 && x.bytes % geom.maxBurst !== 0 && x.bytes > geom.maxBurst)).toBe(true);
        expect(t.xfers.some((x) => x.rows > 1 && x.srcStride !== x.bytes && x.dstStride !== x.bytes)).toBe(true);
        // the simulator's Dma between two memories that answer in one cycle (RTT = DMA_TB_RTT);
        // byte-wide ports and memories: the simulator's Memory rejects bursts that do not start on
        // one of its words, and the Dma's timing does not depend on the port widths
        const sim = new Simulation();
        const S = t.mem.size;
        const LOC = win('loc', t.mem.localBase, S);
        const EXT = win('ext', t.mem.extBase, S);
        const dma = new Dma(ctxFor(sim, DmaDef, 'dma', { ...node.params, localPorts: 1, localWidthBits: 8, extWidthBits: 8 }, { reach: (port) => (port === 'local' ? [LOC] : [EXT]), connected: (port) => port !== 'cfg' }));
        const mem = (name: string, w: typeof LOC) => new Memory(ctxFor(sim, MemoryDef, name, { sizeBytes: S, dataWidthBits: 8, latencyCycles: 0, bandwidthBytesPerCycle: 1 << 20 }, { region: w }));
        const loc = mem('loc', LOC);
        const ext = mem('ext', EXT);
        dma.initiator('ext')!.bind(ext.targets('mem')[0]!);
        dma.initiators('local')[0]!.bind(loc.targets('mem')[0]!);
        loc.data.set(t.init.subarray(0, S));
        ext.data.set(t.init.subarray(S));
        const images: Uint8Array[] = [];
        sim.thread('driver', function* () {
          for (const gr of t.groups) {
            const ids = gr.map((i) => {
              const x = t.xfers[i]!;
              return dma.start({ src: x.src, dst: x.dst, bytes: x.bytes, ...(x.rows > 0 ? { rows: x.rows, srcStride: x.srcStride, dstStride: x.dstStride } : {}) });
            });
            for (const id of ids) yield* dma.wait(id);
            const img = new Uint8Array(2 * S);
            img.set(loc.data.subarray(0, S));
            img.set(ext.data.subarray(0, S), S);
            images.push(img);
          }
        });
        sim.run();
        expect(images.length).toBe(t.groups.length);
        images.forEach((img, gi) => expect([...img], `${file} group ${gi}`).toEqual([...t.after[gi]!]));
        t.xfers.forEach((_, i) => {
          const rec = dma.transfers.get(i + 1)!;
          expect((rec.finished! - rec.started!) / 1000, `${file} transfer ${i}`).toBe(t.predicted[i]);
        });
        expect(DMA_TB_RTT).toBe(2);
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(2);
  });

  it('DMA parameters it cannot realize: diagnostics naming instance and parameter, no files', () => {
    const g = graphOf('platforms/pulp-cluster.yaml');
    const dma = g.instances.dma!;
    const bad: PlatformGraph = { ...g, instances: { ...g.instances, dma: { ...dma, params: { ...dma.params, localWidthBits: 24, extWidthBits: 2048 } } } };
    const r = generateRtl(bad);
    expect(r.files.size).toBe(0);
    const msgs = r.diagnostics.map((d) => `${d.severity} ${d.code} ${d.message}`);
    expect(msgs.some((m) => m.startsWith('error rtl-bad-param dma.localWidthBits: 24-bit port'))).toBe(true);
    expect(msgs.some((m) => m.startsWith('error rtl-bad-param dma.extWidthBits: 2048-bit port'))).toBe(true);
    const none: PlatformGraph = { ...g, connections: g.connections.filter((c) => !(c.from.instance === 'dma' && c.from.port === 'local')) };
    expect(generateRtl(none).diagnostics.map((d) => d.message)).toContain('dma.localPorts: no local port is connected: the generated DMA needs at least one');
  });

  it('scratchpad rounds: the RTL arbitration gives the latencies the simulator\'s Scratchpad predicts', () => {
    const geom: SpmGeom = { ports: 13, banks: 4, wordBytes: 4, bankWords: 16 };
    const rounds = spmScenario(geom, deriveRng(1, 'l1', 'rtl-spm'));
    const exp = spmExpect(geom, rounds);
    const sim = new Simulation();
    const l1 = new Scratchpad(ctxFor(sim, ScratchpadDef, 'l1', { sizeBytes: 256, banks: 4, wordBytes: 4, ports: 13, accessCycles: 1 }));
    const ini: InitiatorSocket[] = [];
    for (let i = 0; i < 13; i++) {
      const s = initiator(sim, `m${i}`);
      s.bind(l1.targets('mem')[i]!);
      ini.push(s);
    }
    let t0 = 0;
    let conflicts = 0;
    rounds.forEach((r, ri) => {
      // the simulator, requests in port order at the round's start cycle
      const simLat = r.accesses.map((a) => ini[a.port]!.transport(wordPayload(a.write ? 'write' : 'read', a.word * 4, a.write ? Number(a.data) : undefined), t0 * 1000) / 1000 - t0);
      const rtlLat = exp[ri]!.map((e) => e.grant + 1);
      // per bank the same multiset of latencies (the order inside a bank may differ: the
      // simulator serves by arrival, the RTL round-robin), so the same round length
      for (let b = 0; b < 4; b++) {
        const s = simLat.filter((_, i) => r.accesses[i]!.word % 4 === b).sort((x, y) => x - y);
        const h = rtlLat.filter((_, i) => r.accesses[i]!.word % 4 === b).sort((x, y) => x - y);
        expect(h, `round ${ri} bank ${b}`).toEqual(s);
      }
      conflicts += rtlLat.filter((l) => l > 1).length;
      t0 += Math.max(...rtlLat);
    });
    expect(conflicts).toBeGreaterThan(20);
    expect(l1.stats.bankConflicts.value).toBe(conflicts);
  });
});

function mkdirSyncP(file: string): void {
  mkdirSync(join(file, '..'), { recursive: true });
}

describe('interconnect RTL against the simulator\'s xbar', () => {
  it('every shipped interconnect: the RTL decode table is the simulator\'s, and one uncontended word takes the simulator\'s cycles', async () => {
    const { Xbar, XbarDef } = await import('../../src/modules/index.js');
    const { instantiate } = await import('../../src/sim/index.js');
    const { xbarGeom, xbarRoundTrip, xbarRoutes } = await import('../../src/rtl/xbar.js');
    let checked = 0;
    for (const file of PLATFORMS) {
      const r = loadRepoPlatform(file);
      const graph = r.graph!;
      const p = instantiate(graph);
      for (const node of Object.values(graph.instances).filter((n) => n.kind === 'xbar')) {
        const targets = node.params['targets'] as number;
        const rtl = xbarRoutes(graph, node.name, targets);
        const sim = p.get(node.name, Xbar).routes;
        expect(rtl.map((x) => [x.base, x.end, x.out, x.target]), `${file} ${node.name}`).toEqual(sim.map((x) => [x.base, x.end, x.out, x.target]));
        // one word through out[0] to a memory answering one cycle after the request reaches it:
        // the simulator's delay (latency + ceil(word / bandwidth) + 1 cycles) against the RTL's round trip
        const g = xbarGeom(node.name, node.params, rtl).geom!;
        const s = new Simulation();
        const W = win('t', 0, 4096);
        const wb = (node.params['dataWidthBits'] as number) / 8;
        const x = new Xbar(ctxFor(s, XbarDef, 'x', { ...node.params, initiators: 1, targets: 1 } as never, { reach: () => [W] }));
        const mem = new Memory(ctxFor(s, MemoryDef, 't', { sizeBytes: 4096, dataWidthBits: wb * 8, latencyCycles: 0, bandwidthBytesPerCycle: wb }, { region: W }));
        x.initiators('out')[0]!.bind(mem.targets('mem')[0]!);
        const ini = initiator(s, 'm', wb * 8);
        ini.bind(x.targets('in')[0]!);
        const d = ini.transport(wordPayload('read', 0x40, wb), 0);
        expect(d / 1000, `${file} ${node.name}`).toBe(xbarRoundTrip(g, 0)); // ctxFor clocks at 1 GHz: 1000 ps per cycle
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(5);
  });
});
