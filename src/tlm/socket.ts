import type { Elaboratable, Simulation, Wait } from '../kernel/index.js';
import { SimError, type Time } from '../util/index.js';
import type { GenericPayload } from './payload.js';

/**
 * What flows over a socket: a protocol name and a bus width. Binding two sockets whose
 * protocols or widths differ is an error naming both ends (TLM's BUSWIDTH template argument and
 * protocol types, checked at run time here).
 */
export interface Protocol {
  readonly name: string;
  readonly widthBits: number;
}

/** The TLM-2.0 base protocol (generic payload, loosely timed) at a bus width. */
export function tlmBase(widthBits = 32): Protocol {
  return { name: 'tlm-base', widthBits };
}

/**
 * A target's blocking transport (TLM `b_transport`): receives the transaction and the annotated
 * delay (time the initiator is ahead of simulation time), returns the new annotated delay. It
 * may wait (`yield ...`) because it runs in the initiator's thread.
 */
export type BTransportHandler = (tx: GenericPayload, delay: Time) => Generator<Wait, Time, unknown>;
/** A target's transport that never waits: same contract as {@link BTransportHandler}, no generator. */
export type TransportHandler = (tx: GenericPayload, delay: Time) => Time;
/** Direct memory access request: return a region covering `tx.address`, or null to deny. */
export type DmiHandler = (tx: GenericPayload) => DmiRegion | null;
/** Debug transport (TLM `transport_dbg`): no time, no side effects; returns bytes transferred. */
export type DebugHandler = (tx: GenericPayload) => number;

/**
 * An edgesim extension of the non-waiting transport for instruction-set simulators: one naturally
 * aligned read or write of 1, 2 or 4 bytes (no byte enables) without a payload object, timed in
 * the target's clock cycles. An access "at cycle c" is `transport` with the annotated delay
 * `c * period - now` (c * period must not be before now), and "ready at cycle r" means the
 * returned delay is `r * period - now`. A target that offers it (`TargetSocket.onWordAccess`)
 * must give exactly what `transport` gives for the same access (data, delay, timing state,
 * counters), and return undefined (read) or -1 (write) for an access it does not serve this way,
 * without side effects: the initiator then uses `transport` (which also reports errors).
 */
export interface WordTarget {
  /** Clock period of the cycles (ps). */
  readonly period: Time;
  /** Reads `bytes` at `address` through target port `port` at cycle `cycle`: the value (4 bytes: signed int32; 1, 2 bytes: zero-extended), or undefined. The ready cycle is left in {@link wordReady}. */
  readWordAt(port: number, address: number, bytes: number, cycle: number): number | undefined;
  /** Writes the low `bytes` of `value` at cycle `cycle`: returns the ready cycle, or -1. */
  writeWordAt(port: number, address: number, bytes: number, value: number, cycle: number): number;
  /** Ready cycle of the last served {@link readWordAt}. */
  readonly wordReady: number;
}

/**
 * A direct memory access grant (TLM `tlm_dmi`): the initiator may read/write `data` (a view of
 * the target's storage, `data[0]` is byte `start`) for addresses `start..end` (inclusive),
 * charging the given latency per access instead of calling transport. Targets revoke grants with
 * `TargetSocket.invalidateDirectMemPtr`; `valid` turns false for grants it overlaps.
 */
export class DmiRegion {
  readonly start: number;
  readonly end: number;
  readonly data: Uint8Array;
  readonly readLatency: Time;
  readonly writeLatency: Time;
  readonly canRead: boolean;
  readonly canWrite: boolean;
  /** False once invalidated by the target. */
  valid = true;

