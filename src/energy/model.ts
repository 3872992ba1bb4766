/**
 * The energy, power and area model: pure functions from the elaborated platform (resolved
 * params with their sources), per-instance activity counts and the simulated time to a report.
 *
 * Units (numbers): energy in pJ, power in uW, time in ps, area in um2 (the internal units of
 * `util/units`). Useful identities: 1 uW x 1 ps = 1e-6 pJ; 1 pJ / 1 ps = 1 W = 1e6 uW.
 */
import type { AreaSpec, ModuleCatalog } from '../spec/index.js';
import type { InstanceNode, PlatformGraph } from '../platform/index.js';
import { SimError, formatTime, type Time } from '../util/index.js';
import { describeSource, formatArea, formatEnergy, formatPower } from './format.js';

/**
 * What the model needs of one simulated instance: structurally a subset of the modules layer's
 * `ModuleSnapshot`, so a snapshot (or a `RunReport` component) can be passed as is.
 */
export interface ActivityCounts {
  /** Instance name in the platform graph (the module's path). */
  readonly path: string;
  /** Module kind; when given it must match the graph's. */
  readonly kind?: string;
  /** Busy time in ps (union of busy intervals); prices `busy` events. */
  readonly busyPs: Time;
  /** Counts of `per-event` energy events by declared event name; a missing event counts 0. */
  readonly energyEvents: Readonly<Record<string, number>>;
}

/** Where a resolved param value came from (parsed from the graph's `paramOrigin`). */
export interface PriceSource {
  /** `tech`: a technology file; `instance`: the platform file; `default`: the kind's declaration. */
  readonly origin: 'tech' | 'instance' | 'default' | 'unknown';
  /** The tech file or the platform file; absent for declaration defaults. */
  readonly file?: string;
  /** The source text (`source:` of the tech value), or a description of the origin. */
  readonly source: string;
}

/** A price (energy, power or area param) used by the report, with its value and source. */
export interface Price extends PriceSource {
  /** Param name, e.g. `readEnergy`. */
  readonly param: string;
  /** Value in the internal unit: pJ (energy), uW (power) or um2 (area); 0 when unset. */
  readonly value: number;
  readonly unit: 'pJ' | 'uW' | 'um2';
  /** Formatted value with unit, e.g. `2.12 pJ`. */
  readonly text: string;
}

/** Why a price cannot be trusted: zero, a "not characterised"/"placeholder" source, no value, or no activity counts. */
export type UnpricedReason = 'zero' | 'not-characterised' | 'no-value' | 'not-simulated';

/** An energy event or area whose price is missing; reported, never silently counted as 0. */
export interface UnpricedFlag {
  readonly instance: string;
  readonly kind: string;
  /** The energy event name, or `area`. */
  readonly event: string;
  /** The param that prices it. */
  readonly param: string;
  readonly reason: UnpricedReason;
  /** One readable line, e.g. `l1.write: writeEnergy = 0 pJ (not characterised in ...)`. */
  readonly message: string;
}

/** Energy of one declared energy event of one instance. */
export interface EventEnergy {
  readonly event: string;
  /** `per-event`: count x cost; `busy`: power x busy time; `static`: power x elapsed time. */
  readonly kind: 'per-event' | 'busy' | 'idle' | 'static';
  /** `dynamic` for per-event and busy events, `static` for static ones (leakage, background). */
  readonly category: 'dynamic' | 'static';
  /** Events counted (`per-event` only). */
  readonly count?: number;
  /**
   * The kind's dimensionless factor on the cost for this instance (`per-event` events declared
   * with a scale only): energy = count x price x scale.
   */
  readonly scale?: number;
  /** Time the power was drawn, in ps (`busy`: busy time clipped to elapsed; `static`: elapsed). */
  readonly timePs?: Time;
  readonly price: Price;
  /** Energy in pJ. */
  readonly energyPj: number;
  /** Energy with unit, e.g. `2.5 nJ`. */
  readonly energy: string;
  /** Set when the price is missing (the energy is then 0 or a placeholder). */
  readonly unpriced?: UnpricedReason;
}

/** Energy, power and area totals (of a component or of the whole platform). */
export interface EnergyTotals {
  /** Per-event plus busy energy, pJ. */
  readonly dynamicPj: number;
  /** Static (leakage, background) energy, pJ. */
  readonly staticPj: number;
  readonly totalPj: number;
  readonly total: string;
  /** totalPj / elapsed, in uW (0 when no time elapsed). */
  readonly averagePowerUw: number;
  readonly averagePower: string;
  /** Area in um2 (0 when no `area` param or it is not characterised). */
  readonly areaUm2: number;
  readonly area: string;
}

/** How many priced units make up an instance's area, e.g. `{ units: 524288, per: 'bit' }`. */
export interface AreaFormula {
  readonly units: number;
  readonly per: string;
  /** e.g. `524288 bits x 2 um2`. */
  readonly text: string;
}

