/**
 * The report of one run (`edgesim run` of a program, or of a model with `--model`): summary,
 * per-layer latency (predicted by the compiler), per-inference latency and energy, busy time and
 * duty cycle per component, a timeline, and the energy by component and by event.
 */
import type { EnergyReport } from '../energy/index.js';
import type { RunReport } from '../sim/index.js';
import { formatDuration } from '../util/index.js';
import { PALETTE, energyUnit, scale, timeUnit, type ChartSpec } from './charts.js';
import { card, chartBox, escapeHtml, num, page, para, section, table, type Cell } from './html.js';

/** One started core of a program run (`report.json`'s `run.cores`). */
export interface RunCore {
  readonly core: string;
  readonly exited: boolean;
  readonly exitCode: number | null;
  readonly exitTimePs: number | null;
  readonly instructions: number;
  readonly cycles: number;
  readonly stallCycles: number;
  readonly ipc: number;
}

/** What `report.json` says about a program run besides the report. */
export interface ProgramRunInfo {
  readonly platform: string;
  readonly program: string;
  readonly programBytes?: number;
  readonly cores: readonly RunCore[];
  readonly ok: boolean;
  readonly failures: readonly string[];
}

/** One layer of the compiler's mapping report (`mapping.json`; cores-only or accelerator form). */
export interface LayerRow {
  readonly node: string;
  readonly opType: string;
  readonly target: string;
  readonly macs?: number;
  readonly predictedInstructions?: number;
  /** Host-core cycles predicted statically for the layer. */
  readonly predictedCycles: number;
}

/**
 * One layer's simulated interval in the first inference (`inferences.json`'s `layers`, from the
 * cores' code profiles: first entry of any core into the layer's code to the last exit).
 */
export interface SimulatedLayer {
  readonly node: string;
  readonly startPs: number;
  readonly endPs: number;
}

/** One simulated inference of a model run (`inferences.json`). */
export interface InferenceRow {
  readonly index: number;
  readonly label: number | null;
  readonly top1: number;
  readonly correct: boolean | null;
  readonly latencyPs: number;
  readonly energyPj: number;
  readonly bitExact: boolean | null;
}

/** The summary of a model run (`inferences.json`'s `summary`). */
export interface ModelRunSummary {
  readonly model: string;
  readonly platform: string;
  readonly cores?: readonly string[];
  readonly inferences: number;
  readonly accuracy: number | null;
  readonly correct: number | null;
  readonly referenceBitExact: number | null;
  readonly latency: { readonly meanPs: number; readonly minPs: number; readonly maxPs: number };
  readonly energyPerInferencePj: number;
}

/** A busy interval of a component (from a trace), in ps. */
export interface BusyInterval {
  readonly component: string;
  readonly startPs: number;
  readonly endPs: number;
}

/** Everything a run report can show; each part is optional (the page says what is missing). */
export interface RunReportInput {
  /** Page title, e.g. the run folder's name. */
  readonly title: string;
  /** The run report (a program run's, or a model run's last inference). */
  readonly report?: RunReport;
  /** Which inference `report` is of, for model runs (shown in captions). */
  readonly reportOf?: string;
  readonly program?: ProgramRunInfo;
  readonly energy?: EnergyReport;
  /** Where `energy` comes from when it is not the run's own `energy.json`. */
  readonly energyNote?: string;
  readonly mapping?: readonly LayerRow[];
  /** Simulated interval of each layer of the first inference (`inferences.json`'s `layers`). */
  readonly layers?: readonly SimulatedLayer[];
  readonly model?: { readonly summary: ModelRunSummary; readonly inferences: readonly InferenceRow[] };
  /** Busy intervals from a trace, when the run folder has one. */
  readonly intervals?: readonly BusyInterval[];
  /** What the run folder did not have, said in the page. */
  readonly missing?: readonly string[];
}

const pct = (x: number, digits = 1): string => `${(100 * x).toFixed(digits)} %`;
const pj = (v: number): string => {
  const u = energyUnit([v]);
  return `${scale(v, u)} ${u.unit}`;
};
const uw = (v: number): string => (Math.abs(v) >= 1e3 ? `${Number((v / 1e3).toPrecision(6))} mW` : `${Number(v.toPrecision(6))} µW`);