  constructor(init: {
    start: number;
    end: number;
    data: Uint8Array;
    readLatency: Time;
    writeLatency: Time;
    canRead?: boolean;
    canWrite?: boolean;
  }) {
    if (init.end < init.start || init.data.length < init.end - init.start + 1) {
      throw new SimError('bad-dmi', `DMI region ${init.start}..${init.end} does not fit its ${init.data.length}-byte buffer`);
    }
    this.start = init.start;
    this.end = init.end;
    this.data = init.data;
    this.readLatency = init.readLatency;
    this.writeLatency = init.writeLatency;
    this.canRead = init.canRead ?? true;
    this.canWrite = init.canWrite ?? true;
  }

  /** True if `[addr, addr+len)` lies inside the region and the region is still valid. */
  covers(addr: number, len = 1): boolean {
    return this.valid && addr >= this.start && addr + len - 1 <= this.end;
  }
}

function protoText(p: Protocol): string {
  return `${p.name}, ${p.widthBits} bits`;
}

/** What both ends of a TLM link have: a simulation, an instance path and a protocol. */
abstract class SocketEnd implements Elaboratable {
  readonly sim: Simulation;
  readonly path: string;
  readonly protocol: Protocol;

  constructor(sim: Simulation, path: string, protocol: Protocol = tlmBase()) {
    this.sim = sim;
    this.path = path;
    this.protocol = protocol;
    sim.registerName(path, this);
    sim.registerElaboratable(this);
  }

  /** @internal Checks the binding at the end of elaboration. */
  abstract completeBinding(): void;
}

/** The target side of a TLM link (like `simple_target_socket`). One initiator binds to it. */
export class TargetSocket extends SocketEnd {
  /** @internal */
  bt: BTransportHandler | null = null;
  /** @internal */
  nt: TransportHandler | null = null;
  /** @internal */
  dmi: DmiHandler | null = null;
  /** @internal */
  dbg: DebugHandler | null = null;
  /** @internal */
  initiator: InitiatorSocket | null = null;
  /** @internal */
  word: WordTarget | null = null;
  /** @internal The port number passed to {@link word}'s methods. */
  wordPort = 0;

  /** Registers a blocking transport that may wait. */
  onBTransport(h: BTransportHandler): void {
    this.bt = h;
  }
  /** Registers a transport that never waits (also serves `bTransport` callers, faster). */
  onTransport(h: TransportHandler): void {
    this.nt = h;
  }
  /** Offers direct word accesses ({@link WordTarget}) through this socket; `port` is passed to its methods. */
  onWordAccess(target: WordTarget, port: number): void {
    this.word = target;
    this.wordPort = port;
  }
  /** Registers the DMI request handler. */
  onGetDirectMemPtr(h: DmiHandler): void {
    this.dmi = h;
  }
  /** Registers the debug transport handler. */
  onTransportDbg(h: DebugHandler): void {
    this.dbg = h;
  }

  /** Revokes DMI grants overlapping `[start, end]` (TLM `invalidate_direct_mem_ptr`). */
  invalidateDirectMemPtr(start: number, end: number): void {
    this.initiator?.invalidate(start, end);
  }

  /** @internal */
  override completeBinding(): void {
    if (this.initiator === null) {
      throw new SimError('socket-unbound', `target socket '${this.path}' (${protoText(this.protocol)}) is not bound to an initiator socket`, { path: this.path });
    }
    if (this.bt === null && this.nt === null) {
      throw new SimError('socket-no-transport', `target socket '${this.path}' has no transport handler; register one with onTransport() or onBTransport()`, { path: this.path });
    }
  }
}

/** The initiator side of a TLM link (like `simple_initiator_socket`). */
export class InitiatorSocket extends SocketEnd {
  private target: TargetSocket | null = null;
  private invalidateCb: ((start: number, end: number) => void) | null = null;
  private grants: DmiRegion[] = [];


