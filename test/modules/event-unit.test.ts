import { describe, expect, it } from 'vitest';
import { EventUnit, EventUnitDef, SYNC_OPS, portProtocol } from '../../src/modules/index.js';
import { InitiatorSocket, wordPayload } from '../../src/tlm/index.js';
import { Simulation, ctxFor } from '../helpers/modules.js';

/** An event unit for 3 cores at 1 GHz, request 6 cycles, wake-up 2 cycles (GVSoC eu_v3). */
function setup() {
  const sim = new Simulation();
  const eu = new EventUnit(ctxFor(sim, EventUnitDef, 'eu', { cores: 3, barriers: 2, wakeupRequestCycles: 6, wakeupCycles: 2 }, { connected: (p) => p === 'sync' }));
  const ports = [0, 1, 2].map((c) => {
    const s = new InitiatorSocket(sim, `pe${c}.sync`, portProtocol('sync', 32));
    s.bind(eu.targets('sync')[c]!);
    return s;
  });
  return { sim, eu, ports };
}

describe('event unit: barriers, events, wake-up latencies', () => {
  it('a barrier releases every member together, wakeupCycles after the last arrival', () => {
    const { sim, eu, ports } = setup();
    const resumed: number[] = [];
    [0, 10, 30].forEach((start, c) => {
      sim.thread(`pe${c}`, function* () {
        yield start * 1000;
        const d = yield* ports[c]!.bTransport(wordPayload('write', SYNC_OPS.bar, 1), 0);
        yield d;
        resumed[c] = sim.now / 1000;
      });
    });
    sim.run();
    // last arrival reaches the unit at 30 + 6 = 36; everyone runs again at 36 + 2
    expect(resumed).toEqual([38, 38, 38]);
    expect(eu.stats.barriers.value).toBe(1);
    expect(eu.stats.sleepCycles.value).toBe((36 - 6) + (36 - 16));
    expect(eu.energy.request.value).toBe(3);
  });

  it('evwait sleeps until evset raises a matching event, returns and clears it; wfe clears nothing', () => {
    const { sim, eu, ports } = setup();
    const got: [number, number][] = [];
    sim.thread('pe0', function* () {
      const tx = wordPayload('read', SYNC_OPS.evwait, 0b110);
      yield yield* ports[0]!.bTransport(tx, 0);
      got.push([sim.now / 1000, tx.readWord()]);
      yield yield* ports[0]!.bTransport(wordPayload('write', SYNC_OPS.wfe), 0); // event 0 still pending: no sleep
      got.push([sim.now / 1000, eu.pendingAt(0)]);
    });
    sim.thread('pe1', function* () {
      yield 20_000;
      yield yield* ports[1]!.bTransport(wordPayload('write', SYNC_OPS.evset, 0b101), 0);
    });
    sim.run();
    // evset reaches the unit at 26; pe0 resumes at 28 with event 2; wfe: request 6 cycles
    expect(got).toEqual([[28, 0b100], [34, 0b001]]);
    expect(eu.pendingAt(1)).toBe(0b101);
  });

  it('barrier member sets; bad requests', () => {
    const { sim, eu, ports } = setup();
    eu.setBarrierMembers(0, 0b011);
    const resumed: number[] = [];
    [0, 5].forEach((start, c) => {
      sim.thread(`pe${c}`, function* () {
        yield yield* ports[c]!.bTransport(wordPayload('write', SYNC_OPS.bar, 0), start * 1000);
        resumed[c] = sim.now / 1000;
      });
    });
    sim.thread('pe2', function* () {
      const bad = wordPayload('write', 0x10 + 2, 0);
      yield* ports[2]!.bTransport(bad, 0);
      resumed[2] = bad.response === 'command-error' ? -1 : 0;
    });
    sim.run();
    expect(resumed).toEqual([13, 13, -1]); // core 2 is not a member; pe1 reaches the unit at 5 + 6
    expect(() => eu.setBarrierMembers(5, 1)).toThrow(/event-unit 'eu': barrier 5 does not exist/);
    sim.thread('pe2.late', function* () {
      yield* ports[2]!.bTransport(wordPayload('write', SYNC_OPS.bar, 7), 0);
    });
    expect(() => sim.run()).toThrow(/barrier 7 does not exist/);
  });
});
