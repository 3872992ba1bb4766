/** Formatting of energies, powers, areas and the energy report as a readable table. */
import { formatTable, formatTime } from '../util/index.js';
import type { EnergyReport, EventEnergy, PriceSource } from './model.js';

/** `file: source` (or the source alone for declaration defaults), as shown in reports. */
export const describeSource = (p: PriceSource): string => (p.file === undefined ? p.source : `${p.file}: ${p.source}`);

function scaled(v: number, ladder: readonly (readonly [string, number])[], base: string): string {
  if (v === 0 || !Number.isFinite(v)) return `${v} ${base}`;
  const a = Math.abs(v);
  let pick = ladder[0]!;
  for (const step of ladder) if (a >= step[1]) pick = step;
  return `${Number((v / pick[1]).toPrecision(6))} ${pick[0]}`;
}

const ENERGY: readonly (readonly [string, number])[] = [['fJ', 1e-3], ['pJ', 1], ['nJ', 1e3], ['uJ', 1e6], ['mJ', 1e9], ['J', 1e12]];
const POWER: readonly (readonly [string, number])[] = [['nW', 1e-3], ['uW', 1], ['mW', 1e3], ['W', 1e6]];

/** Energy given in pJ, with the largest unit keeping the number >= 1 (6 significant digits): 5235 -> `5.235 nJ`. */
export const formatEnergy = (pj: number): string => scaled(pj, ENERGY, 'pJ');
/** Power given in uW, likewise: 5235 -> `5.235 mW`, 0.5 -> `500 nW`. */
export const formatPower = (uw: number): string => scaled(uw, POWER, 'uW');
/** Area given in um2: below 0.01 mm2 in `um2`, else in `mm2` (1263500 -> `1.2635 mm2`). */
export const formatArea = (um2: number): string =>
  Math.abs(um2) >= 1e4 ? `${Number((um2 / 1e6).toPrecision(6))} mm2` : `${Number(um2.toPrecision(6))} um2`;

const percent = (part: number, whole: number): string => (whole > 0 ? `${((100 * part) / whole).toFixed(1)} %` : '-');

const activity = (e: EventEnergy): string =>
  e.kind === 'per-event' ? `${e.count ?? 0} x` : e.kind === 'busy' || e.kind === 'idle' ? `${e.kind} ${formatTime(Math.round(e.timePs ?? 0))}` : `${formatTime(Math.round(e.timePs ?? 0))}`;

/**
 * The report as text: totals; one row per energy event (activity, price with the kind's scale
 * when it declares one, energy, share of the total, source reference); one row per component (duty cycle, dynamic/static/total energy,
 * average power, area); the numbered sources of every price; and the unpriced events, which
 * are counted as 0 and must be characterised before the numbers are trusted.
 */
export function formatEnergyReport(r: EnergyReport): string {
  const refs = new Map<string, number>();
  const refOf = (p: { readonly param: string; readonly value: number; readonly origin: string; readonly file?: string; readonly source: string }, kind: string): string => {
    const key = JSON.stringify([kind, p.param, p.value, p.origin, p.file ?? '', p.source]);
    const n = refs.get(key);
    return n === undefined ? '?' : `[${n}]`;
  };
  r.prices.forEach((p, i) => refs.set(JSON.stringify([p.kind, p.param, p.value, p.origin, p.file ?? '', p.source]), i + 1));

  const out: string[] = [
    `energy report: platform ${r.platform}, simulated time ${r.elapsed}`,
    `total energy ${r.total} (dynamic ${formatEnergy(r.dynamicPj)}, static ${formatEnergy(r.staticPj)}), average power ${r.averagePower}, area ${r.area}`,
    '',
  ];
  const ev: string[][] = [['component', 'event', 'type', 'activity', 'price', 'energy', 'share', 'source']];
  for (const c of r.components) {
    for (const e of c.events) {
      ev.push([c.instance, e.event, e.kind, activity(e), e.scale === undefined ? e.price.text : `${e.price.text} x ${Number(e.scale.toPrecision(4))}`, e.energy, percent(e.energyPj, r.totalPj), `${refOf(e.price, c.kind)}${e.unpriced ? ' UNPRICED' : ''}`]);
    }
  }
  out.push(formatTable(ev, [false, false, false, true, true, true, true, false]), '');
  const cs: string[][] = [['component', 'kind', 'duty', 'dynamic', 'static', 'total', 'share', 'avg power', 'area', 'source']];
  for (const c of r.components) {
    cs.push([
      c.instance, c.kind, c.simulated ? `${(100 * c.dutyCycle).toFixed(1)} %` : 'n/a', formatEnergy(c.dynamicPj), formatEnergy(c.staticPj), c.total,
      percent(c.totalPj, r.totalPj), c.averagePower, c.area,
      c.areaTerms.length > 0 ? `${c.areaTerms.map((t) => refOf(t.price, c.kind)).join(' ')}${c.unpriced.some((u) => u.event === 'area') ? ' UNPRICED' : ''}` : '-',
    ]);
  }
  cs.push(['total', '', '', formatEnergy(r.dynamicPj), formatEnergy(r.staticPj), r.total, r.totalPj > 0 ? '100.0 %' : '-', r.averagePower, r.area, '']);
  out.push(formatTable(cs, [false, false, true, true, true, true, true, true, true, false]), '', 'sources:');
  r.prices.forEach((p, i) => out.push(`  [${i + 1}] ${p.kind}.${p.param} = ${p.text}: ${p.origin === 'tech' ? 'tech ' : p.origin === 'instance' ? 'platform ' : ''}${describeSource(p)} (${p.instances.join(', ')})`));
  if (r.unpriced.length > 0) {
    out.push('', `unpriced (counted as 0 or a placeholder; characterise before trusting the totals): ${r.unpriced.length}`);
    for (const u of r.unpriced) out.push(`  ${u.message}`);
  }
  return out.join('\n');
}
