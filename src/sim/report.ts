/**
 * The run report: simulated time, busy fraction per component, energy-event counts, statistics,
 * bank conflicts and bytes moved per DMA and per port; as JSON-ready data and as a table.
 */
import type { Simulation } from '../kernel/index.js';
import type { ModuleSnapshot, PortTraffic, SimModule } from '../modules/index.js';
import type { AnyModuleDef } from '../spec/index.js';
import { formatTable, formatTime, type Time } from '../util/index.js';

/** One component's line of the report. */
export interface ComponentReport extends ModuleSnapshot {
  /** Busy time / simulated time (duty cycle), 0..1. */
  readonly busyFraction: number;
  /** Units of the declared statistics (`B`, `cycles`, `ps`, ...). */
  readonly statUnits: Readonly<Record<string, string>>;
}

/** A whole run. Times in ps. */
export interface RunReport {
  readonly simulatedTimePs: Time;
  readonly simulatedTime: string;
  readonly components: readonly ComponentReport[];
  /** Sum of every scratchpad's `bankConflicts`. */
  readonly bankConflicts: number;
  /** Bytes moved by each DMA (its `bytes` statistic), by instance path. */
  readonly dmaBytes: Readonly<Record<string, number>>;
  /** Instances that were not simulated (no model yet), with the reason. */
  readonly skipped: readonly { readonly instance: string; readonly kind: string; readonly reason: string }[];
}

/**
 * Collects the report of a run from its modules (in the given order). `skipped` is copied
 * through (pass `Instantiated.skipped`).
 */
export function runReport(
  sim: Simulation,
  modules: Iterable<SimModule<AnyModuleDef>>,
  skipped: RunReport['skipped'] = [],
): RunReport {
  const now = sim.now;
  const components: ComponentReport[] = [];
  let bankConflicts = 0;
  const dmaBytes: Record<string, number> = {};
  for (const m of modules) {
    const s = m.snapshot();
    const statUnits = Object.fromEntries(Object.entries(m.def.stats).map(([k, v]) => [k, v.unit]));
    components.push({ ...s, busyFraction: m.busy.fraction(now), statUnits });
    if (s.kind === 'scratchpad') bankConflicts += s.stats['bankConflicts'] ?? 0;
    if (s.kind === 'dma') dmaBytes[s.path] = s.stats['bytes'] ?? 0;
  }
  return { simulatedTimePs: now, simulatedTime: formatTime(now), components, bankConflicts, dmaBytes, skipped };
}

const statText = (name: string, v: number, unit: string): string =>
  unit === 'ps' ? formatTime(v) : unit === name || unit === '' ? `${v}` : `${v} ${unit}`;
const trafficText = (t: PortTraffic): string =>
  `${t.transactions} tx, ${t.bytes} B${t.conflicts > 0 ? `, ${t.conflicts} conflicts / ${t.stallCycles} stall cycles` : ''}`;

/** The report as a readable table (every number with its unit). */
export function formatReport(r: RunReport): string {
  const out: string[] = [`simulated time: ${r.simulatedTime}`, ''];
  const rows: string[][] = [['component', 'kind', 'busy', 'busy %', 'energy events', 'statistics']];
  for (const c of r.components) {
    const energy = Object.entries(c.energyEvents).map(([k, v]) => `${k}=${v}`).join(' ');
    const stats = Object.entries(c.stats).map(([k, v]) => `${k}=${statText(k, v, c.statUnits[k] ?? '')}`).join(', ');
    rows.push([c.path, c.kind, formatTime(c.busyPs), `${(100 * c.busyFraction).toFixed(1)} %`, energy || '-', stats || '-']);
  }
  out.push(formatTable(rows, [false, false, true, true, false, false]), '');
  const ports: string[][] = [['port', 'traffic']];
  for (const c of r.components) {
    for (const [k, t] of Object.entries(c.ports)) ports.push([`${c.path}.${k}`, trafficText(t)]);
  }
  if (ports.length > 1) out.push(formatTable(ports, [false, false]), '');
  out.push(`bank conflicts: ${r.bankConflicts} requests`);
  for (const [k, v] of Object.entries(r.dmaBytes)) out.push(`bytes moved by ${k}: ${v} B`);
  for (const s of r.skipped) out.push(`not simulated: ${s.instance} (${s.kind}): ${s.reason}`);
  return out.join('\n');
}
