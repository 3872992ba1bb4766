import { describe, expect, it } from 'vitest';
import { Memory, MemoryDef, Xbar, XbarDef } from '../../src/modules/index.js';
import { GenericPayload } from '../../src/tlm/index.js';
import { Simulation, ctxFor, initiator, win } from '../helpers/modules.js';

/**
 * xbar (2 in, 2 out, latency 2, 4 B/cycle) at 1 GHz; out[0] -> memory A at 0x0000 (4 KiB),
 * out[1] -> memory B at 0x1000 (4 KiB); memories: latency 0, 64 B/cycle (1 cycle per burst).
 */
function setup() {
  const sim = new Simulation();
  const A = win('a', 0, 4096);
  const B = win('b', 0x1000, 4096);
  const xbar = new Xbar(ctxFor(sim, XbarDef, 'xbar', { initiators: 2, targets: 2, dataWidthBits: 32, latencyCycles: 2, bandwidthBytesPerCycle: 4 }, { reach: (_p, i) => (i === 0 ? [A] : [B]) }));
  const mem = (name: string, w: typeof A) => new Memory(ctxFor(sim, MemoryDef, name, { sizeBytes: 4096, dataWidthBits: 32, latencyCycles: 0, bandwidthBytesPerCycle: 64 }, { region: w }));
  const a = mem('a', A);
  const b = mem('b', B);
  xbar.initiators('out')[0]!.bind(a.targets('mem')[0]!);
  xbar.initiators('out')[1]!.bind(b.targets('mem')[0]!);
  const ini = [0, 1].map((i) => {
    const s = initiator(sim, `m${i}`);
    s.bind(xbar.targets('in')[i]!);
    return s;
  });
  return { sim, xbar, a, b, ini };
}
const tx = (command: 'read' | 'write', address: number, bytes: number) => new GenericPayload({ command, address, data: new Uint8Array(bytes).fill(0xab) });

describe('xbar: decode, latency, bandwidth, contention', () => {
  it('decodes by the address map', () => {
    const { xbar } = setup();
    expect(xbar.routes.map((r) => [r.target, r.out])).toEqual([['a', 0], ['b', 1]]);
    expect(xbar.decode(tx('read', 0x0ffc, 4))?.target).toBe('a');
    expect(xbar.decode(tx('read', 0x1000, 4))?.target).toBe('b');
    expect(xbar.decode(tx('read', 0x0ffc, 8))).toBeUndefined(); // straddles two targets
  });

  it('delay = latency + ceil(bytes / bandwidth) + target; a second transfer to the same output waits', () => {
    const { xbar, a, ini } = setup();
    // 16 B: output busy cycles 0..3, forwarded at 2 + 4 = 6, memory 1 cycle -> 7
    expect(ini[0]!.transport(tx('write', 0x100, 16), 0)).toBe(7000);
    // same cycle, same output: waits 4 cycles (contention), forwarded at 4 + 6 = 10 -> 11
    expect(ini[1]!.transport(tx('write', 0x200, 16), 0)).toBe(11_000);
    expect(xbar.stats.contentionCycles.value).toBe(4);
    expect(xbar.portTraffic('out', 0)).toMatchObject({ transactions: 2, bytes: 32, conflicts: 1, stallCycles: 4 });
    expect(xbar.stats.transactions.value).toBe(2);
    expect(xbar.energy.transfer.value).toBe(8); // 32-bit words
    expect(a.stats.bytesWritten.value).toBe(32);
    expect(a.data[0x100]).toBe(0xab);
  });

  it('forwards DMI to the decoded memory: the grant covers its window, sees its bytes and adds the xbar latency', () => {
    const { xbar, b, ini } = setup();
    const g = ini[1]!.getDirectMemPtr(tx('read', 0x1234, 4))!;
    expect([g.start, g.end, g.readLatency, g.writeLatency]).toEqual([0x1000, 0x1fff, 2000, 2000]); // xbar 2 cycles + memory latency 0
    b.data[0x234] = 0x5a;
    expect(g.data[0x234]).toBe(0x5a); // a view of the memory's storage, not a copy
    expect(g.covers(0x1ffc, 4)).toBe(true);
    expect(g.covers(0x1ffe, 4)).toBe(false);
    expect(ini[1]!.getDirectMemPtr(tx('read', 0x9000, 4))).toBeNull(); // no route: no grant
    expect(xbar.stats.transactions.value).toBe(0); // DMI bypasses the counters, by definition
  });

  it('different outputs do not contend', () => {
    const { xbar, ini } = setup();
    expect(ini[0]!.transport(tx('read', 0x100, 16), 0)).toBe(7000);
    expect(ini[1]!.transport(tx('read', 0x1100, 16), 0)).toBe(7000);
    expect(xbar.stats.contentionCycles.value).toBe(0);
  });

  it('unmapped addresses get an address-error response after the latency', () => {
    const { xbar, ini } = setup();
    const t = tx('read', 0x5000, 4);
    expect(ini[0]!.transport(t, 1000)).toBe(3000);
    expect(t.response).toBe('address-error');
    expect(t.responseString).toBe('TLM_ADDRESS_ERROR_RESPONSE');
    expect(xbar.stats.transactions.value).toBe(0);
  });

  it('sustained traffic through one output runs at its bandwidth', () => {
    const { xbar, ini } = setup();
    let last = 0;
    for (let k = 0; k < 10; k++) last = ini[k % 2]!.transport(tx('read', 0x40 * k, 64), 0);
    // 10 x 64 B at 4 B/cycle = 160 cycles of output time; last starts at 144: 144 + 2 + 16 + 1
    expect(last).toBe(163_000);
    expect(xbar.busy.total).toBe(160_000);
  });
});
