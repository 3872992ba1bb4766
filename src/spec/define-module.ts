/**
 * `defineModule`: one declaration per module kind, read by validation, simulation, energy,
 * docs, schema and (later) RTL. Nothing about a kind is declared twice.
 */
import { parseDefault, type AnyParamSpec, type ParamShape, type ParamValues, type ParamsOfType } from './param.js';
import type { PortSpec } from './port.js';

/** The four-part doc every kind carries (shown by `edgesim describe`). */
export interface ModuleDoc {
  /** One line: what it is. */
  readonly summary: string;
  readonly models: string;
  readonly doesNotModel: string;
  readonly timing: string;
  readonly energy: string;
}

/**
 * An energy event: `per-event` costs the energy param `cost` each time it is counted; `busy`
 * draws the power param `power` while the module is busy; `idle` draws it while the module is
 * not busy (clocked but idle: background power); `static` draws `power` always (leakage).
 */
export type EnergySpec =
  | { readonly kind: 'per-event'; readonly cost: string; readonly doc: string; readonly scale?: EnergyScale }
  | { readonly kind: 'busy'; readonly power: string; readonly doc: string }
  | { readonly kind: 'idle'; readonly power: string; readonly doc: string }
  | { readonly kind: 'static'; readonly power: string; readonly doc: string };

/**
 * A dimensionless factor on a per-event cost that follows from the instance's params, e.g. the
 * relative switched capacitance of one MAC of another PE type than the tech value's reference:
 * energy = count x cost x `by(params)`. A first-order model, documented in `doc`.
 */
export interface EnergyScale {
  /** The factor (dimensionless, > 0) for the instance's params. */
  readonly by: (p: never) => number;
  /** What the factor models and what not (shown by `edgesim describe`). */
  readonly doc: string;
}

/** Builds energy events; the names must be params of the right type (checked by the compiler). */
export interface EnergyBuilder<S extends ParamShape> {
  /** `scale`: an optional dimensionless factor on the cost from the instance's params (see {@link EnergyScale}). */
  perEvent(cost: ParamsOfType<S, 'energy'>, doc: string, scale?: { readonly by: (p: ParamValues<S>) => number; readonly doc: string }): EnergySpec;
  busy(power: ParamsOfType<S, 'power'>, doc: string): EnergySpec;
  idle(power: ParamsOfType<S, 'power'>, doc: string): EnergySpec;
  static(power: ParamsOfType<S, 'power'>, doc: string): EnergySpec;
}

/** A statistic the module reports: a counter (events, bytes) or a busy-time accumulator. */
export interface StatSpec {
  readonly kind: 'counter' | 'time';
  readonly unit: string;
  readonly doc: string;
}

/** Fault kinds a scenario file can name (`faults: - kind: ...`); see src/platform/scenario.ts. */
export type ScenarioFaultKind = 'bit-flip' | 'stuck-at' | 'data-corruption';

/**
 * A fault the fault-injection layer may activate in this kind. `injectedBy` names the scenario
 * fault kind that drives it; a point without one is declared (documented as a known failure
 * mechanism) but no injector drives it yet, and a scenario targeting it is refused.
 */
export interface FaultSpec {
  readonly kind: 'bit-flip' | 'stuck-at' | 'delay' | 'drop';
  /** What it affects, e.g. `stored words`, `register file`. */
  readonly target: string;
  readonly doc: string;
  readonly injectedBy?: ScenarioFaultKind;
}

/** A capability offered to the compiler (free-form key/values, e.g. ISA, SIMD lanes, burst size). */
export type Capability = { readonly name: string; readonly [k: string]: string | number | boolean | readonly string[] };

/** Energy events of a declaration, by name. */
export type EnergyShape = Readonly<Record<string, EnergySpec>>;
/** Statistics of a declaration, by name. */
export type StatShape = Readonly<Record<string, StatSpec>>;

/**
 * A complete module declaration. `E` and `St` keep the names of the energy events and
 * statistics, so simulation code gets typed counters (`this.energy.read`, `this.stats.reads`).
 */
