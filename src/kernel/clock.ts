import { SimError, scaleTime, type Time } from '../util/index.js';
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
 * A clock (SystemC `sc_clock`): a boolean signal that changes at its edges with SystemC 2.3.4's
 * timing and delta counts: SystemC drives a clock with two internal method processes, so every
 * edge costs one delta for the clock (its write is committed in that delta's update) and
 * edge-sensitive processes run in the next delta. edgesim performs that process's work directly
 * from the timed queue and counts the delta the same way, without the process dispatch. Before
 * simulation the value is false if the first edge rises, else true. Create clocks before the
 * simulation starts, as SystemC requires.
 *
 * The high time is `period * dutyCycle` rounded to whole ps; the low time is the rest.
 */
export class Clock extends Signal<boolean> {
  // `declare`d: assigned in the constructor only (see PrimitiveChannel for why).
  declare readonly period: Time;
  declare readonly dutyCycle: number;
  declare readonly startTime: Time;
  declare readonly posedgeFirst: boolean;
  private declare readonly highTime: Time;
  private declare readonly lowTime: Time;
  /** The next edge rises. */
  private declare nextIsRise: boolean;

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
    this.nextIsRise = posFirst;
    sim.scheduleClockEdge(this, this.startTime);
  }

  /**
   * @internal Performs the edge due now: exactly what SystemC's internal posedge/negedge method
   * does when it runs in the first delta of this time step (schedule the following edge, write
   * the new value, committed in this delta's update phase), and counts as a process run.
   */
  edge(): void {
    const rise = this.nextIsRise;
    this.nextIsRise = !rise;
    const sim = this.sim;
    sim.nextClockEdge(this, rise ? this.highTime : this.lowTime);
    this.cur = this.read();
    this.next = rise;
    this.wStamp = sim.changeStamp;
    this.requestUpdate();
    sim.clockRan = true;
  }

  /** A clock is driven only by itself. */
  override write(_v: boolean): void {
    throw new SimError('clock-write', `clock '${this.path}' cannot be written; it is driven by its own period`, { path: this.path, time: this.sim.now });
  }
}
