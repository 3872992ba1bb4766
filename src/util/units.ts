/**
 * Values with units, as written in platform and technology files: `64KiB`, `800MHz`, `10ns`,
 * `2.1pJ`, `12uW`, `0.5mm2`, and hex addresses `0x1C00_0000`.
 *
 * Every quantity is read into one fixed internal unit, named in its type: bytes (exact
 * integers), hertz, picoseconds ({@link Time}), picojoules, microwatts and square micrometres.
 * A bare number is refused wherever a unit is required: every number carries its unit.
 */
import { SimError } from './errors.js';
import { parseTime, type Time } from './time.js';

/** The kinds of quantity a unit string can denote. */
export type Quantity = 'bytes' | 'freq' | 'time' | 'energy' | 'power' | 'area';

/** Result of a non-throwing parse: a value, or a message naming the text and accepted units. */
export type UnitResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly message: string };

/** Accepted units per quantity and their factor to the internal unit (bytes are exact integers). */
const UNITS: Readonly<Record<Exclude<Quantity, 'time'>, Readonly<Record<string, number>>>> = {
  bytes: { B: 1, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3, KB: 1000, MB: 1000 ** 2, GB: 1000 ** 3 },
  freq: { Hz: 1, kHz: 1e3, MHz: 1e6, GHz: 1e9 },
  energy: { fJ: 1e-3, pJ: 1, nJ: 1e3, uJ: 1e6, µJ: 1e6, mJ: 1e9, J: 1e12 },
  power: { nW: 1e-3, uW: 1, µW: 1, mW: 1e3, W: 1e6 },
  area: { um2: 1, µm2: 1, mm2: 1e6 },
};

/** The internal unit each quantity is stored in. */
export const INTERNAL_UNIT: Readonly<Record<Quantity, string>> = {
  bytes: 'B', freq: 'Hz', time: 'ps', energy: 'pJ', power: 'uW', area: 'um2',
};

/** The units accepted for a quantity, for messages and docs. */
export function acceptedUnits(q: Quantity): readonly string[] {
  return q === 'time' ? ['fs', 'ps', 'ns', 'us', 'ms', 's'] : Object.keys(UNITS[q]).filter((u) => !u.startsWith('µ'));
}

const EXAMPLE: Readonly<Record<Quantity, string>> = {
  bytes: '64KiB', freq: '800MHz', time: '10ns', energy: '2.1pJ', power: '12uW', area: '0.5mm2',
};

const NUM_UNIT_RE = /^\s*([0-9]+(?:\.[0-9]*)?(?:[eE][+-]?[0-9]+)?)\s*([A-Za-zµ0-9]+)\s*$/;

function refuse(q: Quantity, text: string, why: string): { ok: false; message: string } {
  return {
    ok: false,
    message: `cannot read ${JSON.stringify(text)} as ${q === 'freq' ? 'a frequency' : q === 'energy' ? 'an energy' : q === 'area' ? 'an area' : `a ${q === 'bytes' ? 'size' : q}`}: ${why}; write a number followed by one of ${acceptedUnits(q).join(', ')} (e.g. "${EXAMPLE[q]}")`,
  };
}

/**
 * Reads a quantity without throwing. `raw` is the YAML value: a string such as `"64KiB"`.
 * Numbers are refused (a unit is required), except `0`, which needs none.
 */
export function parseQuantity(q: Quantity, raw: unknown): UnitResult<number> {
  if (raw === 0) return { ok: true, value: 0 };
  if (typeof raw === 'number') return refuse(q, String(raw), 'the unit is missing');
  if (typeof raw !== 'string') return refuse(q, String(raw), 'not a string');
  if (q === 'time') {
    try {
      return { ok: true, value: parseTime(raw) };
    } catch (e) {
      return refuse(q, raw, e instanceof SimError && /overflow|negative/.test(e.code) ? e.message : 'unknown or missing unit');
    }
  }
  const m = NUM_UNIT_RE.exec(raw);
  if (!m || m[1] === undefined || m[2] === undefined) return refuse(q, raw, /^\s*[0-9.eE+-]+\s*$/.test(raw) ? 'the unit is missing' : 'not a number with a unit');
  const factor = UNITS[q][m[2]];
  if (factor === undefined) return refuse(q, raw, `unknown unit '${m[2]}'`);
  const n = Number(m[1]);
  if (q === 'bytes') {
    const v = n * factor;
    if (!Number.isSafeInteger(v)) return refuse(q, raw, 'not a whole number of bytes');
    return { ok: true, value: v };
  }
  // Scale through the exponent to avoid 2.1 * 1e-3 style noise where possible.
  const v = factor >= 1 ? n * factor : n / Math.round(1 / factor);
  return { ok: true, value: v };
}

