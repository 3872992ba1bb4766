/**
 * The speed paths of the simulation give exactly what the general paths give (no timing, no
 * figures asserted): the scratchpad's direct word interface against its transport, with long
 * bursts that grow and shrink the reservation ring in between; and the kernel's
 * `advanceAlone` against a plain `yield delay`.
 */
import { describe, expect, it } from 'vitest';
import { Scratchpad, ScratchpadDef } from '../../src/modules/index.js';
import { GenericPayload, type InitiatorSocket } from '../../src/tlm/index.js';
import { Rng } from '../../src/util/index.js';
import { Simulation, ctxFor, initiator } from '../helpers/modules.js';

type Access = { port: number; write: boolean; addr: number; bytes: number; delayCycles: number; value: number };

/** Random accesses per time step: single words of 1, 2, 4 bytes (some misaligned) and bursts, from 4 ports. */
function plan(seed: number, steps: number): { advance: number; accesses: Access[] }[] {
  const r = new Rng(seed);
  return Array.from({ length: steps }, () => ({
    advance: 1 + r.int(300),
    accesses: Array.from({ length: 1 + r.int(40) }, () => {
      const burst = r.int(30) === 0;
      const bytes = burst ? 4 * (2 + r.int(r.int(4) === 0 ? 5000 : 40)) : [1, 2, 4][r.int(3)]!;
      const addr = burst ? 4 * r.int((65536 - bytes) / 4) : r.int(65536 - 4);
      return { port: r.int(4), write: r.int(2) === 0, addr, bytes, delayCycles: r.int(r.int(10) === 0 ? 3000 : 260), value: r.nextU32() | 0 };
    }),
  }));
}

/** Runs the plan on a fresh 16-bank scratchpad; `direct` sends single aligned words through readWordAt/writeWordAt. */
function drive(steps: ReturnType<typeof plan>, direct: boolean): { log: number[]; snapshot: unknown; data: Uint8Array } {
  const sim = new Simulation();
  const l1 = new Scratchpad(ctxFor(sim, ScratchpadDef, 'l1', { sizeBytes: 65536, banks: 16, wordBytes: 4, ports: 4, accessCycles: 1 }));
  const ini: InitiatorSocket[] = [0, 1, 2, 3].map((i) => {
    const s = initiator(sim, `m${i}`);
    s.bind(l1.targets('mem')[i]!);
    return s;
  });
  const log: number[] = [];
  sim.thread('driver', function* () {
    for (const st of steps) {
      yield st.advance * 1000;
      for (const a of st.accesses) {
        const delay = a.delayCycles * 1000;
        const aligned = (a.addr & (a.bytes - 1)) === 0;
        if (direct && a.bytes <= 4 && aligned) {
          const c = sim.now / 1000 + a.delayCycles;
          if (a.write) log.push((l1.writeWordAt(a.port, a.addr, a.bytes, a.value, c) * 1000) - sim.now);
          else {
            const v = l1.readWordAt(a.port, a.addr, a.bytes, c)!;
            log.push((l1.wordReady * 1000) - sim.now, a.bytes === 4 ? v : v);
          }
          continue;
        }
        if (a.bytes <= 4 && !aligned) continue; // misaligned: an error on both paths
        const data = new Uint8Array(a.bytes);
        if (a.write) for (let i = 0; i < a.bytes; i++) data[i] = (a.value >>> (8 * (i & 3))) & 0xff;
        const tx = new GenericPayload({ command: a.write ? 'write' : 'read', address: a.addr, data });
        const d = ini[a.port]!.transport(tx, delay);
        log.push(d);
        if (!a.write) {
          if (a.bytes <= 4) log.push(a.bytes === 4 ? data[0]! | (data[1]! << 8) | (data[2]! << 16) | (data[3]! << 24) : a.bytes === 2 ? data[0]! | (data[1]! << 8) : data[0]!);
          else log.push(data.reduce((s, x, i) => (s + x * (i + 1)) % 1000003, 0));
        }
      }
    }
  });
  sim.run();
  return { log, snapshot: l1.snapshot(), data: l1.data.slice() };
}

describe('fast paths give exactly the general paths\' results', () => {
  it('scratchpad: readWordAt/writeWordAt equal transport (delays, values, stats, traffic, busy time, contents), across ring growth and shrinking', () => {
    const steps = plan(7, 400);
    const a = drive(steps, false);
    const b = drive(steps, true);
    expect(b.log).toEqual(a.log);
    expect(b.snapshot).toEqual(a.snapshot);
    expect(Buffer.from(b.data).equals(Buffer.from(a.data))).toBe(true);
    expect((a.snapshot as { stats: { bankConflicts: number } }).stats.bankConflicts).toBeGreaterThan(0);
  });

  it('kernel: advanceAlone is yield delay when the thread is alone, and refuses otherwise', () => {
    const run = (fast: boolean): { trace: number[]; deltas: number; now: number; refused: number } => {
      const sim = new Simulation();
      const trace: number[] = [];
      let refused = 0;
      const far = sim.event('far');
      sim.thread('worker', function* () {
        const r = new Rng(3);
        for (let i = 0; i < 200; i++) {
          const d = 1 + r.int(5000);
          if (!fast || !sim.advanceAlone(d)) {
            if (fast) refused++;
            yield d;
          }
          trace.push(sim.now, sim.deltaCount);
          if (i === 50) far.notifyAfter(40_000); // a pending timed event: advancing past it is refused
        }
      });
      sim.thread('waiter', function* () {
        yield far;
        trace.push(-sim.now);
        yield 1; // runnable at the same time as the worker sometimes
        trace.push(-sim.now);
      });
      sim.run();
      return { trace, deltas: sim.deltaCount, now: sim.now, refused };
    };
    const slow = run(false);
    const fast = run(true);
    expect(fast.trace).toEqual(slow.trace);
    expect(fast.deltas).toBe(slow.deltas);
    expect(fast.now).toBe(slow.now);
    expect(fast.refused).toBeGreaterThan(0);
    expect(fast.refused).toBeLessThan(200);
  });
});
