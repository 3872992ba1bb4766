import { describe, expect, it } from 'vitest';
import { simError } from '../helpers/sim-error.js';
import { Simulation } from '../../src/kernel/index.js';
import {
  DmiRegion,
  GenericPayload,
  InitiatorSocket,
  TargetSocket,
  defineExtension,
  tlmBase,
  wordPayload,
} from '../../src/tlm/index.js';
import { ns } from '../../src/util/time.js';


/** A 64-byte memory target with a fixed latency, DMI and debug access. */
function memory(sim: Simulation, path: string, latency = ns(5)) {
  const bytes = new Uint8Array(64);
  const t = new TargetSocket(sim, path);
  t.onTransport((tx, delay) => {
    if (tx.address + tx.length > bytes.length) {
      tx.response = 'address-error';
      return delay;
    }
    if (tx.command === 'write') bytes.set(tx.data.subarray(0, tx.length), tx.address);
    else if (tx.command === 'read') tx.data.set(bytes.subarray(tx.address, tx.address + tx.length));
    tx.response = 'ok';
    tx.dmiAllowed = true;
    return delay + latency;
  });
  t.onGetDirectMemPtr(() => new DmiRegion({ start: 0, end: 63, data: bytes, readLatency: ns(1), writeLatency: ns(2) }));
  t.onTransportDbg((tx) => {
    const n = Math.max(0, Math.min(tx.length, bytes.length - tx.address));
    if (tx.command === 'read') tx.data.set(bytes.subarray(tx.address, tx.address + n));
    return n;
  });
  return { t, bytes };
}

describe('TLM-2.0 loosely timed', () => {
  it('binding checks protocol and width and names both ends', () => {
    const sim = new Simulation();
    const i = new InitiatorSocket(sim, 'cpu.data', tlmBase(64));
    const t = new TargetSocket(sim, 'spm.port', tlmBase(32));
    const e = simError(() => i.bind(t));
    expect(e.code).toBe('protocol-mismatch');
    expect(e.message).toContain("'cpu.data' (tlm-base, 64 bits)");
    expect(e.message).toContain("'spm.port' (tlm-base, 32 bits)");
    expect(e.message).toContain('bus width mismatch');
    const t2 = new TargetSocket(sim, 'acc.cfg', { name: 'apb', widthBits: 64 });
    expect(simError(() => i.bind(t2)).message).toContain('protocol mismatch');
  });

  it('binding twice and never binding are errors', () => {
    const sim = new Simulation();
    const i = new InitiatorSocket(sim, 'i');
    const a = memory(sim, 'a').t;
    const b = memory(sim, 'b').t;
    i.bind(a);
    const e = simError(() => i.bind(b));
    expect(e.code).toBe('socket-bound-twice');
    expect(e.message).toContain("'a'");
    expect(e.message).toContain("'b'");
    expect(simError(() => sim.run()).code).toBe('socket-unbound'); // b has no initiator
  });

  it('non-waiting targets serve transport() and bTransport() with annotated delays', () => {
    const sim = new Simulation();
    const i = new InitiatorSocket(sim, 'i');
    const { t, bytes } = memory(sim, 'mem');
    i.bind(t);
    const seen: number[] = [];
    sim.thread('cpu', function* () {
      let d = yield* i.bTransport(wordPayload('write', 8, 0xcafef00d), ns(1));
      seen.push(d);
      const rd = wordPayload('read', 8);
      d = i.transport(rd, d);
      seen.push(d, rd.readWord());
      const bad = wordPayload('read', 62);
      seen.push(i.transport(bad, 0));
      expect(bad.responseString).toBe('TLM_ADDRESS_ERROR_RESPONSE');
      expect(bad.isResponseError).toBe(true);
      yield d;
    });
    sim.run();
    expect(seen).toEqual([ns(6), ns(11), 0xcafef00d, 0]);
    expect(sim.now).toBe(ns(11));
    expect([...bytes.subarray(8, 12)]).toEqual([0x0d, 0xf0, 0xfe, 0xca]);
  });

  it('transport() on a target that may wait is refused with a fix', () => {
    const sim = new Simulation();
    const i = new InitiatorSocket(sim, 'i');
    const t = new TargetSocket(sim, 'slow');
    t.onBTransport(function* (_tx, d) {
      yield ns(1);
      return d;
    });
    i.bind(t);
    const e = simError(() => i.transport(wordPayload('read', 0), 0));
    expect(e.code).toBe('target-may-wait');
    expect(e.message).toContain('bTransport');
  });

  it('DMI grants a view of target storage and invalidation revokes it', () => {
    const sim = new Simulation();
    const i = new InitiatorSocket(sim, 'i');
    const { t, bytes } = memory(sim, 'mem');
    i.bind(t);
    const revoked: [number, number][] = [];
    i.onInvalidateDirectMemPtr((s, e) => revoked.push([s, e]));
    const r = i.getDirectMemPtr(wordPayload('read', 4));
    expect(r).not.toBeNull();
    r!.data[4] = 0x7f;
    expect(bytes[4]).toBe(0x7f);
    expect(r!.covers(60, 4)).toBe(true);
    expect(r!.covers(61, 4)).toBe(false);
    expect(r!.readLatency).toBe(ns(1));
    t.invalidateDirectMemPtr(32, 40);
    expect(r!.valid).toBe(false);
    expect(r!.covers(0)).toBe(false);
    expect(revoked).toEqual([[32, 40]]);
  });

  it('debug transport moves data without time', () => {
    const sim = new Simulation();
    const i = new InitiatorSocket(sim, 'i');
    const { t, bytes } = memory(sim, 'mem');
    i.bind(t);
    bytes.set([1, 2, 3], 61);
    const tx = new GenericPayload({ command: 'read', address: 61, data: new Uint8Array(8) });
    expect(i.transportDbg(tx)).toBe(3);
    expect([...tx.data.subarray(0, 3)]).toEqual([1, 2, 3]);
    expect(sim.now).toBe(0);
  });

  it('typed extensions travel with the payload', () => {
    const Prio = defineExtension<{ level: number }>('priority');
    const tx = wordPayload('write', 0, 1);
    expect(tx.getExtension(Prio)).toBeUndefined();
    tx.setExtension(Prio, { level: 3 });
    expect(tx.getExtension(Prio)?.level).toBe(3);
    tx.clearExtension(Prio);
    expect(tx.getExtension(Prio)).toBeUndefined();
  });

  it('payload fields are validated', () => {
    expect(simError(() => new GenericPayload({ command: 'read', address: -4, data: new Uint8Array(4) })).code).toBe('bad-payload');
    expect(simError(() => new GenericPayload({ command: 'read', address: 0, data: new Uint8Array(4), length: 8 })).code).toBe('bad-payload');
  });

  it('bTransport from a method is refused (the target may wait)', () => {
    const sim = new Simulation();
    const i = new InitiatorSocket(sim, 'i');
    i.bind(memory(sim, 'mem').t);
    sim.method('m', () => void i.bTransport(wordPayload('read', 0), 0));
    expect(simError(() => sim.run()).code).toBe('wait-outside-thread');
  });
});