/** One term of an instance's area: units x price (a kind without an area formula has one term, its `area` param x 1). */
export interface AreaTermEnergy {
  readonly price: Price;
  /** Units priced (1 for a plain `area` param); may be fractional (fitted gate equivalents). */
  readonly units: number;
  /** What a unit is (`bit`, `NAND2 equivalent`); empty for a plain `area` param. */
  readonly per: string;
  /** units x price, um2. */
  readonly areaUm2: number;
  /** Present when the term is a formula (per is not empty). */
  readonly formula?: AreaFormula;
}

/** Units for a formula text: integers as they are, fractions to one decimal. */
function formatUnits(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}

/** One instance's energy, power and area. */
export interface ComponentEnergy extends EnergyTotals {
  readonly instance: string;
  readonly kind: string;
  /** False when no activity counts were given (static energy still counted; events unknown). */
  readonly simulated: boolean;
  /** Busy time / elapsed time (duty cycle), 0..1; busy time beyond elapsed is clipped. */
  readonly dutyCycle: number;
  readonly events: readonly EventEnergy[];
  /** The area's price: the `area` param, or the per-unit param of the kind's (first) area term. */
  readonly areaPrice?: Price;
  /** Present when the (first) area term is a formula: area = units x the price (e.g. bits x area per bit). */
  readonly areaFormula?: AreaFormula;
  /** Every area term; the component's area is their sum (e.g. PE logic GE x gateArea + buffer bits x bitArea). */
  readonly areaTerms: readonly AreaTermEnergy[];
  /** This component's unpriced events and area. */
  readonly unpriced: readonly UnpricedFlag[];
}

/** Totals with their formatted forms, for a component or the whole platform. */
function energyTotals(dynamicPj: number, staticPj: number, areaUm2: number, elapsedPs: number): EnergyTotals {
  const totalPj = dynamicPj + staticPj;
  const averagePowerUw = powerUw(totalPj, elapsedPs);
  return {
    dynamicPj,
    staticPj,
    totalPj,
    total: formatEnergy(totalPj),
    averagePowerUw,
    averagePower: formatPower(averagePowerUw),
    areaUm2,
    area: formatArea(areaUm2),
  };
}

/** The energy, power and area report of a run. */
export interface EnergyReport extends EnergyTotals {
  readonly platform: string;
  readonly elapsedPs: Time;
  readonly elapsed: string;
  /** In platform-graph instance order. */
  readonly components: readonly ComponentEnergy[];
  /** Every price used, once per (kind, param, value, source), with the instances using it. */
  readonly prices: readonly (Price & { readonly kind: string; readonly instances: readonly string[] })[];
  /** Every unpriced event or area, over all components. */
  readonly unpriced: readonly UnpricedFlag[];
}

const UNCHARACTERISED_RE = /not\s+characteri[sz]ed|placeholder/i;

/**
 * Splits a graph `paramOrigin` entry (`default`, `instance`, `tech:<file>: <source>`) into its
 * parts; `platformFile` names the file of `instance` values.
 */
export function parseOrigin(origin: string | undefined, platformFile: string): PriceSource {
  if (origin === undefined) return { origin: 'unknown', source: 'no value' };
  if (origin === 'default') return { origin: 'default', source: 'declaration default' };
  if (origin === 'instance') return { origin: 'instance', file: platformFile, source: 'instance params in the platform file' };
  if (origin.startsWith('tech:')) {
    const rest = origin.slice('tech:'.length);
    const i = rest.indexOf(': ');
    return i < 0 ? { origin: 'tech', file: rest, source: '' } : { origin: 'tech', file: rest.slice(0, i), source: rest.slice(i + 2) };
  }
  return { origin: 'unknown', source: origin };
}

function priceOf(node: InstanceNode, param: string, unit: Price['unit'], platformFile: string): Price {
  const raw = node.params[param];
  const value = typeof raw === 'number' && Number.isFinite(raw) ? raw : 0;
  const text = unit === 'pJ' ? formatEnergy(value) : unit === 'uW' ? formatPower(value) : formatArea(value);
  return { param, value, unit, text, ...parseOrigin(node.paramOrigin[param], platformFile) };
}

/** Why a price is not usable, or undefined when it is. */
function unpricedReason(node: InstanceNode, p: Price): Exclude<UnpricedReason, 'not-simulated'> | undefined {
  if (typeof node.params[p.param] !== 'number') return 'no-value';
  if (UNCHARACTERISED_RE.test(p.source)) return 'not-characterised';
  if (p.value === 0) return 'zero';
  return undefined;
}


