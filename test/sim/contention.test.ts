/**
 * Multi-core programs on pulp-cluster whose cycle counts show contention: L1 bank conflicts with
 * known counts, loads from L2 queueing in the cluster crossbar, DMA transfers of two cores with
 * their own ids, and event-based hand-over (evset / evwait / wfe). Expected cycles are derived in
 * the comments from the platform's parameters (pulp-cluster.yaml: 250 MHz = 4 ns per cycle; core
 * costs: ALU 1, load/store 1, branch 3 taken; TCDM access 1 cycle; cxbar 2 cycles + 4 B/cycle;
 * AXI 12 cycles + 8 B/cycle; L2 12 cycles + 8 B/cycle; event unit request 6, wake-up 2).
 */
import { describe, expect, it } from 'vitest';
import { assembleOrThrow } from '../../src/isa/index.js';
import { CoreSim, Dma, EventUnit, Memory, Scratchpad, Xbar } from '../../src/modules/index.js';
import { instantiate, startProgram, type Instantiated } from '../../src/sim/index.js';
import { cleanGraph, fill, words } from '../helpers/repo.js';

const L1 = 0x1000_0000;
const L2 = 0x1c00_0000;
const CYCLE = 4000; // ps
const WORKERS = ['pe0', 'pe1', 'pe2', 'pe3', 'pe4', 'pe5', 'pe6', 'pe7'];

function run(source: string, cores: readonly string[], init: (p: Instantiated) => void = () => {}): { p: Instantiated; cs: CoreSim[]; exits: number[] } {
  const p = instantiate(cleanGraph('platforms/pulp-cluster.yaml'));
  init(p);
  startProgram(p, cores, assembleOrThrow(source, { origin: L2 }, 'inline.s'));
  p.sim.run();
  const cs = cores.map((n) => p.get(n, CoreSim));
  for (const c of cs) expect(c.core.exitCode, c.path).toBe(0);
  return { p, cs, exits: cs.map((c) => c.exitTime! / CYCLE) };
}

/** Core h loads the word at base + (h << shift), then exits: slli, lui, add, lw, li, ecall. */
const oneLoad = (base: number, shift: number): string => `
        slli  t1, a0, ${shift}
        lui   t0, ${base >>> 12}
        add   t0, t0, t1
        lw    t2, 0(t0)
        li    a0, 0
        ecall
`;

