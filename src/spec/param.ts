/**
 * Parameter declarations: type, unit, default, range and doc, plus the reader that turns a YAML
 * value into the typed value. Readers never throw; they return a message for a diagnostic.
 */
import { formatQuantity, parseCount, parseQuantity, type Quantity, type Time, type UnitResult } from '../util/index.js';

/** Parameter types. Quantities are stored in their internal unit (see util/units). */
export type ParamType = 'int' | 'bool' | 'enum' | 'set' | Quantity;

/** Why a value was refused: `bad-value` (wrong type), `bad-unit` (a quantity without or with a wrong unit) or `out-of-range`. */
export type ParamIssue = { readonly code: 'bad-value' | 'bad-unit' | 'out-of-range'; readonly message: string; readonly hint?: string };
/** Result of reading one parameter value. */
export type ParamResult<T> = { readonly ok: true; readonly value: T } | ({ readonly ok: false } & ParamIssue);

/** One declared parameter. `T` is the typed value modules receive. */
export interface ParamSpec<T, Ty extends ParamType = ParamType> {
  readonly type: Ty;
  /** Internal unit for quantities (`B`, `Hz`, `ps`, `pJ`, `uW`, `um2`), `cycles` etc. for ints, or ''. */
  readonly unit: string;
  readonly doc: string;
  /** The default as written (`'64KiB'`, `8`); absent = the platform or a tech file must set it. */
  readonly default?: string | number | boolean | readonly string[];
  /** Range, in the internal unit. */
  readonly min?: number;
  readonly max?: number;
  /** For `int`: must be a power of two. */
  readonly powerOfTwo?: boolean;
  /** For `enum` and `set`: the allowed values. */
  readonly values?: readonly string[];
  /** Technology-dependent (energy, power, area, analog latency): normally set by a tech file. */
  readonly tech?: boolean;
  /** YAML value -> typed value or an issue; never throws. */
  parse(raw: unknown): ParamResult<T>;
  /** Typed value -> text for docs and messages. */
  format(v: T): string;
}

/** Any parameter spec. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyParamSpec = ParamSpec<any>;
/** A module's parameter declarations by name. */
export type ParamShape = Readonly<Record<string, AnyParamSpec>>;
/** The typed parameter values of a shape. */
export type ParamValues<S extends ParamShape> = { readonly [K in keyof S]: S[K] extends ParamSpec<infer T, ParamType> ? T : never };
/** Names of parameters of a given type (e.g. every `energy` param), for energy declarations. */
export type ParamsOfType<S extends ParamShape, Ty extends ParamType> = { [K in keyof S]: S[K]['type'] extends Ty ? K : never }[keyof S] & string;

interface Common {
  readonly doc: string;
  readonly tech?: boolean;
}
interface Ranged extends Common {
  readonly min?: number;
  readonly max?: number;
}

function checkRange<T extends number>(v: T, o: Ranged, fmt: (n: number) => string): ParamResult<T> {
  if (o.min !== undefined && v < o.min) return { ok: false, code: 'out-of-range', message: `${fmt(v)} is below the minimum ${fmt(o.min)}`, hint: `use a value of at least ${fmt(o.min)}` };
  if (o.max !== undefined && v > o.max) return { ok: false, code: 'out-of-range', message: `${fmt(v)} is above the maximum ${fmt(o.max)}`, hint: `use a value of at most ${fmt(o.max)}` };
  return { ok: true, value: v };
}

function fromUnit<T>(r: UnitResult<T>): ParamResult<T> {
  return r.ok ? r : { ok: false, code: 'bad-value', message: r.message };
}

function opt<K extends string, V>(k: K, v: V | undefined): { [P in K]?: V } {
  return (v === undefined ? {} : { [k]: v }) as { [P in K]?: V };
}

function quantity<Q extends Quantity>(q: Q) {
  type V = Q extends 'time' ? Time : number;
  return (o: Ranged & { readonly default?: string }): ParamSpec<V, Q> => {
    const fmt = (n: number): string => formatQuantity(q, n);
    const min = o.min;
    const max = o.max;
    return {
      type: q,
      unit: q === 'bytes' ? 'B' : q === 'freq' ? 'Hz' : q === 'time' ? 'ps' : q === 'energy' ? 'pJ' : q === 'power' ? 'uW' : 'um2',
      doc: o.doc,
      ...opt('default', o.default),
      ...opt('min', min),
      ...opt('max', max),
      ...opt('tech', o.tech),
      parse(raw) {
        const u = parseQuantity(q, raw);
        const r: ParamResult<number> = u.ok ? u : { ok: false, code: 'bad-unit', message: u.message };
        return r.ok ? (checkRange(r.value, o, fmt) as ParamResult<V>) : r;
      },
      format: (v) => fmt(v),
    };
  };
}

