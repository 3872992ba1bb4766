/**
 * Simulated time: an integer number of picoseconds held in a JavaScript `number`.
 *
 * Why a number and not a bigint: the kernel's timed queue compares and adds times on every
 * notification, and bigint arithmetic allocates. A number is exact for every integer up to
 * 2^53 - 1 ps (about 9007 s, 2.5 h of simulated time), far beyond one inference of an edge
 * accelerator. Every kernel entry point checks that a time is a non-negative safe integer and
 * raises `SimError('bad-time' | 'time-overflow')` otherwise; nothing is silently rounded except
 * by the explicit unit constructors, which round like SystemC's `sc_time(double, unit)`.
 *
 * Resolution is fixed at 1 ps (SystemC's default); the default time unit is 1 ns.
 *
 * Not modelled: SystemC's full 64-bit range (`sc_max_time()` = 2^64 - 1 ps). `MAX_TIME` is
 * 2^53 - 1 ps. {@link formatTime} also accepts a `bigint` so values beyond that range print
 * with the same rule.
 */
import { SimError } from './errors.js';

/** Integer picoseconds. A plain number at run time; the alias documents intent. */
export type Time = number;

/** Units SystemC knows, smallest first. */
export type TimeUnit = 'fs' | 'ps' | 'ns' | 'us' | 'ms' | 's';

/** Largest representable time: 2^53 - 1 ps (about 2.5 hours of simulated time). */
export const MAX_TIME: Time = Number.MAX_SAFE_INTEGER;
/** Zero time (SystemC `SC_ZERO_TIME`). */
export const ZERO_TIME: Time = 0;
/** The time resolution: 1 ps. */
export const TIME_RESOLUTION: Time = 1;
/** The default time unit used by {@link toDefaultTimeUnits}: 1 ns. */
export const DEFAULT_TIME_UNIT: Time = 1000;

const UNIT_IN_FS: Readonly<Record<TimeUnit, number>> = {
  fs: 1e-3,
  ps: 1,
  ns: 1e3,
  us: 1e6,
  ms: 1e9,
  s: 1e12,
};

/**
 * Builds a time from a value in a unit, rounding to the nearest picosecond with halves rounded
 * up, exactly as SystemC's `sc_time(double, sc_time_unit)` does (1.5 ps -> 2 ps, 499 fs -> 0).
 *
 * @throws SimError `bad-time` for negative or non-finite values, `time-overflow` beyond MAX_TIME.
 * @example time(1.5, 'ns') // 1500
 */
export function time(value: number, unit: TimeUnit): Time {
  if (!Number.isFinite(value) || value < 0) {
    throw new SimError('bad-time', `time value ${value} ${unit} is not a non-negative finite number`);
  }
  const scale = UNIT_IN_FS[unit];
  // Integer values in integer-scaled units are exact; avoid the +0.5 path for them.
  const raw = Number.isInteger(value) && unit !== 'fs' ? value * scale : Math.floor(value * scale + 0.5);
  if (raw > MAX_TIME) {
    throw new SimError('time-overflow', `${value} ${unit} exceeds the largest time ${MAX_TIME} ps (2^53 - 1 ps)`);
  }
  return raw;
}

/** `n` femtoseconds, rounded to the nearest picosecond (halves up). */
export const fs = (n: number): Time => time(n, 'fs');
/** `n` picoseconds (fractions rounded to the nearest ps, halves up). */
export const ps = (n: number): Time => time(n, 'ps');
/** `n` nanoseconds. */
export const ns = (n: number): Time => time(n, 'ns');
/** `n` microseconds. */
export const us = (n: number): Time => time(n, 'us');
/** `n` milliseconds. */
export const ms = (n: number): Time => time(n, 'ms');
/** `n` seconds. */
export const sec = (n: number): Time => time(n, 's');

/** A time given as a raw count of picoseconds (SystemC `sc_time::from_value`). Checked. */
export function fromValue(v: number): Time {
  return checkTime(v, 'fromValue');
}

/**
 * Returns `t` if it is a valid time (non-negative safe integer), else throws.
 * @param what names the caller in the message.
 */
export function checkTime(t: number, what: string): Time {
  if (!Number.isSafeInteger(t) || t < 0) {
    if (Number.isInteger(t) && t > MAX_TIME) {
      throw new SimError('time-overflow', `${what}: ${t} ps exceeds the largest time ${MAX_TIME} ps`);
    }
    throw new SimError('bad-time', `${what}: ${t} is not a time (times are non-negative integer picoseconds; build them with ns(), ps(), ...)`);
  }
  return t;
}

