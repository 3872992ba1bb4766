import { describe, expect, it } from 'vitest';
import { EventUnit, EventUnitDef, Memory, MemoryDef, SYNC_OPS, portProtocol } from '../../src/modules/index.js';
import { euExpect, euFlat, euGeom, euScenario, euVectors, type EuGeom, type EuTest } from '../../src/rtl/event-unit.js';
import { memExpect, memGeom, memScenario, memVectors, type MemAccess, type MemGeom } from '../../src/rtl/memory.js';
import { GenericPayload, InitiatorSocket, wordPayload } from '../../src/tlm/index.js';
import { deriveRng } from '../../src/util/index.js';
import { Simulation, ctxFor, initiator, win } from '../helpers/modules.js';
import { loadRepoPlatform } from '../helpers/repo.js';
import type { PlatformGraph } from '../../src/platform/index.js';
import { generateRtl, type RtlManifest } from '../../src/rtl/index.js';
import { PLATFORMS, generate } from './helpers.js';

/**
 * The L2 memory and the event unit: the testbench's expected cycles and data (memExpect,
 * euExpect: the RTL in TypeScript) against the simulator's Memory and EventUnit on the same
 * stimulus, for every shipped instance (CI size, as the testbench runs it) and for geometries
 * the shipped platforms do not cover.
 */

/** The simulator's Memory on the accesses (one port: issued in order at their issue cycles): response cycle and read data per access. */
function simMemory(g: MemGeom, params: Record<string, unknown>, acc: readonly MemAccess[], base: number): { resp: number; rdata?: bigint }[] {
  const sim = new Simulation();
  const size = g.banks * g.bankWords * g.wordBytes;
  const mem = new Memory(ctxFor(sim, MemoryDef, 'l2', { ...params, sizeBytes: size }, { region: win('l2', base, size) }));
  const ports = Array.from({ length: g.ports }, (_, p) => {
    const s = initiator(sim, `m${p}`, g.wordBytes * 8);
    s.bind(mem.targets('mem')[p]!);
    return s;
  });
  return acc.map((a) => {
    // byte enables: the naturally aligned sub-word transaction they select
    const lo = a.write ? Math.log2(a.be & -a.be) : 0;
    const len = a.write ? a.be.toString(2).replace(/0/g, '').length : g.wordBytes;
    const data = new Uint8Array(len);
    for (let k = 0; k < len; k++) data[k] = Number((a.data >> BigInt(8 * (lo + k))) & 0xffn);
    const tx = new GenericPayload({ command: a.write ? 'write' : 'read', address: base + a.word * g.wordBytes + lo, data });
    const d = ports[a.port]!.transport(tx, a.issue * 1000);
    let v = 0n;
    for (let k = len - 1; k >= 0; k--) v = (v << 8n) | BigInt(tx.data[k]!);
    // the returned delay runs from now (time 0), the request included
    return { resp: d / 1000, ...(a.write ? {} : { rdata: v }) };
  });
}

/** The simulator's EventUnit on the scenario: each core issues its requests through its sync port, `gap` cycles after its previous response. */
function simEventUnit(g: EuGeom, t: EuTest): { core: number; issue: number; resp: number; rdata: number }[][] {
  const sim = new Simulation();
  const eu = new EventUnit(ctxFor(sim, EventUnitDef, 'eu', { cores: g.cores, barriers: g.barriers, wakeupRequestCycles: g.req, wakeupCycles: g.wake }, { connected: () => true }));
  const irq = [0, 1, 2, 3].map((k) => {
    const e = sim.event(`irq${k}`);
    eu.bindEventIn('irq', k, e);
    return e;
  });
  const out: { core: number; issue: number; resp: number; rdata: number }[][] = [];
  t.perCore.forEach((list, c) => {
    const port = new InitiatorSocket(sim, `pe${c}.sync`, portProtocol('sync', 32));
    port.bind(eu.targets('sync')[c]!);
    const mine: { core: number; issue: number; resp: number; rdata: number }[] = [];
    out.push(mine);
    sim.thread(`pe${c}`, function* () {
      for (const r of list) {
        yield r.gap * 1000;
        const issue = sim.now / 1000;
        const tx = wordPayload(r.op === 'evwait' ? 'read' : 'write', SYNC_OPS[r.op], r.operand >>> 0);
        yield yield* port.bTransport(tx, 0);
        mine.push({ core: c, issue, resp: sim.now / 1000, rdata: r.op === 'evwait' ? tx.readWord() : 0 });
      }
    });
  });
  sim.thread('irq', function* () {
    let now = 0;
    for (const p of [...t.irq].sort((a, b) => a.cycle - b.cycle)) {
      if (p.cycle > now) yield (p.cycle - now) * 1000;
      now = p.cycle;
      irq[p.line]!.notify();
    }
  });
  sim.run();
  return out;
}

