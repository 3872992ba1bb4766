import { SimError } from '../util/index.js';
import type { SimEvent } from './event.js';
import type { Process, Wait } from './process.js';
import type { Simulation } from './simulation.js';

/**
 * A mutex (SystemC `sc_mutex`). `unlock()` notifies waiters immediately, but there is no
 * hand-over: a woken waiter re-checks and keeps waiting if another process locked meanwhile.
 */
export class Mutex {
  readonly sim: Simulation;
  readonly path: string;
  private owner: Process | null = null;
  private readonly freeEv: SimEvent;

  constructor(sim: Simulation, path: string) {
    this.sim = sim;
    this.path = path;
    sim.registerName(path, this);
    this.freeEv = sim.event(`${path}.free_event`);
  }

  /** True while locked. */
  get isLocked(): boolean {
    return this.owner !== null;
  }

  /** Blocking lock: `yield* mutex.lock()`. Locking a mutex one already owns returns at once. */
  lock(): Generator<Wait, void, unknown> {
    const me = this.sim.assertInThread(`mutex '${this.path}'.lock()`);
    return this.lockGen(me);
  }

  private *lockGen(me: Process): Generator<Wait, void, unknown> {
    if (this.owner === me) return;
    while (this.owner !== null) yield this.freeEv;
    this.owner = me;
  }

  /** Locks if free (SystemC `trylock() == 0`); returns false if locked. */
  tryLock(): boolean {
    if (this.owner !== null) return false;
    this.owner = this.sim.currentProcess;
    if (this.owner === null) throw new SimError('no-process', `mutex '${this.path}'.tryLock() must be called from a process`, { path: this.path });
    return true;
  }

  /** Unlocks if the caller owns the mutex (SystemC `unlock() == 0`); returns false otherwise. */
  unlock(): boolean {
    if (this.owner === null || this.owner !== this.sim.currentProcess) return false;
    this.owner = null;
    this.freeEv.notify();
    return true;
  }
}

/** A counting semaphore (SystemC `sc_semaphore`). `post()` notifies waiters immediately. */
export class Semaphore {
  readonly sim: Simulation;
  readonly path: string;
  private count: number;
  private readonly freeEv: SimEvent;

  constructor(sim: Simulation, path: string, initial: number) {
    if (!Number.isSafeInteger(initial) || initial < 0) {
      throw new SimError('bad-semaphore', `semaphore '${path}': initial value ${initial} must be a non-negative integer`, { path });
    }
    this.sim = sim;
    this.path = path;
    sim.registerName(path, this);
    this.count = initial;
    this.freeEv = sim.event(`${path}.free_event`);
  }

  /** Current value (SystemC `get_value()`). */
  get value(): number {
    return this.count;
  }

  /** Blocking wait (decrement): `yield* sem.wait()`. */
  wait(): Generator<Wait, void, unknown> {
    this.sim.assertInThread(`semaphore '${this.path}'.wait()`);
    return this.waitGen();
  }

  private *waitGen(): Generator<Wait, void, unknown> {
    while (this.count <= 0) yield this.freeEv;
    this.count--;
  }

  /** Decrements if positive (SystemC `trywait() == 0`); returns false otherwise. */
  tryWait(): boolean {
    if (this.count <= 0) return false;
    this.count--;
    return true;
  }

  /** Increments and wakes waiters (SystemC `post()`). */
  post(): void {
    this.count++;
    this.freeEv.notify();
  }
}