/** At most this many intervals per component are drawn (the rest merged into their neighbours). */
const MAX_INTERVALS = 400;

function mergeIntervals(xs: readonly BusyInterval[]): BusyInterval[] {
  const s = [...xs].sort((a, b) => a.startPs - b.startPs);
  const out: BusyInterval[] = [];
  for (const i of s) {
    const last = out[out.length - 1];
    if (last !== undefined && i.startPs <= last.endPs) out[out.length - 1] = { ...last, endPs: Math.max(last.endPs, i.endPs) };
    else out.push(i);
  }
  if (out.length <= MAX_INTERVALS) return out;
  // merge across the smallest gaps until few enough remain
  const gaps = out.slice(1).map((x, k) => x.startPs - out[k]!.endPs).sort((a, b) => a - b);
  const minGap = gaps[out.length - MAX_INTERVALS] ?? 0;
  const merged: BusyInterval[] = [];
  for (const i of out) {
    const last = merged[merged.length - 1];
    if (last !== undefined && i.startPs - last.endPs <= minGap) merged[merged.length - 1] = { ...last, endPs: i.endPs };
    else merged.push(i);
  }
  return merged;
}

/**
 * Renders the report of a run as a self-contained HTML page (the charting library `library`
 * inlined; see `README.md` of this layer). Pure: the caller reads the run folder and writes the file.
 */