export interface ModuleDef<K extends string = string, S extends ParamShape = ParamShape, E extends EnergyShape = EnergyShape, St extends StatShape = StatShape> {
  readonly kind: K;
  readonly doc: ModuleDoc;
  readonly params: S;
  readonly ports: (p: ParamValues<S>) => readonly PortSpec[];
  readonly energy: E;
  readonly stats: St;
  readonly faults: Readonly<Record<string, FaultSpec>>;
  readonly caps: (p: ParamValues<S>) => readonly Capability[];
  /**
   * The area formula, when the area is not the `area` param itself: a sum of terms, each an area
   * price times the units of the instance (see {@link AreaSpec}).
   */
  readonly area?: readonly AreaSpec[];
  /**
   * Checks that the params make sense together (each param alone is checked by its spec), e.g.
   * that a memory holds whole words in every bank. The platform loader reports each problem as
   * a `bad-param-combination` diagnostic at the param's value.
   */
  readonly check?: (p: never) => readonly ParamProblem[];
}

/** A problem with a combination of params, found by a declaration's `check`. */
export interface ParamProblem {
  /** The param the diagnostic points at (its value in the platform file, when given there). */
  readonly param: string;
  /** What is wrong, naming the params involved and their values, e.g. `sizeBytes 1000 B is not ...`. */
  readonly message: string;
  /** How to fix it. */
  readonly hint?: string;
}

/**
 * One term of an instance's area: `value(param) x scale(params)`, e.g. a memory's area per bit
 * times its bits, or a logic block's area per NAND2 gate equivalent times its gate equivalents,
 * so that one technology value serves every size. A kind's area is the sum of its terms; kinds
 * without any use their `area` param as is.
 */
export interface AreaSpec {
  /** The `area` param giving the price of one unit. */
  readonly param: string;
  /**
   * Units of that price in one instance (e.g. bits); may be fractional (a fitted gate count);
   * undefined when unknown for these params (the energy report flags it, never a silent 0).
   */
  readonly scale: (p: never) => number | undefined;
  /** What one unit is, for reports (e.g. `bit`, `NAND2 equivalent`). */
  readonly per: string;
  /** Where the units come from and what they leave out (shown by `edgesim describe`). */
  readonly doc?: string;
  /**
   * A zero price means the term is absent (e.g. an optional extra area), so the energy report
   * does not flag it as unpriced; a source saying "not characterised" is still flagged.
   */
  readonly optional?: boolean;
}

/** An area term as a declaration writes it, typed against its params. */
export type AreaTermInput<S extends ParamShape> = { readonly param: keyof S & string; readonly scale: (p: ParamValues<S>) => number | undefined; readonly per: string; readonly doc?: string; readonly optional?: boolean };

/** Any declaration, as stored in a catalog. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyModuleDef = ModuleDef<string, any, EnergyShape, StatShape>;

/** The typed parameter values of a declaration: `ParamsOf<typeof ScratchpadDef>`. */
export type ParamsOf<D> = D extends ModuleDef<string, infer S> ? ParamValues<S> : never;

/** The kinds a platform may use, by name. The platform layer receives one; it never imports modules. */
export type ModuleCatalog = ReadonlyMap<string, AnyModuleDef>;

/** Stat builders. */
export const stat = {
  counter: (unit: string, doc: string): StatSpec => ({ kind: 'counter', unit, doc }),
  time: (doc: string): StatSpec => ({ kind: 'time', unit: 'ps', doc }),
};

/** Fault builders. */
export const fault = {
  bitFlip: (target: string, doc: string, injectedBy?: ScenarioFaultKind): FaultSpec => ({ kind: 'bit-flip', target, doc, ...(injectedBy === undefined ? {} : { injectedBy }) }),
  stuckAt: (target: string, doc: string, injectedBy?: ScenarioFaultKind): FaultSpec => ({ kind: 'stuck-at', target, doc, ...(injectedBy === undefined ? {} : { injectedBy }) }),
  delay: (target: string, doc: string): FaultSpec => ({ kind: 'delay', target, doc }),
  drop: (target: string, doc: string): FaultSpec => ({ kind: 'drop', target, doc }),
};

const KIND_RE = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
const NAME_RE = /^[a-z][A-Za-z0-9]*$/;

/**
 * Declares a module kind. Checks the declaration itself (names, defaults parse, energy events
 * name params of the right type, ports computed from the defaults are well formed) and throws
 * on a declaration bug, so a bad declaration fails at import, in every test.
 */
