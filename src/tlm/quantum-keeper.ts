import type { Simulation, Wait } from '../kernel/index.js';
import { SimError, checkTime, type Time } from '../util/index.js';

const GLOBAL_QUANTUM = new WeakMap<Simulation, Time>();

/** Sets the global quantum of a simulation (TLM `tlm_global_quantum::set`). Default 0. */
export function setGlobalQuantum(sim: Simulation, quantum: Time): void {
  GLOBAL_QUANTUM.set(sim, checkTime(quantum, 'setGlobalQuantum'));
}

/** The global quantum of a simulation (0 if never set). */
export function getGlobalQuantum(sim: Simulation): Time {
  return GLOBAL_QUANTUM.get(sim) ?? 0;
}

/**
 * Temporal decoupling for a loosely-timed initiator (TLM `tlm_quantumkeeper`): the initiator
 * runs ahead of simulation time by a local offset and synchronises (waits the offset out) when it
 * reaches the next quantum boundary. Same rules as SystemC's:
 * - the next sync point is `now + (Q - now mod Q)` at `reset()` (Q = global quantum; 0 means
 *   sync after every access);
 * - `needSync` is `now + local >= nextSyncPoint`; before the first `reset()` it is always true;
 * - `sync()` waits `local` then resets.
 *
 * @example
 * const qk = new QuantumKeeper(sim); qk.reset();
 * delay = yield* socket.bTransport(tx, qk.localTime); qk.localTime = delay;
 * if (qk.needSync) yield* qk.sync();
 */
export class QuantumKeeper {
  readonly sim: Simulation;
  private local: Time = 0;
  private nextSync: Time = 0;

  constructor(sim: Simulation) {
    this.sim = sim;
  }

  /** The global quantum in force. */
  get globalQuantum(): Time {
    return getGlobalQuantum(this.sim);
  }
  /** Time to the next quantum boundary from now (TLM `compute_local_quantum`). */
  computeLocalQuantum(): Time {
    const q = getGlobalQuantum(this.sim);
    return q === 0 ? 0 : q - (this.sim.now % q);
  }
  /** The local time offset (ahead of simulation time). */
  get localTime(): Time {
    return this.local;
  }
  set localTime(t: Time) {
    this.local = checkTime(t, 'QuantumKeeper.localTime');
  }
  /** Adds to the local time offset (TLM `inc`). */
  inc(t: Time): void {
    this.local = checkTime(this.local + t, 'QuantumKeeper.inc');
  }
  /** Simulation time plus the local offset (TLM `get_current_time`). */
  get currentTime(): Time {
    return this.sim.now + this.local;
  }
  /** The absolute time of the next synchronisation point. */
  get nextSyncPoint(): Time {
    return this.nextSync;
  }
  /** True when the local offset reached the next sync point (TLM `need_sync`). */
  get needSync(): boolean {
    return this.sim.now + this.local >= this.nextSync;
  }
  /** Zeroes the offset and computes the next sync point (TLM `reset`). */
  reset(): void {
    this.local = 0;
    this.nextSync = this.sim.now + this.computeLocalQuantum();
  }
  /** Waits out the local offset, then resets: `yield* qk.sync()` (TLM `sync`). */
  sync(): Generator<Wait, void, unknown> {
    const p = this.sim.currentProcess;
    if (p === null || !p.isThread) {
      throw new SimError('wait-outside-thread', 'QuantumKeeper.sync() waits and can only be used in a thread process', { time: this.sim.now });
    }
    return this.syncGen();
  }
  private *syncGen(): Generator<Wait, void, unknown> {
    yield this.local;
    this.reset();
  }
  /** Sets the offset and syncs if needed (TLM `set_and_sync`): `yield* qk.setAndSync(t)`. */
  *setAndSync(t: Time): Generator<Wait, void, unknown> {
    this.localTime = t;
    if (this.needSync) yield* this.sync();
  }
}
