import { describe, expect, it } from 'vitest';
import { Memory, MemoryDef } from '../../src/modules/index.js';
import { GenericPayload } from '../../src/tlm/index.js';
import { simError } from '../helpers/sim-error.js';
import { Simulation, ctxFor, initiator, win } from '../helpers/modules.js';

/** L2 at 250 MHz (4 ns cycle): latency 12 cycles, 8 B/cycle, 64-bit port, mapped at 0x1C000000. */
function setup(ports = 1) {
  const sim = new Simulation();
  const l2 = new Memory({ ...ctxFor(sim, MemoryDef, 'l2', { sizeBytes: 512 * 1024, ports, dataWidthBits: 64, latencyCycles: 12, bandwidthBytesPerCycle: 8 }, { region: win('l2', 0x1c00_0000, 512 * 1024) }), periodPs: 4000 });
  const ini = Array.from({ length: ports }, (_, i) => {
    const s = initiator(sim, `m${i}`, 64);
    s.bind(l2.targets('mem')[i]!);
    return s;
  });
  return { sim, l2, ini };
}
const burst = (command: 'read' | 'write', address: number, bytes: number, fill = 0) =>
  new GenericPayload({ command, address, data: new Uint8Array(bytes).map((_, i) => (fill + i) & 0xff) });

describe('memory: latency + bandwidth with a free-at port', () => {
  it('delay = (latency + ceil(bytes / bandwidth)) cycles', () => {
    const { l2, ini } = setup();
    expect(ini[0]!.transport(burst('read', 0x1c00_0000, 256), 0)).toBe((12 + 32) * 4000);
    expect(l2.stats.bytesRead.value).toBe(256);
    expect(l2.energy.access.value).toBe(32); // 64-bit words
  });

  it('back-to-back requests share the bandwidth; latency is pipelined', () => {
    const { l2, ini } = setup();
    const d = [0, 1, 2].map(() => ini[0]!.transport(burst('read', 0x1c00_0000, 256), 0));
    expect(d).toEqual([44, 76, 108].map((c) => c * 4000)); // starts at cycles 0, 32, 64
    expect(l2.portTraffic('mem', 0)).toMatchObject({ transactions: 3, bytes: 768, conflicts: 2, stallCycles: 32 + 64 });
    // sustained: 8 B/cycle
    expect(l2.busy.total).toBe(96 * 4000);
  });

  it('separate ports have separate bandwidth; a request arriving later than free-at does not wait', () => {
    const { ini } = setup(2);
    expect(ini[0]!.transport(burst('read', 0x1c00_0000, 64), 0)).toBe(20 * 4000);
    expect(ini[1]!.transport(burst('read', 0x1c00_0040, 64), 0)).toBe(20 * 4000);
    expect(ini[0]!.transport(burst('read', 0x1c00_0000, 64), 100 * 4000)).toBe(120 * 4000);
  });

  it('bytes written are read back; out-of-range stops with the module, address and time', () => {
    const { l2, ini } = setup();
    ini[0]!.transport(burst('write', 0x1c00_0100, 100, 7), 0);
    const r = burst('read', 0x1c00_0100, 100);
    ini[0]!.transport(r, 0);
    expect([...r.data]).toEqual(Array.from({ length: 100 }, (_, i) => (7 + i) & 0xff));
    expect(l2.stats.bytesWritten.value).toBe(100);
    const e = simError(() => ini[0]!.transport(burst('read', 0x1c08_0000, 4), 8000));
    expect(e.code).toBe('address-out-of-range');
    expect(e.message).toMatch(/memory 'l2'.*0x1C080000.*8 ns/);
    expect(simError(() => ini[0]!.transport(burst('read', 0x1c00_0002, 4), 0)).code).toBe('misaligned');
  });
});