export function defineModule<const K extends string, const S extends ParamShape, E extends EnergyShape = Record<never, EnergySpec>, St extends StatShape = Record<never, StatSpec>>(d: {
  readonly kind: K;
  readonly doc: ModuleDoc;
  readonly params: S;
  readonly ports: (p: ParamValues<S>) => readonly PortSpec[];
  readonly energy?: (e: EnergyBuilder<S>) => E;
  readonly stats?: St;
  readonly faults?: Readonly<Record<string, FaultSpec>>;
  readonly caps?: (p: ParamValues<S>) => readonly Capability[];
  /** One area term, or several summed (e.g. logic gate equivalents x gateArea + buffer bits x bitArea). */
  readonly area?: AreaTermInput<S> | readonly AreaTermInput<S>[];
  readonly check?: (p: ParamValues<S>) => readonly (ParamProblem & { readonly param: keyof S & string })[];
}): ModuleDef<K, S, E, St> {
  const bug = (m: string): never => {
    throw new Error(`declaration bug in module kind '${d.kind}': ${m}`);
  };
  if (!KIND_RE.test(d.kind)) bug('kind must be kebab-case');
  for (const [n, s] of Object.entries(d.params)) {
    if (!NAME_RE.test(n)) bug(`param '${n}' must be camelCase`);
    parseDefault(n, s);
  }
  const typed = (ty: string) => (n: string): string => {
    if ((d.params[n] as AnyParamSpec | undefined)?.type !== ty) bug(`energy event refers to '${n}', which is not ${ty === 'energy' ? 'an' : 'a'} ${ty} param`);
    return n;
  };
  const builder: EnergyBuilder<S> = {
    perEvent: (cost, doc, scale) => ({ kind: 'per-event', cost: typed('energy')(cost), doc, ...(scale === undefined ? {} : { scale: scale as EnergyScale }) }),
    busy: (power, doc) => ({ kind: 'busy', power: typed('power')(power), doc }),
    idle: (power, doc) => ({ kind: 'idle', power: typed('power')(power), doc }),
    static: (power, doc) => ({ kind: 'static', power: typed('power')(power), doc }),
  };
  const area: readonly AreaTermInput<S>[] = d.area === undefined ? [] : Array.isArray(d.area) ? d.area : [d.area as AreaTermInput<S>];
  const def: ModuleDef<K, S, E, St> = {
    kind: d.kind,
    doc: d.doc,
    params: d.params,
    ports: d.ports,
    energy: d.energy?.(builder) ?? ({} as E),
    stats: d.stats ?? ({} as St),
    faults: d.faults ?? {},
    caps: d.caps ?? (() => []),
    ...(area.length === 0 ? {} : { area: area as readonly AreaSpec[] }),
    ...(d.check === undefined ? {} : { check: d.check as (p: never) => readonly ParamProblem[] }),
  };
  for (const t of area) if ((d.params[t.param] as AnyParamSpec | undefined)?.type !== 'area') bug(`area formula refers to '${t.param}', which is not an area param`);
  const defaults = defaultParams(def);
  if (defaults !== undefined) {
    const names = new Set<string>();
    for (const p of def.ports(defaults)) {
      if (!NAME_RE.test(p.name)) bug(`port '${p.name}' must be camelCase`);
      if (names.has(p.name)) bug(`port '${p.name}' declared twice`);
      names.add(p.name);
    }
  }
  return def;
}

/** The parsed defaults of every param, or undefined if some param has no default. */
export function defaultParams<S extends ParamShape>(def: ModuleDef<string, S, EnergyShape, StatShape>): ParamValues<S> | undefined {
  const out: Record<string, unknown> = {};
  for (const [n, s] of Object.entries(def.params)) {
    const v = parseDefault(n, s);
    if (v === undefined) return undefined;
    out[n] = v;
  }
  return out as ParamValues<S>;
}

/** Builds a catalog from declarations, refusing duplicate kinds. */
export function makeCatalog(defs: readonly AnyModuleDef[]): ModuleCatalog {
  const m = new Map<string, AnyModuleDef>();
  for (const d of defs) {
    if (m.has(d.kind)) throw new Error(`module kind '${d.kind}' declared twice`);
    m.set(d.kind, d);
  }
  return m;
}