/** a + b, checked for overflow. */
export function addTime(a: Time, b: Time): Time {
  return checkTime(checkTime(a, 'addTime') + checkTime(b, 'addTime'), 'addTime');
}

/** a - b; a negative result is an error (times are never negative). */
export function subTime(a: Time, b: Time): Time {
  const r = checkTime(a, 'subTime') - checkTime(b, 'subTime');
  if (r < 0) throw new SimError('bad-time', `subTime: ${a} ps - ${b} ps is negative`);
  return r;
}

/** t * k rounded to the nearest picosecond (halves up), as SystemC's `sc_time * double`. */
export function scaleTime(t: Time, k: number): Time {
  if (!Number.isFinite(k) || k < 0) throw new SimError('bad-time', `scaleTime: factor ${k} is not a non-negative finite number`);
  return checkTime(Math.floor(checkTime(t, 'scaleTime') * k + 0.5), 'scaleTime');
}

/** t / n truncated to whole picoseconds, as SystemC's `sc_time / double` on integer times. */
export function divTime(t: Time, n: number): Time {
  if (!(n > 0) || !Number.isFinite(n)) throw new SimError('bad-time', `divTime: divisor ${n} must be a positive finite number`);
  return Math.floor(checkTime(t, 'divTime') / n + 0.5);
}

/** t mod m. */
export function modTime(t: Time, m: Time): Time {
  if (checkTime(m, 'modTime') === 0) throw new SimError('bad-time', 'modTime: modulus is zero');
  return checkTime(t, 'modTime') % m;
}

/** The dimensionless ratio a / b (SystemC `sc_time / sc_time`). */
export function timeRatio(a: Time, b: Time): number {
  return checkTime(a, 'timeRatio') / checkTime(b, 'timeRatio');
}

/** The time in seconds as a double. */
export const toSeconds = (t: Time): number => t / 1e12;
/** The time in default time units (ns) as a double. */
export const toDefaultTimeUnits = (t: Time): number => t / DEFAULT_TIME_UNIT;

const PRINT_UNITS = ['fs', 'ps', 'ns', 'us', 'ms', 's'] as const;

/**
 * Prints a time with SystemC's `sc_time::to_string()` rule at 1 ps resolution: zero prints
 * `0 s`; otherwise the value in femtoseconds is divided by 1000 as many times as it has whole
 * groups of three trailing zeros (at most five), and the matching unit is appended.
 * 12500 ps -> `12500 ps`, 2000 ns -> `2 us`, 1500 ns -> `1500 ns`.
 *
 * Accepts a bigint so that values beyond MAX_TIME (e.g. SystemC's 2^64 - 1 ps) print exactly.
 */
export function formatTime(t: Time | bigint): string {
  let v = BigInt(t) * 1000n; // femtoseconds
  if (v === 0n) return '0 s';
  let u = 0;
  while (u < 5 && v % 1000n === 0n) {
    v /= 1000n;
    u++;
  }
  return `${v} ${PRINT_UNITS[u]}`;
}

const TIME_RE = /^\s*([0-9]+(?:\.[0-9]*)?(?:[eE][+-]?[0-9]+)?)\s*(fs|ps|ns|us|µs|ms|s|sec)\s*$/;

/**
 * Parses a time with its unit, e.g. `"10ns"`, `"1.5 us"`, `"250 ps"`. A bare number without a
 * unit is refused: every number carries its unit.
 *
 * @throws SimError `bad-time` naming the text and the accepted units.
 */
export function parseTime(text: string): Time {
  const m = TIME_RE.exec(text);
  if (!m || m[1] === undefined || m[2] === undefined) {
    throw new SimError('bad-time', `cannot read "${text}" as a time: write a number followed by one of fs, ps, ns, us, ms, s (e.g. "10ns")`);
  }
  const unit = m[2] === 'µs' ? 'us' : m[2] === 'sec' ? 's' : (m[2] as TimeUnit);
  return time(Number(m[1]), unit);
}

/**
 * A duration in ps (any non-negative number, e.g. a mean) in the largest unit that keeps it at
 * or above 1, with up to 6 significant digits: 479200 -> `479.2 ns`, 1.5e9 -> `1.5 ms`. For
 * exact simulated times use {@link formatTime} (SystemC's rule).
 */
export function formatDuration(ps: number): string {
  const units: readonly [string, number][] = [['s', 1e12], ['ms', 1e9], ['us', 1e6], ['ns', 1e3], ['ps', 1]];
  for (const [u, f] of units) if (Math.abs(ps) >= f || u === 'ps') return `${Number((ps / f).toPrecision(6))} ${u}`;
  return `${ps} ps`;
}