function orThrow<T>(r: UnitResult<T>): T {
  if (!r.ok) throw new SimError('bad-unit', r.message);
  return r.value;
}

/** `"64KiB"` -> 65536 (exact). @throws SimError `bad-unit`. */
export const parseBytes = (text: string): number => orThrow(parseQuantity('bytes', text));
/** `"800MHz"` -> 8e8 Hz. @throws SimError `bad-unit`. */
export const parseFreq = (text: string): number => orThrow(parseQuantity('freq', text));
/** `"2.1pJ"` -> 2.1 (picojoules). @throws SimError `bad-unit`. */
export const parseEnergy = (text: string): number => orThrow(parseQuantity('energy', text));
/** `"12uW"` -> 12 (microwatts). @throws SimError `bad-unit`. */
export const parsePower = (text: string): number => orThrow(parseQuantity('power', text));
/** `"0.5mm2"` -> 500000 (square micrometres). @throws SimError `bad-unit`. */
export const parseArea = (text: string): number => orThrow(parseQuantity('area', text));
/** `"10ns"` -> 10000 ps; the same reader as `parseTime`, under the common name. */
export const parseDuration = (text: string): Time => parseTime(text);

/**
 * Reads a plain count (an integer without unit). YAML gives numbers; strings of digits are
 * accepted too. Units are refused here: a count has none.
 */
export function parseCount(raw: unknown): UnitResult<number> {
  const n = typeof raw === 'number' ? raw : typeof raw === 'string' && /^\s*-?[0-9]+\s*$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(n)) return { ok: false, message: `cannot read ${JSON.stringify(raw)} as a count: write a whole number without unit (e.g. 8)` };
  return { ok: true, value: n };
}

/**
 * Reads a byte address: a hex string `0x1C000000` (underscores allowed: `0x1C00_0000`) or a
 * non-negative integer (YAML 1.2 already reads unquoted `0x1C000000` as one).
 */
export function parseAddress(raw: unknown): UnitResult<number> {
  if (typeof raw === 'number' && Number.isSafeInteger(raw) && raw >= 0) return { ok: true, value: raw };
  if (typeof raw === 'string' && /^\s*0x[0-9a-fA-F_]+\s*$/.test(raw) && !/__|_$|x_/.test(raw.trim())) {
    const v = Number.parseInt(raw.trim().slice(2).replaceAll('_', ''), 16);
    if (Number.isSafeInteger(v)) return { ok: true, value: v };
  }
  return { ok: false, message: `cannot read ${JSON.stringify(raw)} as an address: write a hex number such as 0x1C000000 (underscores allowed: 0x1C00_0000)` };
}

/** Formats a byte count with the largest exact binary unit: 65536 -> `64 KiB`, 1000 -> `1000 B`. */
export function formatBytes(n: number): string {
  for (const [u, f] of [['GiB', 1024 ** 3], ['MiB', 1024 ** 2], ['KiB', 1024]] as const) if (n !== 0 && n % f === 0) return `${n / f} ${u}`;
  return `${n} B`;
}

/** Formats a frequency in hertz with the largest exact unit: 8e8 -> `800 MHz`. */
export function formatFreq(hz: number): string {
  for (const [u, f] of [['GHz', 1e9], ['MHz', 1e6], ['kHz', 1e3]] as const) if (hz !== 0 && hz % f === 0) return `${hz / f} ${u}`;
  return `${hz} Hz`;
}

/** Formats a value in its quantity's internal unit (`2.1 pJ`, `64 KiB`, `10 ns`). */
export function formatQuantity(q: Quantity, v: number): string {
  if (q === 'bytes') return formatBytes(v);
  if (q === 'freq') return formatFreq(v);
  if (q === 'time') return `${v} ps`;
  return `${Number(v.toPrecision(12))} ${INTERNAL_UNIT[q]}`;
}

/** Hex address as written in platform files: 0x1C000000. */
export const formatAddress = (a: number): string => `0x${a.toString(16).toUpperCase().padStart(8, '0')}`;