/** Every instance of `kind` in the shipped platforms, with its platform's CI-size RTL. */
function shipped(kind: string): { file: string; r: ReturnType<typeof generate>; graph: PlatformGraph; inst: RtlManifest['instances'][number] }[] {
  return PLATFORMS.flatMap((file) => {
    const r = generate(file);
    const graph = loadRepoPlatform(file).graph!;
    return r.manifest!.instances.filter((i) => i.kind === kind).map((inst) => ({ file, r, graph, inst }));
  });
}

describe('L2 memory RTL against the simulator\'s Memory', () => {
  const check = (label: string, g: MemGeom, params: Record<string, unknown>, seed = 1): number => {
    const acc = memScenario(g, deriveRng(seed, label, 'rtl-mem'));
    const exp = memExpect(g, acc);
    const sim = simMemory(g, params, acc, 0x1c000000);
    exp.forEach((e, i) => {
      expect(e.resp, `${label} access ${i}`).toBe(sim[i]!.resp);
      expect(e.rdata, `${label} access ${i}`).toBe(sim[i]!.rdata);
    });
    // an isolated single word: the simulator's latencyCycles + ceil(word / bandwidth)
    const single = acc.findIndex((a, i) => !a.write && exp[i]!.grant === a.issue && i > 0 && exp[i - 1]!.resp < a.issue);
    expect(single, label).toBeGreaterThan(0);
    expect(exp[single]!.resp - acc[single]!.issue).toBe(g.latency + g.occ);
    return acc.length;
  };

  it('every shipped L2 memory (CI size): the testbench vectors, cycles and data are the simulator\'s', () => {
    let checked = 0;
    for (const { file, r, graph, inst } of shipped('memory')) {
      const node = graph.instances[inst.name]!;
      if (node.params.level === 'external') {
        expect(inst.rtl, `${file} ${inst.name}`).toBe(false);
        continue;
      }
      expect(inst.rtl, `${file} ${inst.name}`).toBe(true);
      const params = { ...node.params, banks: Math.min(node.params.banks as number, 4) };
      const g = memGeom({ ...params, sizeBytes: (params.banks as number) * 16 * ((node.params.dataWidthBits as number) / 8) }).geom!;
      const v = inst.verilog.replace(/^u_/, '');
      const acc = memScenario(g, deriveRng(1, inst.name, 'rtl-mem'));
      const base = graph.addressMap.find((x) => x.target === inst.name)!.base;
      expect(r.files.get(`tb/vectors/${v}_mem.hex`), `${file} ${inst.name}`).toBe(memVectors(g, acc, memExpect(g, acc), base));
      expect(acc.length).toBe(check(inst.name, g, params));
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(2);
  });

  it('other geometries: occupancy of several cycles per word, no latency, byte-wide words', () => {
    const cases: Record<string, unknown>[] = [
      { ports: 1, banks: 2, dataWidthBits: 64, latencyCycles: 5, bandwidthBytesPerCycle: 3, sizeBytes: 256 },
      { ports: 1, banks: 1, dataWidthBits: 32, latencyCycles: 0, bandwidthBytesPerCycle: 4, sizeBytes: 64 },
      { ports: 1, banks: 4, dataWidthBits: 8, latencyCycles: 2, bandwidthBytesPerCycle: 16, sizeBytes: 64 },
    ];
    for (const p of cases) {
      const g = memGeom(p).geom!;
      expect(check(JSON.stringify(p), g, p)).toBeGreaterThan(20);
    }
  });
});

describe('event unit RTL against the simulator\'s EventUnit', () => {
  const check = (label: string, g: EuGeom): number => {
    const t = euScenario(g, deriveRng(1, label, 'rtl-eu'));
    const exp = euExpect(g, t);
    const sim = simEventUnit(g, t);
    expect(exp, label).toEqual(sim);
    return exp.flat().length;
  };

  it('every shipped event unit: the testbench vectors, cycles and data are the simulator\'s', () => {
    let checked = 0;
    for (const { r, graph, inst } of shipped('event-unit')) {
      expect(inst.rtl).toBe(true);
      const g = euGeom(graph.instances[inst.name]!.params).geom!;
      const t = euScenario(g, deriveRng(1, inst.name, 'rtl-eu'));
      expect(r.files.get(`tb/vectors/${inst.verilog.replace(/^u_/, '')}_eu.hex`)).toBe(euVectors(t, euExpect(g, t)));
      const n = check(inst.name, g);
      expect(n).toBeGreaterThan(5 * g.cores);
      // a barrier round: every core answers wakeupRequestCycles + wakeupCycles after the last one's request
      const first = euExpect(g, t).map((l) => l[0]!);
      const last = Math.max(...first.map((e) => e.issue));
      for (const e of first) expect(e.resp).toBe(last + g.req + g.wake);
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(1);
  });

  it('other geometries: no request or wake-up latency, one core, several barriers', () => {
    for (const g of [
      { cores: 3, barriers: 3, req: 0, wake: 0 },
      { cores: 4, barriers: 2, req: 0, wake: 3 },
      { cores: 2, barriers: 1, req: 1, wake: 0 },
      { cores: 1, barriers: 2, req: 2, wake: 1 },
    ]) {
      const label = JSON.stringify(g);
      if (g.req === 0) {
        // the bundle answers one cycle after the grant at the earliest: where the simulator answers in
        // the request's cycle the RTL answers one later, and the later issue cycles move with it; the
        // first barrier round (nothing moved yet) is the simulator's but for that one cycle
        const t = euScenario(g, deriveRng(1, label, 'rtl-eu'));
        const exp = euExpect(g, t);
        const sim = simEventUnit(g, t);
        sim.forEach((l, c) => expect(exp[c]![0], `${label} core ${c}`).toEqual({ ...l[0]!, resp: Math.max(l[0]!.issue + 1, l[0]!.resp) }));
        continue;
      }
      expect(check(label, g)).toBeGreaterThan(5);
    }
    // the flattened vector order is by issue cycle
    const g = { cores: 3, barriers: 2, req: 6, wake: 2 };
    const t = euScenario(g, deriveRng(1, 'x', 'rtl-eu'));
    const f = euFlat(t, euExpect(g, t)).map((x) => x.e.issue);
    expect(f).toEqual([...f].sort((a, b) => a - b));
  });
});

describe('L2 memory and event unit parameters the generator cannot realize', () => {
  it('diagnostics name the instance and the parameter, and no file is written', () => {
    const g = loadRepoPlatform('platforms/pulp-cluster.yaml').graph!;
    const l2 = g.instances.l2!;
    const eu = g.instances.eu!;
    const bad: PlatformGraph = {
      ...g,
      instances: {
        ...g.instances,
        l2: { ...l2, params: { ...l2.params, sizeBytes: 24, latencyCycles: 5000 } },
        eu: { ...eu, params: { ...eu.params, barriers: 100, wakeupCycles: 2000 } },
      },
    };
    const r = generateRtl(bad);
    expect(r.files.size).toBe(0);
    const msgs = r.diagnostics.map((d) => `${d.severity} ${d.code} ${d.message}`);
    for (const m of ['l2.sizeBytes: 24 B gives', 'l2.latencyCycles: latency 5000', 'eu.barriers: 100 barriers', 'eu.wakeupCycles: 2000 cycles']) {
      expect(msgs.some((x) => x.startsWith(`error rtl-bad-param ${m}`)), m).toBe(true);
    }
    // level: external stays a black box
    const ext: PlatformGraph = { ...g, instances: { ...g.instances, l2: { ...l2, params: { ...l2.params, level: 'external' } } } };
    const e = generateRtl(ext, { ciSize: true });
    expect(e.manifest!.instances.find((i) => i.name === 'l2')).toMatchObject({ rtl: false, module: 'es_memory' });
  });
});