  /**
   * Binds to a target socket. The protocols and widths must agree; each socket binds once.
   * @throws SimError `protocol-mismatch`, `socket-bound-twice`, `cross-simulation`.
   */
  bind(target: TargetSocket): void {
    if (target.sim !== this.sim) {
      throw new SimError('cross-simulation', `cannot bind '${this.path}' to '${target.path}': they belong to different simulations`, { path: this.path });
    }
    if (this.target !== null) {
      throw new SimError('socket-bound-twice', `initiator socket '${this.path}' is already bound to '${this.target.path}'; cannot bind it to '${target.path}'`, { path: this.path });
    }
    if (target.initiator !== null) {
      throw new SimError('socket-bound-twice', `target socket '${target.path}' is already bound to '${target.initiator.path}'; cannot bind '${this.path}' to it too (use one target socket per initiator)`, { path: target.path });
    }
    const a = this.protocol;
    const b = target.protocol;
    if (a.name !== b.name || a.widthBits !== b.widthBits) {
      throw new SimError('protocol-mismatch', `cannot bind '${this.path}' (${protoText(a)}) -> '${target.path}' (${protoText(b)}): ${a.name !== b.name ? 'protocol' : 'bus width'} mismatch`, { path: this.path });
    }
    this.target = target;
    target.initiator = this;
  }

  private bound(): TargetSocket {
    if (this.target === null) {
      throw new SimError('socket-unbound', `initiator socket '${this.path}' is not bound`, { path: this.path });
    }
    return this.target;
  }

  /**
   * Blocking transport: `delay = yield* socket.bTransport(tx, delay)` in a thread. The target
   * may wait inside; the returned delay is the initiator's new annotated local time offset.
   */
  bTransport(tx: GenericPayload, delay: Time): Generator<Wait, Time, unknown> {
    const t = this.bound();
    this.sim.assertInThread(`'${this.path}'.bTransport()`);
    if (t.nt !== null) return immediate(t.nt(tx, delay));
    return t.bt!(tx, delay);
  }

  /**
   * Transport without waiting, for targets registered with `onTransport` (no generator object;
   * callable from methods too). @throws SimError `target-may-wait` if the target can only block.
   */
  transport(tx: GenericPayload, delay: Time): Time {
    const t = this.bound();
    if (t.nt === null) {
      throw new SimError('target-may-wait', `target '${t.path}' only offers a blocking transport that may wait; call 'yield* ${this.path}.bTransport()' from a thread`, { path: this.path });
    }
    return t.nt(tx, delay);
  }

  /** The bound target's direct word interface and port ({@link WordTarget}), or null if it offers none. */
  wordTarget(): { readonly target: WordTarget; readonly port: number } | null {
    const t = this.bound();
    return t.word === null ? null : { target: t.word, port: t.wordPort };
  }

  /** Requests DMI for `tx.address` (TLM `get_direct_mem_ptr`); null if the target denies it. */
  getDirectMemPtr(tx: GenericPayload): DmiRegion | null {
    const t = this.bound();
    if (t.dmi === null) return null;
    const r = t.dmi(tx);
    if (r !== null) this.grants.push(r);
    return r;
  }

  /** Debug access (TLM `transport_dbg`); returns bytes transferred, 0 if unsupported. */
  transportDbg(tx: GenericPayload): number {
    const t = this.bound();
    return t.dbg === null ? 0 : t.dbg(tx);
  }

  /** Called when the target invalidates DMI grants (TLM `invalidate_direct_mem_ptr`). */
  onInvalidateDirectMemPtr(cb: (start: number, end: number) => void): void {
    this.invalidateCb = cb;
  }

  /** @internal */
  invalidate(start: number, end: number): void {
    this.grants = this.grants.filter((g) => {
      const hit = g.start <= end && g.end >= start;
      if (hit) g.valid = false;
      return !hit;
    });
    this.invalidateCb?.(start, end);
  }

  /** @internal */
  override completeBinding(): void {
    if (this.target === null) {
      throw new SimError('socket-unbound', `initiator socket '${this.path}' (${protoText(this.protocol)}) is not bound to a target socket`, { path: this.path });
    }
  }
}

// eslint-disable-next-line require-yield
function* immediate(t: Time): Generator<Wait, Time, unknown> {
  return t;
}