describe('contention on pulp-cluster, cycle-exact', () => {
  it('8 cores loading from one L1 bank in the same cycle are served in turn: 7 conflicts, core h stalls h cycles', () => {
    // word h * 16 -> bank 0 for every core; all issue the lw in cycle 3 (0-based), granted in
    // cycles 3..10 in core order; the core's own load cycle covers a grant at once, so core h
    // stalls h cycles and exits at 6 + h.
    const { p, cs, exits } = run(oneLoad(L1, 6), WORKERS);
    const l1 = p.get('l1', Scratchpad);
    expect(exits).toEqual([6, 7, 8, 9, 10, 11, 12, 13]);
    expect(l1.stats.bankConflicts.value).toBe(7);
    expect(cs.map((c) => c.stats.stallCycles.value)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(WORKERS.map((_, h) => l1.portTraffic('mem', h).stallCycles)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('the same loads to 8 different banks do not conflict: every core exits at cycle 6', () => {
    const { p, exits } = run(oneLoad(L1, 2), WORKERS);
    expect(exits).toEqual(Array(8).fill(6));
    expect(p.get('l1', Scratchpad).stats.bankConflicts.value).toBe(0);
  });

  it('8 cores loading from L2 queue in the cluster crossbar: core h waits h cycles there, then AXI and L2 latency', () => {
    // lw in cycle 3 from every core through cxbar.out[0] (4 B/cycle: 1 cycle each): core h starts
    // at 3 + h (h cycles of contention), is forwarded at 3 + h + 2 + 1 to the AXI, which forwards
    // 12 + 1 cycles later to L2 (arrivals one cycle apart: no queueing there), which answers
    // 12 + 1 cycles later: data at 3 + h + 29. The stall is that minus the load's own cycle:
    // 28 + h; exit at 6 + 28 + h.
    const { p, cs, exits } = run(oneLoad(L2 + 0x8000, 2), WORKERS, (p) => fill(p.get('l2', Memory).data, 0x8000, [11, 22, 33, 44, 55, 66, 77, 88]));
    expect(exits).toEqual(WORKERS.map((_, h) => 34 + h));
    expect(cs.map((c) => c.core.reg(7))).toEqual([11, 22, 33, 44, 55, 66, 77, 88]);
    expect(cs.map((c) => c.stats.stallCycles.value)).toEqual(WORKERS.map((_, h) => 28 + h));
    const cxbar = p.get('cxbar', Xbar);
    expect(cxbar.stats.contentionCycles.value).toBe(0 + 1 + 2 + 3 + 4 + 5 + 6 + 7);
    expect(p.get('axi', Xbar).stats.contentionCycles.value).toBe(0);
    expect(p.get('l2', Memory).portTraffic('mem', 0)).toMatchObject({ transactions: 8, bytes: 32, stallCycles: 0 });
  });

  it('two cores start DMA transfers at once: ids in core order, each waits for its own, the engine serves them in turn', () => {
    // Core h copies 64 B from L2 0x1000 + 0x100 h to L1 0x100 h, stores its id at L1 0x800 + 4 h
    // and waits for it. 1D, 64 B = one burst of d = 8 cycles at 8 B/cycle; round trip = AXI
    // (12 + 8) + L2 (12 + 8) read, then 16 words into L1 through one port (16): RTT = 56;
    // T = setup 10 + RTT = 66 cycles per transfer; the second starts when the first ends.
    const src = `
        slli  t1, a0, 8
        li    t2, ${L2 + 0x1000}
        add   t2, t2, t1
        li    t3, ${L1}
        add   t3, t3, t1
        dma.addr t2, t3
        li    t4, 64
        dma.1d t0, t4
        slli  t1, a0, 2
        li    t5, ${L1 + 0x800}
        add   t5, t5, t1
        sw    t0, 0(t5)
        dma.wait t0
        dma.busy t6
        li    a0, 0
        add   a0, a0, t6
        ecall
`;
    const data = Array.from({ length: 128 }, (_, i) => 1000 + 7 * i);
    const { p, cs, exits } = run(src, ['pe0', 'pe1'], (p) => fill(p.get('l2', Memory).data, 0x1000, data));
    const l1 = p.get('l1', Scratchpad).data;
    expect(words(l1, 0x800, 2)).toEqual([1, 2]);
    expect(words(l1, 0, 16)).toEqual(data.slice(0, 16));
    expect(words(l1, 0x100, 16)).toEqual(data.slice(64, 80));
    const tr = [...p.get('dma', Dma).transfers.values()].map((t) => [t.started! / CYCLE, t.finished! / CYCLE]);
    const s0 = tr[0]![0]!;
    expect(tr).toEqual([[s0, s0 + 66], [s0 + 66, s0 + 132]]);
    // same instructions on both cores, so core 1 exits exactly one transfer later
    expect(exits[1]! - exits[0]!).toBe(66);
    expect(cs.map((c) => c.core.instructions)).toEqual([cs[1]!.core.instructions, cs[0]!.core.instructions]);
  });

  it('evset hands over to a core sleeping in evwait (which gets the event bits) and wakes a core in wfe', () => {
    // Core 1 sleeps in evwait on event 3, core 2 in wfe. Core 0 stores 21 at L1 0x900, spins in a
    // delay loop, then raises event 3 (mask 8): its request reaches the unit 6 cycles after issue,
    // the sleepers resume 2 cycles after that. Core 1 stores twice the value and the event bits
    // it consumed.
    const src = `
        li    t0, ${L1 + 0x900}
        beqz  a0, producer
        li    t1, 1
        beq   a0, t1, consumer
        sync.wfe
        li    a0, 0
        ecall
producer:
        li    t1, 21
        sw    t1, 0(t0)
        li    t2, 8
        li    t3, 5
spin:
        addi  t3, t3, -1
        bnez  t3, spin
        sync.evset t2
        li    a0, 0
        ecall
consumer:
        li    t2, 8
        sync.evwait t3, t2
        lw    t1, 0(t0)
        add   t1, t1, t1
        sw    t1, 4(t0)
        sw    t3, 8(t0)
        li    a0, 0
        ecall
`;
    const { p, cs, exits } = run(src, ['pe0', 'pe1', 'pe2']);
    expect(words(p.get('l1', Scratchpad).data, 0x900, 3)).toEqual([21, 42, 8]);
    // core 0: li t0 (lui + addi: 2), beqz taken (3), li, sw, li, li (4) = 9; spin: 4 x (1 + 3)
    // + (1 + 1) = 18 -> sync.evset issues in cycle 27, reaches the unit at 33 (does not wait),
    // retires (34), li, ecall: exit 36.
    expect(exits[0]).toBe(36);
    // core 1: li t0 (2), beqz not taken (1), li (1), beq taken (3), li (1) = 8: evwait issues at 8,
    // reaches the unit at 14 and sleeps until the event at 33, resumes at 35, retires (36), lw 1 +
    // 1 load-use, add, sw, sw, li, ecall: 36 + 2 + 5 = 43.
    expect(exits[1]).toBe(43);
    // core 2: li (2), beqz (1), li (1), beq not taken (1) = 5: wfe reaches the unit at 11, sleeps
    // until 33, resumes at 35, retires (36), li, ecall: 38.
    expect(exits[2]).toBe(38);
    const eu = p.get('eu', EventUnit);
    expect(eu.stats.sleepCycles.value).toBe((33 - 14) + (33 - 11));
    expect(eu.pendingAt(2)).toBe(8); // wfe clears nothing
    expect(eu.pendingAt(1)).toBe(0); // evwait consumed it
    expect(cs.map((c) => c.core.instructions)).toEqual([2 + 1 + 4 + 10 + 3, 2 + 3 + 1 + 7, 2 + 3 + 3]);
    expect(cs.map((c) => c.stats.stallCycles.value)).toEqual([6, (35 - 8) + 1, 35 - 5]);
  });
});
