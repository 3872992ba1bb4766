import { SimError, scaleTime, type Time } from '../util/index.js';
import type { SimEvent } from './event.js';
import { Signal } from './signal.js';
import type { Simulation } from './simulation.js';

/** Parameters of a {@link Clock}. */
export interface ClockOptions {
  /** Period in ps (> 0). */
  readonly period: Time;
  /** Fraction of the period the clock is high, strictly between 0 and 1. Default 0.5. */
  readonly dutyCycle?: number;
  /** Time of the first edge. Default 0. */
  readonly startTime?: Time;
  /** First edge is rising (default) or falling. */
  readonly posedgeFirst?: boolean;
}

/**
 * A clock (SystemC `sc_clock`): a boolean signal driven by two internal method processes, as in
 * SystemC 2.3.4, so delta counts match the reference: at every edge one delta runs the clock's
 * own process (its write is committed in that delta's update) and edge-sensitive processes run
 * in the next delta. Before simulation its value is false if the first edge rises, else true.
 *
 * The high time is `period * dutyCycle` rounded to whole ps; the low time is the rest.
 */
export class Clock extends Signal<boolean> {
  readonly period: Time;
  readonly dutyCycle: number;
  readonly startTime: Time;
  readonly posedgeFirst: boolean;
  private readonly highTime: Time;
  private readonly lowTime: Time;
  private readonly nextPos: SimEvent;
  private readonly nextNeg: SimEvent;

  constructor(sim: Simulation, path: string, opts: ClockOptions) {
    const posFirst = opts.posedgeFirst ?? true;
    super(sim, path, !posFirst);
    const duty = opts.dutyCycle ?? 0.5;
    if (!Number.isSafeInteger(opts.period) || opts.period <= 0) {
      throw new SimError('bad-clock', `clock '${path}': period ${opts.period} ps must be a positive integer number of ps`, { path });
    }
    if (!(duty > 0 && duty < 1)) {
      throw new SimError('bad-clock', `clock '${path}': duty cycle ${duty} must be strictly between 0 and 1`, { path });
    }
    this.period = opts.period;
    this.dutyCycle = duty;
    this.startTime = opts.startTime ?? 0;
    this.posedgeFirst = posFirst;
    this.highTime = scaleTime(this.period, duty);
    this.lowTime = this.period - this.highTime;
    if (this.highTime <= 0 || this.lowTime <= 0) {
      throw new SimError('bad-clock', `clock '${path}': period ${this.period} ps with duty ${duty} leaves a zero-length phase at 1 ps resolution`, { path });
    }
    this.nextPos = sim.event(`${path}.next_posedge_event`);
    this.nextNeg = sim.event(`${path}.next_negedge_event`);
    sim.method(`${path}.posedge_action`, () => {
      this.nextNeg.notifyAfter(this.highTime);
      this.drive(true);
    }, { sensitive: [this.nextPos], dontInitialize: true });
    sim.method(`${path}.negedge_action`, () => {
      this.nextPos.notifyAfter(this.lowTime);
      this.drive(false);
    }, { sensitive: [this.nextNeg], dontInitialize: true });
    (posFirst ? this.nextPos : this.nextNeg).notifyAfter(this.startTime);
  }

  private drive(v: boolean): void {
    this.cur = this.read();
    this.next = v;
    this.wStamp = this.sim.changeStamp;
    this.requestUpdate();
  }

  /** A clock is driven only by itself. */
  override write(_v: boolean): void {
    throw new SimError('clock-write', `clock '${this.path}' cannot be written; it is driven by its own period`, { path: this.path, time: this.sim.now });
  }
}
