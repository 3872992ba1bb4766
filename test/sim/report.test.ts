import { describe, expect, expectTypeOf, it } from 'vitest';
import { BusyTracker, Counter, Memory, MemoryDef, Scratchpad, ScratchpadDef, SimModule } from '../../src/modules/index.js';
import { formatReport, runReport } from '../../src/sim/index.js';
import { wordPayload } from '../../src/tlm/index.js';
import { simError } from '../helpers/sim-error.js';
import { Simulation, ctxFor, initiator } from '../helpers/modules.js';

describe('SimModule: declared once', () => {
  it('counters are named by the declaration (a wrong name does not compile)', () => {
    const sim = new Simulation();
    const l1 = new Scratchpad(ctxFor(sim, ScratchpadDef, 'l1', { ports: 1 }, { connected: () => false }));
    expectTypeOf(l1.energy.read).toEqualTypeOf<Counter>();
    expectTypeOf(l1.stats.bankConflicts).toEqualTypeOf<Counter>();
    expectTypeOf(l1.params.interleaving).toEqualTypeOf<'word' | 'block'>();
    // @ts-expect-error not an energy event of the scratchpad
    expect(l1.energy.bankErase).toBeUndefined();
    // @ts-expect-error not a statistic of the scratchpad
    expect(l1.stats.instructions).toBeUndefined();
    expect(Object.keys(l1.energy)).toEqual(Object.keys(ScratchpadDef.energy));
    expect(Object.keys(l1.stats)).toEqual(Object.keys(ScratchpadDef.stats));
  });

  it('sockets follow ports(params): names, counts, widths; unknown ports are refused', () => {
    const sim = new Simulation();
    const l1 = new Scratchpad(ctxFor(sim, ScratchpadDef, 'l1', { ports: 3, wordBytes: 8 }, { connected: (_p, i) => i !== 1 }));
    expect(l1.targets('mem').map((s) => s?.path ?? null)).toEqual(['l1.mem[0]', null, 'l1.mem[2]']);
    expect(l1.targets('mem')[0]!.protocol).toEqual({ name: 'tlm-base', widthBits: 64 });
    expect(sim.find('l1.mem[2]')).toBe(l1.targets('mem')[2]);
    expect(simError(() => l1.targets('data')).message).toBe("module 'l1' (scratchpad) has no target port 'data'");
    expect(() => l1.initiators('mem')).toThrow(/no initiator port 'mem'/);
    // a width mismatch at binding names both ends (TLM layer)
    expect(() => initiator(sim, 'cpu', 32).bind(l1.targets('mem')[0]!)).toThrow(/'cpu' \(tlm-base, 32 bits\) -> 'l1.mem\[0\]' \(tlm-base, 64 bits\): bus width mismatch/);
  });

  it('a subclass needs nothing but the declaration', () => {
    class Null extends SimModule<typeof MemoryDef> {}
    const m = new Null(MemoryDef, ctxFor(new Simulation(), MemoryDef, 'n', {}, { connected: () => false }));
    expect(m.snapshot()).toEqual({ path: 'n', kind: 'memory', periodPs: 1000, busyPs: 0, energyEvents: { access: 0 }, stats: { bytesRead: 0, bytesWritten: 0 }, ports: {} });
  });
});

describe('busy tracking', () => {
  it('is the union of busy intervals; the fraction is over the elapsed time', () => {
    const b = new BusyTracker();
    b.add(0, 10);
    b.add(5, 15); // overlaps: adds 5
    b.add(20, 30);
    b.add(25, 25); // empty
    expect(b.total).toBe(25);
    expect(b.fraction(50)).toBe(0.5);
    expect(b.fraction(0)).toBe(0);
    expect(b.fraction(20)).toBe(1); // clipped
  });
});

describe('run report', () => {
  it('reports time, busy fraction, energy events, statistics and traffic, with units', () => {
    const sim = new Simulation();
    const l2 = new Memory(ctxFor(sim, MemoryDef, 'l2', { sizeBytes: 4096, dataWidthBits: 32, latencyCycles: 3, bandwidthBytesPerCycle: 4 }));
    const cpu = initiator(sim, 'cpu');
    cpu.bind(l2.targets('mem')[0]!);
    sim.thread('cpu.run', function* () {
      for (let i = 0; i < 4; i++) yield yield* cpu.bTransport(wordPayload('write', 4 * i, i), 0);
    });
    sim.run();
    const r = runReport(sim, [l2]);
    expect(r.simulatedTimePs).toBe(16_000); // 4 x (3 + 1) cycles
    expect(r.components[0]).toMatchObject({ path: 'l2', busyPs: 4000, busyFraction: 0.25, energyEvents: { access: 4 }, stats: { bytesRead: 0, bytesWritten: 16 }, statUnits: { bytesWritten: 'B' } });
    expect(r.bankConflicts).toBe(0);
    expect(formatReport(r)).toBe(
      [
        'simulated time: 16 ns',
        '',
        'component  kind    busy  busy %  energy events  statistics',
        'l2         memory  4 ns  25.0 %  access=4       bytesRead=0 B, bytesWritten=16 B',
        '',
        'port       traffic',
        'l2.mem[0]  4 tx, 16 B',
        '',
        'bank conflicts: 0 requests',
      ].join('\n'),
    );
  });
});
