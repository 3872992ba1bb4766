import { describe, expect, it } from 'vitest';
import { cleanGraph, fill, words } from '../helpers/repo.js';
import { Dma, EventUnit, IRQ_EVENT_BASE, Memory, Scratchpad, Xbar, catalog, simCatalog } from '../../src/modules/index.js';
import { formatReport, instantiate, runReport } from '../../src/sim/index.js';

const pulp = () => cleanGraph('platforms/pulp-cluster.yaml');

/** The library's models without the core's: these tests drive the DMA and event unit directly, with the cores skipped. */
const noCores = () => new Map([...simCatalog].filter(([k]) => k !== 'core'));

const L1 = 0x1000_0000;
const L2 = 0x1c00_0000;

describe('instantiate: pulp-cluster', () => {
  it('every simulation model belongs to a catalog kind', () => {
    for (const [kind, f] of simCatalog) expect(catalog.get(kind)).toBe(f.def);
  });

  it('builds the modules with models, skips the rest with a note, binds the sockets', () => {
    expect([...instantiate(pulp()).modules.keys()]).toContain('pe0'); // the library simulates cores
    const p = instantiate(pulp(), { sims: noCores() });
    expect([...p.modules.keys()].sort()).toEqual(['axi', 'cxbar', 'dma', 'eu', 'l1', 'l2']);
    expect(p.skipped.map((s) => s.instance)).toEqual(['pe0', 'pe1', 'pe2', 'pe3', 'pe4', 'pe5', 'pe6', 'pe7', 'cc']);
    expect(p.skipped[0]!.reason).toBe("no simulation model for kind 'core' yet");
    expect(p.unboundConnections).toContain('pe0.tcdm -> l1.mem[0]');
    expect(p.unboundConnections).toContain('pe3.sync -> eu.sync[3]');
    expect(p.unboundConnections).toHaveLength(27); // data, tcdm and sync of the 9 cores
    expect(p.get('eu', EventUnit).eventIns('irq')[0]).toBe(p.get('dma', Dma).eventOuts('done')[0]);
    expect(p.clocks.get('cluster')).toMatchObject({ freqHz: 250e6, periodPs: 4000 });
    // decode tables from the address map, through interconnects
    expect(p.get('cxbar', Xbar).routes.map((r) => [r.target, r.out])).toEqual([['dma', 1], ['l2', 0]]);
    expect(p.get('axi', Xbar).routes.map((r) => [r.target, r.out])).toEqual([['l2', 0]]);
    expect(p.get('l1', Scratchpad).base).toBe(L1);
    expect(p.get('l2', Memory).base).toBe(L2);
    // only connected port elements have sockets
    expect(p.get('l1', Scratchpad).targets('mem').map((s) => s !== null)).toEqual([...Array(9).fill(false), true, true, true, true]);
    expect(() => p.get('l1', Dma)).toThrow(/no simulated module 'l1' of class Dma \(it is a scratchpad\)/);
    expect(() => p.get('pe0', Dma)).toThrow(/no simulated module 'pe0'/);
  });

  it('runs a DMA-driven 1D and 2D transfer L2 -> AXI -> DMA -> L1 and reports it', () => {
    const p = instantiate(pulp(), { sims: noCores() });
    const dma = p.get('dma', Dma);
    const l1 = p.get('l1', Scratchpad);
    const l2 = p.get('l2', Memory);
    for (let i = 0; i < 16384; i++) l2.data[i] = (i * 13 + 1) & 0xff;
    const eu = p.get('eu', EventUnit);
    const t: number[] = [];
    let woken = [0, 0];
    p.sim.thread('test.driver', function* () {
      const a = dma.start({ src: L2, dst: L1, bytes: 4096 });
      // like a core: sleep in the event unit until dma.done (-> eu.irq[0]) raises its event
      const r = yield* eu.request(0, 'evwait', 1 << IRQ_EVENT_BASE, 0);
      yield r.delay;
      woken = [p.sim.now, r.value];
      expect(dma.isDone(a)).toBe(true);
      t.push(dma.transfers.get(a)!.finished!);
      // 2D: 8 rows of 64 B out of a 1-KiB-wide image into a packed tile
      const b = dma.start({ src: L2 + 8192, dst: L1 + 0x2000, bytes: 64, rows: 8, srcStride: 1024, dstStride: 64 });
      yield* dma.wait(b);
      t.push(p.sim.now);
    });
    p.sim.run();

    expect([...l1.data.subarray(0, 4096)]).toEqual([...l2.data.subarray(0, 4096)]);
    for (let r = 0; r < 8; r++) {
      expect([...l1.data.subarray(0x2000 + r * 64, 0x2000 + r * 64 + 64)]).toEqual([...l2.data.subarray(8192 + r * 1024, 8192 + r * 1024 + 64)]);
    }
    // 1D, 16 bursts of 256 B at 8 B/cycle (d = 32): the round trip of one burst is
    // AXI (12 + 32) + L2 (12 + 32) + L1 write of 64 words through one 32-bit port (last word
    // granted in cycle 63, data 1 access cycle later: 64) = 152 cycles, plus one per bank
    // conflict; 8 outstanding * 32 >= 152, so bandwidth bound: T >= setup + 15 * 32 + 152.
    const cyc = (ps: number) => ps / 4000;
    expect(cyc(t[0]!)).toBe(10 + 15 * 32 + 152 + 1);
    expect(woken).toEqual([t[0]! + 2 * 4000, 1 << IRQ_EVENT_BASE]); // event-unit wake-up: 2 cycles
    // Burst k + 1 starts its L1 write 32 cycles after burst k, 64 words (a multiple of 16 banks)
    // further on: its first word meets burst k in bank 0, waits one cycle, and the two then
    // interleave. A delayed burst is not met by the next, so every other burst (8 of 16,
    // the ones on local ports 1 and 3, including the last) has exactly one conflict.
    expect(l1.stats.bankConflicts.value).toBe(8);
    expect(l1.portTraffic('mem', 10)).toMatchObject({ conflicts: 4, stallCycles: 4 });
    expect(l1.portTraffic('mem', 9)).toMatchObject({ conflicts: 0, stallCycles: 0 });
    // 2D: 8 rows of 64 B (d = 8): AXI (12 + 8) + L2 (12 + 8) + L1 16 words (16) = 56 per row;
    // rows are 9 cycles apart, so their L1 writes never overlap: no conflict
    expect(cyc(t[1]! - t[0]! - 2 * 4000)).toBe(10 + 8 * (1 + 8) + (56 - 8)); // started after the wake-up
    expect(dma.stats.bytes.value).toBe(4096 + 512);
    expect(dma.portTraffic('ext').bytes).toBe(4096 + 512);
    const localBytes = [0, 1, 2, 3].map((i) => dma.portTraffic('local', i).bytes);
    expect(localBytes.reduce((x, y) => x + y)).toBe(4096 + 512);
    expect(localBytes.every((b) => b > 0)).toBe(true); // round-robin over the 4 TCDM ports

    const report = runReport(p.sim, p.modules.values(), p.skipped);
    expect(report.simulatedTimePs).toBe(t[1]);
    expect(report.dmaBytes).toEqual({ dma: 4608 });
    expect(report.bankConflicts).toBe(l1.stats.bankConflicts.value);
    const l1r = report.components.find((c) => c.path === 'l1')!;
    expect(l1r.energyEvents).toEqual({ read: 0, write: (4096 + 512) / 4 });
    expect(l1r.busyFraction).toBeGreaterThan(0);
    expect(l1r.busyFraction).toBeLessThanOrEqual(1);
    const dmaR = report.components.find((c) => c.path === 'dma')!;
    expect(dmaR.busyFraction).toBeCloseTo(773 / 775, 6); // idle during the 2-cycle wake-up
    expect(JSON.parse(JSON.stringify(report))).toEqual(report);
    const text = formatReport(report);
    expect(text).toMatch(/^simulated time: 3100 ns\n/); // (643 + 2 + 130) cycles of 4 ns
    expect(text).toMatch(/dma\s+dma\s+3092 ns\s+99\.7 %.*bytes=4608 B/);
    expect(text).toMatch(/l1\s+scratchpad\s+2496 ns\s+80\.5 %\s+read=0 write=1152\s+reads=0 words, writes=1152 words, bankConflicts=8 requests/);
    expect(text).toMatch(/l2\.mem\[0\]\s+24 tx, 4608 B/);
    expect(text).toContain('bytes moved by dma: 4608 B');
    expect(text).toContain("not simulated: pe0 (core): no simulation model for kind 'core' yet");
  });

  it('a model added later plugs in through the sims option', () => {
    const p = instantiate(pulp(), { sims: new Map([...noCores()].filter(([k]) => k !== 'dma')) });
    expect(p.modules.has('dma')).toBe(false);
    expect(p.skipped.map((s) => s.kind)).toContain('dma');
    // the l1 ports the DMA used are not created, the run elaborates
    expect(p.get('l1', Scratchpad).targets('mem').every((s) => s === null)).toBe(true);
    p.sim.run();
    expect(p.sim.now).toBe(0);
  });
});