export function renderRunReport(input: RunReportInput, library: string): string {
  const charts: ChartSpec[] = [];
  const parts: string[] = [];
  const r = input.report;
  const e = input.energy;
  const m = input.model;
  const missing = [...(input.missing ?? [])];
  const of = input.reportOf === undefined ? '' : ` (${input.reportOf})`;

  // summary cards
  const cards: string[] = [];
  if (r !== undefined) cards.push(card('simulated time', formatDuration(r.simulatedTimePs), input.reportOf));
  if (m !== undefined) {
    const s = m.summary;
    cards.push(card('inferences', `${s.inferences}`));
    cards.push(card('top-1 accuracy', s.accuracy === null ? 'no labels' : pct(s.accuracy), s.correct === null ? undefined : `${s.correct}/${s.inferences} correct`));
    if (s.referenceBitExact !== null) cards.push(card('bit-exact with the reference', `${s.referenceBitExact}/${s.inferences}`, 'inferences', s.referenceBitExact === s.inferences ? 'pass' : 'fail'));
    cards.push(card('latency per inference (mean)', formatDuration(s.latency.meanPs), `min ${formatDuration(s.latency.minPs)}, max ${formatDuration(s.latency.maxPs)}`));
    cards.push(card('energy per inference (mean)', pj(s.energyPerInferencePj)));
  }
  if (input.program !== undefined) cards.push(card('result', input.program.ok ? 'every core exited 0' : `FAILED (${input.program.failures.length})`, undefined, input.program.ok ? 'pass' : 'fail'));
  if (e !== undefined) cards.push(card(`energy${m !== undefined ? ' (one inference)' : ''}`, pj(e.totalPj), `dynamic ${pj(e.dynamicPj)}, static ${pj(e.staticPj)}`));
  if (e !== undefined) cards.push(card('average power', uw(e.averagePowerUw)));
  parts.push(`<div class="cards">${cards.join('')}</div>`);
  if (input.program !== undefined && input.program.failures.length > 0) parts.push(para(`failures: ${input.program.failures.join('; ')}`, 'missing'));

  // per-layer latency
  if (input.mapping !== undefined && input.mapping.length > 0) {
    const rows = input.mapping.filter((l) => l.target !== 'alias');
    const core = r?.components.find((c) => c.kind === 'core');
    const period = core?.periodPs;
    const body: string[] = [];
    const simOf = new Map((input.layers ?? []).map((l) => [l.node, l.endPs - l.startPs]));
    const simTotal = [...simOf.values()].reduce((a, b) => a + b, 0);
    const hasSim = simOf.size > 0;
    if (period !== undefined && period > 0) {
      const tu = timeUnit([...rows.map((l) => l.predictedCycles * period), ...simOf.values()]);
      charts.push({
        id: 'layer-latency', kind: 'hbar', title: hasSim ? 'predicted and simulated latency per layer' : 'predicted latency per layer', xTitle: `${hasSim ? '' : 'predicted '}time [${tu.unit}]`, yTitle: 'layer', unit: tu.unit,
        labels: rows.map((l) => layerLabel(l.node)),
        datasets: [
          { label: 'predicted time', data: rows.map((l) => scale(l.predictedCycles * period, tu)), color: PALETTE[0]! },
          ...(hasSim ? [{ label: 'simulated time (first inference)', data: rows.map((l) => scale(simOf.get(l.node) ?? 0, tu)), color: PALETTE[1]! }] : []),
        ],
        height: Math.max(240, (hasSim ? 36 : 22) * rows.length + 80),
      });
      body.push(chartBox(charts[charts.length - 1]!, `Predicted: host-core cycles predicted statically by the compiler (mapping.json) x the core clock period ${formatDuration(period)} of ${core!.path}. ${hasSim
        ? 'Simulated: the interval of the first inference from the first core entering the layer\'s code to the last core leaving it (inferences.json layers; barriers between layers belong to no layer).'
        : 'Simulated per-layer times are not recorded in the run folder.'}`));
    } else {
      const cu = { unit: 'cycles', factor: 1 };
      charts.push({
        id: 'layer-latency', kind: 'hbar', title: 'predicted cycles per layer', xTitle: 'predicted host-core cycles [cycles]', yTitle: 'layer', unit: cu.unit,
        labels: rows.map((l) => layerLabel(l.node)), datasets: [{ label: 'predicted cycles', data: rows.map((l) => l.predictedCycles) }], height: Math.max(240, 22 * rows.length + 80),
      });
      body.push(chartBox(charts[charts.length - 1]!, 'Host-core cycles predicted statically by the compiler (mapping.json); no core clock period in the run folder to convert them to time.'));
    }
    const total = rows.reduce((a, l) => a + l.predictedCycles, 0);
    const simCells = (l: LayerRow): Cell[] => {
      if (!hasSim) return [];
      const t = simOf.get(l.node);
      return [num(t === undefined ? '-' : formatDuration(t)), num(t === undefined || simTotal <= 0 ? '-' : pct(t / simTotal))];
    };
    body.push(table(['layer', 'op', 'target', 'MACs', 'predicted instructions', 'predicted cycles', 'predicted time', 'share', ...(hasSim ? ['simulated time', 'simulated share'] : [])],
      input.mapping.map((l): Cell[] => [l.node, l.opType, l.target,
        num(l.macs === undefined ? '-' : `${l.macs} MAC`), num(l.predictedInstructions === undefined ? '-' : `${l.predictedInstructions} instr`),
        num(`${l.predictedCycles} cycles`), num(period === undefined ? '-' : formatDuration(l.predictedCycles * period)), num(total > 0 ? pct(l.predictedCycles / total) : '-'), ...simCells(l)]),
      `${rows.length} computed layers, ${total} predicted cycles in all${period === undefined ? '' : ` (${formatDuration(total * period)})`}${hasSim ? `; simulated ${formatDuration(simTotal)} in the layers (first inference)` : ''}`));
    if (m !== undefined) body.push(para(`Simulated latency per inference (mean) ${formatDuration(m.summary.latency.meanPs)} against ${period === undefined ? `${total} predicted cycles` : `${formatDuration(total * period)} predicted`}: the prediction leaves out memory latency, bank conflicts, DMA waits and barriers.`, 'note'));
    parts.push(section('layers', 'Latency per layer', body.join('')));
  } else if (m !== undefined) missing.push('mapping.json (per-layer latency)');

  // per inference
  if (m !== undefined && m.inferences.length > 0) {
    const inf = m.inferences;
    const tu = timeUnit(inf.map((x) => x.latencyPs));
    const eu = energyUnit(inf.map((x) => x.energyPj));
    const labels = inf.map((x) => `#${x.index}`);
    charts.push({ id: 'inference-latency', kind: 'bar', title: 'simulated latency per inference', xTitle: 'inference (sample index)', yTitle: `latency [${tu.unit}]`, unit: tu.unit, labels, datasets: [{ label: 'latency', data: inf.map((x) => scale(x.latencyPs, tu)), color: PALETTE[0]! }], height: 260 });
    charts.push({ id: 'inference-energy', kind: 'bar', title: 'energy per inference', xTitle: 'inference (sample index)', yTitle: `energy [${eu.unit}]`, unit: eu.unit, labels, datasets: [{ label: 'energy', data: inf.map((x) => scale(x.energyPj, eu)), color: PALETTE[1]! }], height: 260 });
    const body = `<div class="grid">${chartBox(charts[charts.length - 2]!)}${chartBox(charts[charts.length - 1]!, 'Unpriced energy events count 0 (see the energy section).')}</div>`
      + table(['inference', 'label', 'top-1', 'correct', 'bit-exact', 'latency', 'energy'], inf.map((x): Cell[] => [
        `#${x.index}`, x.label === null ? '-' : `class ${x.label}`, `class ${x.top1}`,
        x.correct === null ? '-' : { text: x.correct ? 'yes' : 'no', cls: x.correct ? 'pass' : 'fail' },
        x.bitExact === null ? '-' : { text: x.bitExact ? 'yes' : 'no', cls: x.bitExact ? 'pass' : 'fail' },
        num(formatDuration(x.latencyPs)), num(pj(x.energyPj)),
      ]));
    parts.push(section('inferences', 'Inferences', body));
  }

  // cores of a program run
  if (input.program !== undefined && input.program.cores.length > 0) {
    parts.push(section('cores', 'Cores', table(['core', 'exit', 'exit time', 'instructions', 'cycles', 'stall cycles', 'IPC'], input.program.cores.map((c): Cell[] => [
      c.core, c.exited ? `code ${c.exitCode}` : 'did not exit', num(c.exitTimePs === null ? '-' : formatDuration(c.exitTimePs)),
      num(`${c.instructions} instr`), num(`${c.cycles} cycles`), num(`${c.stallCycles} cycles`), num(`${c.ipc.toFixed(3)} instr/cycle`),
    ]))));
  }

  // components: busy time, duty cycle, timeline
  if (r !== undefined && r.components.length > 0) {
    const cs = r.components;
    const tu = timeUnit([r.simulatedTimePs, ...cs.map((c) => c.busyPs)]);
    const h = Math.max(220, 24 * cs.length + 90);
    charts.push({ id: 'busy', kind: 'hbar', title: `busy time per component${of}`, xTitle: `busy time [${tu.unit}]`, yTitle: 'component', unit: tu.unit, labels: cs.map((c) => c.path), datasets: [{ label: 'busy time', data: cs.map((c) => scale(c.busyPs, tu)), color: PALETTE[0]! }], height: h });
    charts.push({ id: 'duty', kind: 'hbar', title: `duty cycle per component${of}`, xTitle: 'duty cycle [%]', yTitle: 'component', unit: '%', min: 0, max: 100, labels: cs.map((c) => c.path), datasets: [{ label: 'duty cycle', data: cs.map((c) => Number((100 * c.busyFraction).toFixed(2))), color: PALETTE[2]! }], height: h });
    const body: string[] = [`<div class="grid">${chartBox(charts[charts.length - 2]!)}${chartBox(charts[charts.length - 1]!, 'Busy time / simulated time.')}</div>`];
    // timeline
    const iv = input.intervals ?? [];
    if (iv.length > 0) {
      const rows = [...new Set(iv.map((i) => i.component))];
      const ends = iv.map((i) => i.endPs);
      const gu = timeUnit([Math.max(...ends)]);
      const merged = rows.flatMap((row) => mergeIntervals(iv.filter((i) => i.component === row)));
      charts.push({ id: 'timeline', kind: 'gantt', title: `timeline: busy intervals per component${of}`, xTitle: `simulated time [${gu.unit}]`, yTitle: 'component', unit: gu.unit, labels: rows,
        datasets: [{ label: 'busy', data: merged.map((i) => [scale(i.startPs, gu), scale(i.endPs, gu)] as const), rows: merged.map((i) => i.component), color: PALETTE[0]! }], height: Math.max(200, 24 * rows.length + 90) });
      body.push(chartBox(charts[charts.length - 1]!, `Busy intervals from the run's trace (${iv.length} slices; overlapping ones joined, at most ${MAX_INTERVALS} bars per component: beyond that the closest are merged).`));
    } else {
      charts.push({ id: 'timeline', kind: 'stacked-hbar', title: `timeline summary: busy and idle time over the run${of}`, xTitle: `simulated time [${tu.unit}]`, yTitle: 'component', unit: tu.unit, labels: cs.map((c) => c.path),
        datasets: [
          { label: 'busy', data: cs.map((c) => scale(Math.min(c.busyPs, r.simulatedTimePs), tu)), color: PALETTE[0]! },
          { label: 'idle', data: cs.map((c) => scale(Math.max(0, r.simulatedTimePs - c.busyPs), tu)), color: '#d9dee6' },
        ], max: scale(r.simulatedTimePs, tu), height: h });
      body.push(chartBox(charts[charts.length - 1]!, `Each bar spans the simulated time ${formatDuration(r.simulatedTimePs)}: busy time (union of busy intervals) then idle time. When in the run the busy intervals fall is not in the run folder (no trace): the split is aggregate, not a time line.`));
      missing.push('a trace of busy intervals (the timeline shows aggregate busy/idle time)');
    }
    body.push(table(['component', 'kind', 'clock period', 'busy time', 'duty cycle', 'energy events', 'traffic'], cs.map((c): Cell[] => [
      c.path, c.kind, num(c.periodPs > 0 ? formatDuration(c.periodPs) : '-'), num(formatDuration(c.busyPs)), num(pct(c.busyFraction)),
      Object.entries(c.energyEvents).map(([k, v]) => `${k} ${v} events`).join(', ') || '-',
      Object.entries(c.ports).filter(([, t]) => t.transactions > 0).map(([k, t]) => `${k}: ${t.transactions} tx, ${t.bytes} B${t.conflicts > 0 ? `, ${t.conflicts} conflicts` : ''}`).join('; ') || '-',
    ]), `simulated time ${formatDuration(r.simulatedTimePs)}; bank conflicts ${r.bankConflicts} requests${Object.entries(r.dmaBytes).map(([k, v]) => `; ${k} moved ${v} B`).join('')}`));
    if (r.skipped.length > 0) body.push(para(`not simulated: ${r.skipped.map((s) => `${s.instance} (${s.kind}): ${s.reason}`).join('; ')}`, 'missing'));
    parts.push(section('components', `Components: busy time, duty cycle and timeline${of}`, body.join('')));
  } else missing.push('report.json or inferences.json (per-component busy time)');

  // energy
  if (e !== undefined && e.components.length > 0) {
    const cs = e.components;
    const eu = energyUnit(cs.map((c) => c.totalPj));
    const h = Math.max(220, 24 * cs.length + 90);
    charts.push({ id: 'energy-components', kind: 'stacked-hbar', title: 'energy by component', xTitle: `energy [${eu.unit}]`, yTitle: 'component', unit: eu.unit, labels: cs.map((c) => c.instance),
      datasets: [{ label: 'dynamic', data: cs.map((c) => scale(c.dynamicPj, eu)), color: PALETTE[1]! }, { label: 'static', data: cs.map((c) => scale(c.staticPj, eu)), color: PALETTE[4]! }], height: h });
    const events = cs.flatMap((c) => c.events.map((x) => ({ name: `${c.instance}.${x.event}`, pj: x.energyPj, x, c }))).sort((a, b) => b.pj - a.pj);
    const shown = events.filter((x) => x.pj > 0).slice(0, 24);
    const rest = events.filter((x) => x.pj > 0).slice(24).reduce((a, x) => a + x.pj, 0);
    const evu = energyUnit(shown.map((x) => x.pj));
    charts.push({ id: 'energy-events', kind: 'hbar', title: 'energy by event (largest first)', xTitle: `energy [${evu.unit}]`, yTitle: 'instance.event', unit: evu.unit,
      labels: [...shown.map((x) => x.name), ...(rest > 0 ? ['all others'] : [])], datasets: [{ label: 'energy', data: [...shown.map((x) => scale(x.pj, evu)), ...(rest > 0 ? [scale(rest, evu)] : [])], color: PALETTE[1]! }],
      height: Math.max(220, 22 * (shown.length + (rest > 0 ? 1 : 0)) + 90) });
    const body: string[] = [para(`total ${pj(e.totalPj)} over ${formatDuration(e.elapsedPs)} (dynamic ${pj(e.dynamicPj)}, static ${pj(e.staticPj)}), average power ${uw(e.averagePowerUw)}${input.energyNote === undefined ? '' : `; ${input.energyNote}`}`, 'note')];
    body.push(`<div class="grid">${chartBox(charts[charts.length - 2]!)}${chartBox(charts[charts.length - 1]!, 'Per-event energy = count x price; busy power x busy time; static power x simulated time.')}</div>`);
    body.push(table(['component', 'kind', 'duty cycle', 'dynamic', 'static', 'total', 'share', 'average power'], cs.map((c): Cell[] => [
      c.instance, c.kind, num(pct(c.dutyCycle)), num(pj(c.dynamicPj)), num(pj(c.staticPj)), num(pj(c.totalPj)), num(e.totalPj > 0 ? pct(c.totalPj / e.totalPj) : '-'), num(uw(c.averagePowerUw)),
    ]), 'energy by component'));
    body.push(table(['instance.event', 'kind', 'activity', 'price', 'energy', 'share', 'source'], events.map(({ name, x }): Cell[] => [
      name + (x.unpriced === undefined ? '' : ' (UNPRICED)'), x.kind,
      num(x.kind === 'per-event' ? `${x.count ?? 0} events` : formatDuration(x.timePs ?? 0)), num(x.price.text.replace(/\bu([JW])\b/, 'µ$1')), num(pj(x.energyPj)),
      num(e.totalPj > 0 ? pct(x.energyPj / e.totalPj) : '-'), x.price.file === undefined ? x.price.source : `${x.price.file}: ${x.price.source}`,
    ]), 'energy by event'));
    if (e.unpriced.length > 0) body.push(para(`${e.unpriced.length} unpriced prices (counted as 0, the totals are lower bounds): ${e.unpriced.slice(0, 12).map((u) => `${u.instance}.${u.event}`).join(', ')}${e.unpriced.length > 12 ? ` and ${e.unpriced.length - 12} more` : ''}`, 'missing'));
    parts.push(section('energy', `Energy${m !== undefined ? ' (one inference)' : ''}`, body.join('')));
  } else missing.push('energy.json (energy by component and by event)');

  if (missing.length > 0) parts.push(section('missing', 'Not in this report', `<ul>${missing.map((x) => `<li>${escapeHtml(x)}</li>`).join('')}</ul>`));

  const subtitle = m !== undefined
    ? `model ${m.summary.model} on platform ${m.summary.platform}${m.summary.cores === undefined ? '' : ` (${m.summary.cores.length} cores)`}, ${m.summary.inferences} inferences`
    : input.program !== undefined ? `program ${input.program.program} on platform ${input.program.platform}` : 'run';
  return page({ title: `edgesim run report: ${input.title}`, subtitle, body: parts.join('\n'), charts, library, footer: 'Generated by edgesim from the JSON files of the run folder. Times are simulated time; energies from the platform\'s tech files.' });
}

/** A layer's chart label: its first node's name and number (`#10 MatMul_20`, `epilogue #10 MatMul_20`), at most 48 characters. */
export const layerLabel = (node: string): string => {
  const m = /'([^']+)' \(#(\d+)/.exec(node);
  const text = m === null ? node : `${node.startsWith('epilogue') ? 'epilogue ' : ''}#${m[2]} ${m[1]}${(node.match(/ \+ node | and '/g) ?? []).length > 0 || / fused with /.test(node) ? ' +' : ''}`;
  return text.length > 48 ? `${text.slice(0, 47)}…` : text;
};
