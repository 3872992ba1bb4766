import type { SimEvent, Wait } from '../../kernel/index.js';
import type { GenericPayload } from '../../tlm/index.js';
import type { Time } from '../../util/index.js';
import { SimModule, type ModuleContext, type SimFactory } from '../base.js';
import { EventUnitDef } from './def.js';

/** Requests on a `sync` port: the payload address (offset) selects the operation (ISA Xesync). */
export const SYNC_OPS = {
  /** `sync.bar`: data = barrier number. */
  bar: 0x0,
  /** `sync.evset`: data = event mask, raised at every core. */
  evset: 0x4,
  /** `sync.evwait`: data = event mask in, the pending events of the mask out (then cleared). */
  evwait: 0x8,
  /** `sync.wfe`: waits until any event is pending; clears nothing. */
  wfe: 0xc,
} as const;

/** Event line raised at every core by `irq[k]`: bit `IRQ_EVENT_BASE + k`. */
export const IRQ_EVENT_BASE = 16;

/** A synchronization request. */
export type SyncOp = keyof typeof SYNC_OPS;

interface BarrierRound {
  arrived: number;
  releasedAt: Time;
}

/**
 * Cluster event unit behaviour (after PULP's; semantics of the ISA's Xesync): hardware barriers
 * whose member set is every core unless set, 32 event lines per core, wait-for-event.
 *
 * Timing (GVSoC eu_v3): a request reaches the unit `wakeupRequestCycles` after it is issued (the
 * requesting thread waits until then, so requests take effect in time order); a request that
 * does not wait returns at once; a core that had to wait (barrier not complete, no pending
 * event) resumes `wakeupCycles` after its release, i.e. after the last core reached the barrier
 * or the event was raised. Cycles a core spends waiting at the unit (arrival to release) are
 * counted in `sleepCycles`; each request counts one `request` energy event.
 *
 * Cores reach it through the `sync` ports with a blocking transport (`yield* bTransport`) that
 * waits inside, or through {@link request} from their thread. `irq[k]` raises event
 * `IRQ_EVENT_BASE + k` at every core when its source event fires (e.g. `dma.done`).
 */
export class EventUnit extends SimModule<typeof EventUnitDef> {
  private readonly pending: Uint32Array;
  private readonly wake: SimEvent[];
  private readonly rounds: BarrierRound[];
  private readonly release: SimEvent[];
  private readonly members: number[];

  constructor(ctx: ModuleContext<typeof EventUnitDef>) {
    super(EventUnitDef, ctx);
    const p = this.params;
    this.pending = new Uint32Array(p.cores);
    this.wake = Array.from({ length: p.cores }, (_, c) => this.sim.event(`${this.path}.wake${c}`));
    this.rounds = Array.from({ length: p.barriers }, () => ({ arrived: 0, releasedAt: -1 }));
    this.release = Array.from({ length: p.barriers }, (_, b) => this.sim.event(`${this.path}.barrier${b}`));
    const all = p.cores >= 32 ? 0xffffffff : (1 << p.cores) - 1;
    this.members = Array.from({ length: p.barriers }, () => all >>> 0);
    this.targets('sync').forEach((s, c) => s?.onBTransport((tx, d) => this.transport(c, tx, d)));
  }

  /** Sets the member set of barrier `b` (bit c = core c). */
  setBarrierMembers(b: number, mask: number): void {
    this.barrierIndex(b);
    this.members[b] = mask >>> 0;
  }

  /** Events pending at core `c` (bit k = event k). */
  pendingAt(c: number): number {
    return this.pending[c]!;
  }

  override bindEventIn(name: string, index: number | undefined, source: SimEvent): void {
    super.bindEventIn(name, index, source);
    if (name !== 'irq') return;
    const bit = (1 << (IRQ_EVENT_BASE + (index ?? 0))) >>> 0;
    this.sim.method(`${this.path}.irq${index ?? 0}`, () => this.raise(bit), { sensitive: [source], dontInitialize: true });
  }