/** Parameter builders: `param.int({ doc, default, min })`, `param.bytes({ doc, default: '64KiB' })`, ... */
export const param = {
  /** A whole number without unit (a count, cycles, bits); `unit` names what it counts. */
  int(o: Ranged & { readonly default?: number; readonly unit?: string; readonly powerOfTwo?: boolean }): ParamSpec<number, 'int'> {
    const unit = o.unit ?? '';
    const fmt = (n: number): string => (unit === '' ? String(n) : `${n} ${unit}`);
    return {
      type: 'int',
      unit,
      doc: o.doc,
      ...opt('default', o.default),
      ...opt('min', o.min),
      ...opt('max', o.max),
      ...opt('powerOfTwo', o.powerOfTwo),
      ...opt('tech', o.tech),
      parse(raw) {
        const r = fromUnit(parseCount(raw));
        if (!r.ok) return r;
        if (o.powerOfTwo && (r.value < 1 || (r.value & (r.value - 1)) !== 0)) {
          const up = 2 ** Math.ceil(Math.log2(Math.max(1, r.value)));
          return { ok: false, code: 'out-of-range', message: `${r.value} is not a power of two`, hint: `use ${up / 2 >= 1 && up !== r.value ? `${up / 2} or ${up}` : up}` };
        }
        return checkRange(r.value, o, fmt);
      },
      format: fmt,
    };
  },
  /** true / false. */
  bool(o: Common & { readonly default?: boolean }): ParamSpec<boolean, 'bool'> {
    return {
      type: 'bool', unit: '', doc: o.doc, ...opt('default', o.default), ...opt('tech', o.tech),
      parse: (raw) => (typeof raw === 'boolean' ? { ok: true, value: raw } : { ok: false, code: 'bad-value', message: `cannot read ${JSON.stringify(raw)} as a boolean`, hint: 'write true or false' }),
      format: String,
    };
  },
  /** One of a fixed list of strings. */
  enum<const V extends readonly string[]>(o: Common & { readonly values: V; readonly default?: V[number] }): ParamSpec<V[number], 'enum'> {
    return {
      type: 'enum', unit: '', doc: o.doc, values: o.values, ...opt('default', o.default), ...opt('tech', o.tech),
      parse: (raw) => (typeof raw === 'string' && o.values.includes(raw)
        ? { ok: true, value: raw as V[number] }
        : { ok: false, code: 'bad-value', message: `${JSON.stringify(raw)} is not one of ${o.values.join(', ')}`, hint: `write one of ${o.values.join(', ')}` }),
      format: String,
    };
  },
  /** A list of distinct strings from a fixed list (e.g. ISA extensions). */
  set<const V extends readonly string[]>(o: Common & { readonly values: V; readonly default?: readonly V[number][] }): ParamSpec<readonly V[number][], 'set'> {
    return {
      type: 'set', unit: '', doc: o.doc, values: o.values, ...opt('default', o.default), ...opt('tech', o.tech),
      parse(raw) {
        if (!Array.isArray(raw)) return { ok: false, code: 'bad-value', message: `expected a list of ${o.values.join(', ')}`, hint: `write e.g. [${o.values.slice(0, 2).join(', ')}]` };
        const bad = raw.filter((x) => typeof x !== 'string' || !o.values.includes(x));
        if (bad.length > 0) return { ok: false, code: 'bad-value', message: `${bad.map((b) => JSON.stringify(b)).join(', ')} not in ${o.values.join(', ')}`, hint: `allowed: ${o.values.join(', ')}` };
        if (new Set(raw).size !== raw.length) return { ok: false, code: 'bad-value', message: 'the list repeats a value' };
        return { ok: true, value: raw as V[number][] };
      },
      format: (v) => `[${v.join(', ')}]`,
    };
  },
  bytes: quantity('bytes'),
  freq: quantity('freq'),
  time: quantity('time'),
  energy: quantity('energy'),
  power: quantity('power'),
  area: quantity('area'),
};

/** Default values of a shape, parsed; throws if a declaration's own default is invalid (a bug). */
export function parseDefault(name: string, spec: AnyParamSpec): unknown {
  if (spec.default === undefined) return undefined;
  const r = spec.parse(spec.default);
  if (!r.ok) throw new Error(`declaration bug: default of '${name}' is invalid: ${r.message}`);
  return r.value;
}
