import { describe, expect, it } from 'vitest';
import { Simulation } from '../../src/kernel/index.js';
import { SimError } from '../../src/util/errors.js';
import {
  MAX_TIME,
  addTime,
  checkTime,
  divTime,
  formatDuration,
  formatTime,
  fromValue,
  modTime,
  ns,
  ps,
  scaleTime,
  subTime,
  time,
  timeRatio,
} from '../../src/util/time.js';

/** Asserts that `f` throws a SimError with `code`. */
function throwsCode(f: () => unknown, code: string): void {
  let caught: unknown;
  try {
    f();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(SimError);
  expect((caught as SimError).code).toBe(code);
}

describe('time range (documented deviation from SystemC)', () => {
  it('MAX_TIME is 2^53 - 1 ps, not SystemC 2^64 - 1 ps', () => {
    expect(MAX_TIME).toBe(Number.MAX_SAFE_INTEGER);
    expect(formatTime(MAX_TIME)).toBe('9007199254740991 ps');
    // formatTime still prints SystemC's sc_max_time() exactly when given a bigint.
    expect(formatTime(2n ** 64n - 1n)).toBe('18446744073709551615 ps');
  });

  it('MAX_TIME itself is a valid time', () => {
    expect(checkTime(MAX_TIME, 't')).toBe(MAX_TIME);
    expect(fromValue(MAX_TIME)).toBe(MAX_TIME);
    expect(addTime(MAX_TIME - 1, 1)).toBe(MAX_TIME);
    expect(subTime(MAX_TIME, MAX_TIME)).toBe(0);
  });

  it('arithmetic past MAX_TIME throws time-overflow', () => {
    throwsCode(() => addTime(MAX_TIME, 1), 'time-overflow');
    throwsCode(() => addTime(MAX_TIME, MAX_TIME), 'time-overflow');
    throwsCode(() => scaleTime(MAX_TIME, 2), 'time-overflow');
    throwsCode(() => scaleTime(ns(1), 1e13), 'time-overflow');
    throwsCode(() => fromValue(MAX_TIME + 1), 'time-overflow');
    throwsCode(() => checkTime(2 ** 60, 't'), 'time-overflow');
    throwsCode(() => time(10_000, 's'), 'time-overflow');
    throwsCode(() => time(1e20, 'ps'), 'time-overflow');
  });

  it('kernel entry points past MAX_TIME throw time-overflow', () => {
    const sim = new Simulation();
    const e = sim.event('e');
    sim.run(ns(10));
    throwsCode(() => e.notifyAfter(MAX_TIME), 'time-overflow');
    throwsCode(() => sim.run(MAX_TIME), 'time-overflow');

    const sim2 = new Simulation();
    sim2.thread('t', function* () {
      yield ns(1);
      yield MAX_TIME;
    });
    throwsCode(() => sim2.run(), 'time-overflow');
  });

  it('fractional and negative times throw bad-time', () => {
    throwsCode(() => fromValue(1.5), 'bad-time');
    throwsCode(() => fromValue(-1), 'bad-time');
    throwsCode(() => checkTime(0.25, 't'), 'bad-time');
    throwsCode(() => checkTime(Number.NaN, 't'), 'bad-time');
    throwsCode(() => checkTime(Number.POSITIVE_INFINITY, 't'), 'bad-time');
    throwsCode(() => addTime(1.5, 1), 'bad-time');
    throwsCode(() => addTime(1, -1), 'bad-time');
    throwsCode(() => subTime(ps(1), ps(2)), 'bad-time');
    throwsCode(() => scaleTime(ps(10), -1), 'bad-time');
    throwsCode(() => scaleTime(0.5, 2), 'bad-time');
    throwsCode(() => divTime(ns(1), 0), 'bad-time');
    throwsCode(() => divTime(-5, 2), 'bad-time');
    throwsCode(() => modTime(ns(1), 0), 'bad-time');
    throwsCode(() => modTime(ns(1), 0.5), 'bad-time');
    throwsCode(() => timeRatio(-1, 1), 'bad-time');
    throwsCode(() => ns(-1), 'bad-time');
    throwsCode(() => time(Number.NaN, 'ns'), 'bad-time');
    throwsCode(() => time(Number.POSITIVE_INFINITY, 'ps'), 'bad-time');
  });

  it('kernel entry points reject fractional and negative times with bad-time', () => {
    const sim = new Simulation();
    const e = sim.event('e');
    throwsCode(() => e.notifyAfter(1.5), 'bad-time');
    throwsCode(() => e.notifyAfter(-1), 'bad-time');
    throwsCode(() => sim.run(-1), 'bad-time');
    throwsCode(() => sim.run(0.5), 'bad-time');

    for (const bad of [2.5, -3]) {
      const s = new Simulation();
      s.thread('t', function* () {
        yield bad;
      });
      throwsCode(() => s.run(), 'bad-time');
    }
  });
});

describe('formatDuration', () => {
  it('scales to the largest unit at or above 1, 6 significant digits', () => {
    expect([479200, 1.5e9, 999, 0, 1e12, 1234567.891].map(formatDuration)).toEqual(['479.2 ns', '1.5 ms', '999 ps', '0 ps', '1 s', '1.23457 us']);
  });
});