  private barrierIndex(b: number): number {
    if (!Number.isInteger(b) || b < 0 || b >= this.params.barriers) {
      throw this.error('eu-bad-barrier', `barrier ${b} does not exist (the unit has ${this.params.barriers})`);
    }
    return b;
  }

  private raise(mask: number): void {
    for (let c = 0; c < this.pending.length; c++) {
      this.pending[c] = (this.pending[c]! | mask) >>> 0;
      this.wake[c]!.notify();
    }
  }

  /**
   * One request from core `core` issued `delay` after now; returns the new annotated delay and,
   * for `evwait`, the events it consumed. Runs in the requesting thread and may wait there.
   */
  *request(core: number, op: SyncOp, operand: number, delay: Time): Generator<Wait, { delay: Time; value: number }, unknown> {
    const p = this.params;
    if (!Number.isInteger(core) || core < 0 || core >= p.cores) throw this.error('eu-bad-core', `core ${core} is not served (the unit has ${p.cores})`, undefined, delay);
    const at = this.timeOfCycle(this.cycleAt(this.sim.now + delay) + p.wakeupRequestCycles);
    if (at > this.sim.now) yield at - this.sim.now;
    this.energy.request.add();
    this.busy.add(at, at + this.period);
    const bit = 1 << core;
    const resumed = (since: Time): Time => {
      this.stats.sleepCycles.add(Math.round((this.sim.now - since) / this.period));
      return p.wakeupCycles * this.period;
    };
    switch (op) {
      case 'bar': {
        const b = this.barrierIndex(operand);
        const round = this.rounds[b]!;
        round.arrived = (round.arrived | bit) >>> 0;
        if ((round.arrived & this.members[b]!) >>> 0 === this.members[b]) {
          round.releasedAt = this.sim.now;
          this.rounds[b] = { arrived: 0, releasedAt: -1 };
          this.stats.barriers.add();
          this.release[b]!.notify();
          return { delay: p.wakeupCycles * this.period, value: 0 };
        }
        while (round.releasedAt < 0) yield this.release[b]!;
        return { delay: resumed(at), value: 0 };
      }
      case 'evset':
        this.raise(operand >>> 0);
        return { delay: 0, value: 0 };
      case 'evwait': {
        const mask = operand >>> 0;
        if (mask === 0) return { delay: 0, value: 0 };
        let slept = false;
        while ((this.pending[core]! & mask) === 0) {
          slept = true;
          yield this.wake[core]!;
        }
        const v = (this.pending[core]! & mask) >>> 0;
        this.pending[core] = (this.pending[core]! & ~mask) >>> 0;
        return { delay: slept ? resumed(at) : 0, value: v };
      }
      case 'wfe': {
        let slept = false;
        while (this.pending[core] === 0) {
          slept = true;
          yield this.wake[core]!;
        }
        return { delay: slept ? resumed(at) : 0, value: 0 };
      }
    }
  }

  private *transport(core: number, tx: GenericPayload, delay: Time): Generator<Wait, Time, unknown> {
    const off = tx.address % 16;
    const op = (Object.keys(SYNC_OPS) as SyncOp[]).find((k) => SYNC_OPS[k] === off);
    if (op === undefined || tx.length < 4) {
      tx.response = 'command-error';
      return delay;
    }
    const r = yield* this.request(core, op, tx.readWord(0, 4), delay);
    if (op === 'evwait') {
      let v = r.value;
      for (let i = 0; i < 4; i++) {
        tx.data[i] = v & 0xff;
        v >>>= 8;
      }
    }
    tx.response = 'ok';
    return r.delay;
  }
}

/** Builds {@link EventUnit} instances. */
export const eventUnitSim: SimFactory<typeof EventUnitDef> = { def: EventUnitDef, create: (ctx) => new EventUnit(ctx) };