/**
 * Prices a run. For each instance of the graph, each energy event declared by its kind (found in
 * `catalog`) is priced from the instance's resolved params:
 *
 * - `per-event`: E = count x cost [pJ], times the kind's scale when it declares one (e.g. the
 *   PE array's MAC energy by PE type);
 * - `busy`: E = power [uW] x min(busyPs, elapsedPs) [ps] / 1e6 [pJ];
 * - `idle`: E = power [uW] x (elapsedPs - busyPs) [ps] / 1e6 [pJ] (clocked, idle: dynamic);
 * - `static`: E = power [uW] x elapsedPs [ps] / 1e6 [pJ];
 *
 * component power = E_total / elapsed (pJ/ps = W; reported in uW), area = the `area` param
 * [um2], or the sum of the kind's area terms (`def.area`: e.g. bits x area per bit, gate
 * equivalents x area per gate). Prices that are 0, unset, or whose source says "not characterised"/"placeholder" are
 * listed in `unpriced` (and marked on their event); instances without counts are flagged
 * `not-simulated` (their static energy is still counted).
 *
 * @param graph the elaborated platform (resolved params and their sources).
 * @param activity per-instance counts, e.g. the modules' `snapshot()`s; instance by `path`.
 * @param elapsedPs simulated time in ps.
 * @param catalog the module kinds (energy declarations), e.g. the modules layer's `catalog`.
 * @throws SimError `energy-unknown-instance` (counts for an instance not in the graph, or of a
 * different kind), `energy-unknown-event` (a count for an event the kind does not declare as
 * per-event), `energy-unknown-kind`, `energy-bad-input` (negative or non-finite numbers).
 */
export function energyReport(graph: PlatformGraph, activity: Iterable<ActivityCounts>, elapsedPs: Time, catalog: ModuleCatalog): EnergyReport {
  if (!Number.isFinite(elapsedPs) || elapsedPs < 0) throw new SimError('energy-bad-input', `elapsed time ${elapsedPs} ps must be a non-negative number`);
  const byPath = new Map<string, ActivityCounts>();
  for (const a of activity) {
    const node = graph.instances[a.path];
    if (node === undefined) throw new SimError('energy-unknown-instance', `energy: counts given for '${a.path}', which is not an instance of platform '${graph.platform}'`);
    if (a.kind !== undefined && a.kind !== node.kind) throw new SimError('energy-unknown-instance', `energy: counts for '${a.path}' are of kind '${a.kind}', but the platform instance is a ${node.kind}`);
    if (byPath.has(a.path)) throw new SimError('energy-bad-input', `energy: counts for '${a.path}' given twice`);
    if (!Number.isFinite(a.busyPs) || a.busyPs < 0) throw new SimError('energy-bad-input', `energy: '${a.path}': busy time ${a.busyPs} ps must be a non-negative number`);
    byPath.set(a.path, a);
  }

  const components: ComponentEnergy[] = [];
  const prices = new Map<string, Price & { kind: string; instances: string[] }>();
  const usePrice = (kind: string, instance: string, p: Price): void => {
    const key = JSON.stringify([kind, p.param, p.value, p.origin, p.file ?? '', p.source]);
    const e = prices.get(key);
    if (e) e.instances.push(instance);
    else prices.set(key, { ...p, kind, instances: [instance] });
  };

  for (const node of Object.values(graph.instances)) {
    const def = catalog.get(node.kind);
    if (def === undefined) throw new SimError('energy-unknown-kind', `energy: instance '${node.name}' is of kind '${node.kind}', which the catalog does not declare`);
    const act = byPath.get(node.name);
    if (act) {
      for (const [ev, n] of Object.entries(act.energyEvents)) {
        if (def.energy[ev]?.kind !== 'per-event') throw new SimError('energy-unknown-event', `energy: '${node.name}' (${node.kind}) has no per-event energy event '${ev}' (declared: ${Object.entries(def.energy).filter(([, s]) => s.kind === 'per-event').map(([k]) => k).join(', ') || 'none'})`);
        if (!Number.isFinite(n) || n < 0) throw new SimError('energy-bad-input', `energy: '${node.name}.${ev}': count ${n} must be a non-negative number`);
      }
    }
    const busyPs = Math.min(act?.busyPs ?? 0, elapsedPs);
    const events: EventEnergy[] = [];
    const unpriced: UnpricedFlag[] = [];
    const flag = (event: string, p: Price, reason: UnpricedReason): void => {
      const why =
        reason === 'not-simulated' ? `no activity counts (instance not simulated), priced by ${p.param}`
        : reason === 'no-value' ? `${p.param} has no value`
        : reason === 'zero' ? `${p.param} = ${p.text} (${describeSource(p)})`
        : `${p.param} = ${p.text} is not characterised (${describeSource(p)})`;
      unpriced.push({ instance: node.name, kind: node.kind, event, param: p.param, reason, message: `${node.name}.${event}: ${why}` });
    };
    let dynamicPj = 0;
    let staticPj = 0;
    for (const [ev, spec] of Object.entries(def.energy)) {
      const param = spec.kind === 'per-event' ? spec.cost : spec.power;
      const price = priceOf(node, param, spec.kind === 'per-event' ? 'pJ' : 'uW', graph.file);
      usePrice(node.kind, node.name, price);
      const reason = unpricedReason(node, price);
      if (reason) flag(ev, price, reason);
      let e: EventEnergy;
      const common = { event: ev, price, ...(reason ? { unpriced: reason } : {}) };
      if (spec.kind === 'per-event') {
        const count = act?.energyEvents[ev] ?? 0;
        const scale = spec.scale === undefined ? 1 : (spec.scale.by as (p: unknown) => number)(node.params);
        if (!Number.isFinite(scale) || scale < 0) throw new SimError('energy-bad-input', `energy: '${node.name}.${ev}': the cost scale is ${scale} (must be a non-negative number)`);
        const energyPj = count * price.value * scale;
        e = { ...common, kind: 'per-event', category: 'dynamic', count, ...(spec.scale === undefined ? {} : { scale }), energyPj, energy: formatEnergy(energyPj) };
        if (!act) flag(ev, price, 'not-simulated');
      } else {
        const timePs = spec.kind === 'busy' ? busyPs : spec.kind === 'idle' ? elapsedPs - busyPs : elapsedPs;
        const energyPj = (price.value * timePs) / 1e6;
        e = { ...common, kind: spec.kind, category: spec.kind === 'static' ? 'static' : 'dynamic', timePs, energyPj, energy: formatEnergy(energyPj) };
        if (!act && spec.kind !== 'static') flag(ev, price, 'not-simulated');
      }
      if (e.category === 'dynamic') dynamicPj += e.energyPj;
      else staticPj += e.energyPj;
      events.push(e);
    }
    const areaTerms: AreaTermEnergy[] = [];
    const areaSpecs: readonly AreaSpec[] = def.area ?? (def.params['area'] !== undefined ? [{ param: 'area', scale: () => 1, per: '' }] : []);
    for (const t of areaSpecs) {
      const unitPrice = priceOf(node, t.param, 'um2', graph.file);
      usePrice(node.kind, node.name, unitPrice);
      const reason = unpricedReason(node, unitPrice);
      if (reason && !(t.optional === true && reason === 'zero')) flag('area', unitPrice, reason);
      const raw = (t.scale as (p: unknown) => number | undefined)(node.params);
      if (raw === undefined) {
        unpriced.push({ instance: node.name, kind: node.kind, event: 'area', param: t.param, reason: 'not-characterised', message: `${node.name}.area: no ${t.per}s known for these params (${t.doc ?? 'see the kind\'s area formula'}); counted as 0` });
      }
      const n = raw ?? 0;
      if (!Number.isFinite(n) || n < 0) throw new SimError('energy-bad-input', `energy: '${node.name}': the area formula gives ${n} ${t.per}s (must be a non-negative number)`);
      areaTerms.push({
        price: unitPrice,
        units: n,
        per: t.per,
        areaUm2: unitPrice.value * n,
        ...(t.per === '' ? {} : { formula: { units: n, per: t.per, text: `${formatUnits(n)} ${t.per}s x ${unitPrice.text}` } }),
      });
    }
    const areaPrice: Price | undefined = areaTerms[0]?.price;
    const areaFormula: AreaFormula | undefined = areaTerms[0]?.formula;
    components.push({
      instance: node.name,
      kind: node.kind,
      simulated: act !== undefined,
      dutyCycle: elapsedPs > 0 ? busyPs / elapsedPs : 0,
      events,
      ...energyTotals(dynamicPj, staticPj, areaTerms.reduce((a, t) => a + t.areaUm2, 0), elapsedPs),
      ...(areaPrice ? { areaPrice } : {}),
      ...(areaFormula ? { areaFormula } : {}),
      areaTerms,
      unpriced,
    });
  }

  const sum = (f: (c: ComponentEnergy) => number): number => components.reduce((s, c) => s + f(c), 0);
  return {
    platform: graph.platform,
    elapsedPs,
    elapsed: formatTime(Math.round(elapsedPs)),
    components,
    ...energyTotals(sum((c) => c.dynamicPj), sum((c) => c.staticPj), sum((c) => c.areaUm2), elapsedPs),
    prices: [...prices.values()],
    unpriced: components.flatMap((c) => c.unpriced),
  };
}

/** Average power in uW of `energyPj` over `elapsedPs` (pJ/ps = W = 1e6 uW); 0 when nothing elapsed. */
export function powerUw(energyPj: number, elapsedPs: Time): number {
  return elapsedPs > 0 ? (energyPj * 1e6) / elapsedPs : 0;
}
