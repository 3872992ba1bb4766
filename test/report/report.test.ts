/**
 * The HTML generator of src/report: page structure, escaping of every piece of data (text, JSON
 * block, inlined library), units on every axis and number, and no web address anywhere.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { CampaignSummary, ItemResult } from '../../src/campaign/index.js';
import { chartLibrary, traceIntervals } from '../../src/cli/report-files.js';
import type { EnergyReport } from '../../src/energy/index.js';
import { escapeHtml, inlineScript, jsonForScript, renderCampaignReport, renderRunReport, renderSweepReport, type ChartSpec, type RunReportInput } from '../../src/report/index.js';
import type { RunReport } from '../../src/sim/index.js';
import { chartsOf } from './page-check.js';

const EVIL = `</script><script>alert(1)</script><!-- & "q" 'a' \u2028`;
const LIB = 'window.Chart = function () {};';

const report: RunReport = {
  simulatedTimePs: 2_000_000, simulatedTime: '2 us', bankConflicts: 3, dmaBytes: { dma: 4096 }, skipped: [],
  components: [
    { path: 'pe0', kind: 'core', periodPs: 4000, busyPs: 1_500_000, busyFraction: 0.75, energyEvents: { instruction: 300 }, stats: {}, statUnits: {}, ports: { tcdm: { transactions: 10, bytes: 40, conflicts: 0, stallCycles: 0 } } },
    { path: EVIL, kind: 'dma', periodPs: 4000, busyPs: 500_000, busyFraction: 0.25, energyEvents: {}, stats: {}, statUnits: {}, ports: {} },
  ] as unknown as RunReport['components'],
};
const price = { param: 'instrEnergy', value: 2, unit: 'pJ' as const, text: '2 pJ', origin: 'tech' as const, source: EVIL };
const energy = {
  platform: 'p', elapsedPs: 2_000_000, elapsed: '2 us', dynamicPj: 600, staticPj: 60, totalPj: 660, total: '660 pJ', averagePowerUw: 330, averagePower: '330 uW', areaUm2: 0, area: '0 um2',
  prices: [], unpriced: [],
  components: [{ instance: 'pe0', kind: 'core', simulated: true, dutyCycle: 0.75, dynamicPj: 600, staticPj: 60, totalPj: 660, total: '660 pJ', averagePowerUw: 330, averagePower: '330 uW', areaUm2: 0, area: '0 um2', unpriced: [],
    events: [{ event: 'instruction', kind: 'per-event', category: 'dynamic', count: 300, price, energyPj: 600, energy: '600 pJ' }, { event: 'leakage', kind: 'static', category: 'static', timePs: 2_000_000, price: { ...price, unit: 'uW', text: '30 uW' }, energyPj: 60, energy: '60 pJ' }] }],
} as unknown as EnergyReport;
const runInput: RunReportInput = {
  title: EVIL, report, energy,
  mapping: [{ node: `node '${EVIL}' (#0, Conv)`, opType: 'QLinearConv', target: 'cores', macs: 100, predictedInstructions: 50, predictedCycles: 60 }, { node: "node 'r' (#1, Reshape)", opType: 'Reshape', target: 'alias', predictedCycles: 0 }],
  model: {
    summary: { model: 'm.onnx', platform: 'p', inferences: 2, accuracy: 0.5, correct: 1, referenceBitExact: 2, latency: { meanPs: 2e6, minPs: 2e6, maxPs: 2e6 }, energyPerInferencePj: 660 },
    inferences: [0, 1].map((i) => ({ index: i, label: 1, top1: i, correct: i === 1, latencyPs: 2e6, energyPj: 660, bitExact: true })),
  },
};

const dist = (m: number) => ({ mean: m, std: m / 10, min: m / 2, p5: m / 2, p50: m, p95: 2 * m, max: 2 * m });
const summary = (acc: number, name = 'scen'): CampaignSummary => ({
  scenario: name, scenarioHash: 'abc', items: 8, chips: 2, inferencesPerChip: 4,
  accuracy: { mean: acc, ci95: [Math.max(0, acc - 0.2), Math.min(1, acc + 0.1)], correct: Math.round(acc * 8) },
  perChip: { accuracy: [acc, 1], min: acc, max: 1 }, latencyPs: dist(5e7), energyPj: dist(3e5), energyUnpriced: ['l1.leakage'],
  faults: { drawn: 8, applied: 7 }, differRate: 0.5, outcomes: { masked: 4, sdc: 2, crash: 1, hang: 1 }, firstDivergence: { [EVIL]: 2 }, threshold: 0.75, verdict: acc >= 0.75 ? 'PASS' : 'FAIL',
});
const results: ItemResult[] = Array.from({ length: 8 }, (_, k) => ({
  key: `c${k >> 2}/i${k & 3}`, chip: k >> 2, inference: k & 3, sample: k & 3, label: 1, top1: 1, correct: true, latencyPs: 4e7 + k * 1e6, energyPj: 3e5 + k, energyUnpriced: [],
  faultsDrawn: 1, faultsApplied: 1, differs: false, firstDivergence: null, outcome: 'masked', error: null,
}));

/** Checks shared by every page: structure, no raw data in the markup, units, no web address. */
function checkPage(html: string): ChartSpec[] {
  expect(html.startsWith('<!DOCTYPE html>\n<html lang="en">')).toBe(true);
  expect(html.trimEnd().endsWith('</html>')).toBe(true);
  for (const tag of ['html', 'head', 'body', 'main', 'style', 'title']) {
    expect(html.match(new RegExp(`<${tag}[\\s>]`, 'g')), tag).toHaveLength(1);
    expect(html.split(`</${tag}>`).length - 1, tag).toBe(1);
  }
  // three scripts: the JSON block, the library, the drawing code; nothing ends one early
  expect(html.match(/<script\b/g)).toHaveLength(3);
  expect(html.match(/<\/script>/g)).toHaveLength(3);
  expect(html).not.toContain('<script>alert(1)');
  expect(html).not.toMatch(/https?:\/\//);
  expect(html).not.toMatch(/\ssrc=|<link\b|@import|url\(/);
  const charts = chartsOf(html);
  const canvases = [...html.matchAll(/<canvas id="chart-([^"]+)"/g)].map((m) => m[1]);
  expect(canvases.sort()).toEqual(charts.map((c) => c.id).sort());
  expect(new Set(canvases).size).toBe(canvases.length);
  for (const c of charts) {
    // every axis names its unit in brackets (or is a category axis naming what it counts)
    const value = c.kind === 'hbar' || c.kind === 'stacked-hbar' || c.kind === 'gantt' ? c.xTitle : c.yTitle;
    expect(value, `${c.id} value axis`).toMatch(/\[[^\]]+\]/);
    expect(c.unit, c.id).not.toBe('');
  }
  // every right-aligned (number) cell carries a unit
  for (const m of html.matchAll(/<td class="num[^"]*">([^<]*)<\/td>/g)) expect(m[1], 'number cell without unit').toMatch(/^-$|[A-Za-zµ%]/);
  return charts;
}

describe('report HTML', () => {
  it('escapes text, JSON and inlined code', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
    const j = jsonForScript({ s: EVIL });
    expect(j).not.toMatch(/[<>&\u2028]/);
    expect(JSON.parse(j)).toEqual({ s: EVIL });
    expect(inlineScript('/*!\n * lib v1\n * https://example.org\n */\nvar s = "</script>";\n//# sourceMappingURL=lib.js.map')).toBe('/*!\n * lib v1\n * example.org\n */\nvar s = "<\\/script>";\n');
  });

  it('run report: layers, inferences, components, timeline summary, energy; data escaped, units everywhere', () => {
    const html = renderRunReport(runInput, LIB);
    const charts = checkPage(html);
    expect(charts.map((c) => c.id)).toEqual(['layer-latency', 'inference-latency', 'inference-energy', 'busy', 'duty', 'timeline', 'energy-components', 'energy-events']);
    expect(html).toContain(escapeHtml(EVIL));
    expect(charts.find((c) => c.id === 'busy')!.labels).toContain(EVIL); // in the JSON, escaped there
    const layer = charts.find((c) => c.id === 'layer-latency')!;
    expect(layer.xTitle).toBe('predicted time [ns]');
    expect(layer.datasets[0]!.data).toEqual([240]); // 60 cycles x 4 ns; the alias layer left out of the chart
    expect(charts.find((c) => c.id === 'timeline')!.kind).toBe('stacked-hbar');
    expect(html).toContain('a trace of busy intervals');
    expect(html).toContain('1.5 us'); // busy time with its unit
    expect(html).toContain('75.0 %');
    expect(html).toContain('660 pJ');
  });

  it('run report from a trace: a Gantt chart of the busy intervals, wait stalls left out', () => {
    const iv = traceIntervals({ traceEvents: [
      { name: 'thread_name', ph: 'M', pid: 1, tid: 2, args: { name: 'dma' } },
      { name: 'thread_name', ph: 'M', pid: 1, tid: 1, args: { name: 'pe0' } },
      { name: 'transfer #1', ph: 'X', pid: 1, tid: 2, ts: 0.5, dur: 1 },
      { name: 'run', ph: 'X', pid: 1, tid: 1, ts: 1, dur: 0.25 },
      { name: 'wait', ph: 'X', pid: 1, tid: 1, ts: 1.25, dur: 0.5 },
      { name: 'pe0.busy_fraction', ph: 'C', pid: 1, tid: 1, ts: 0, args: { value: 1 } },
    ] });
    expect(iv).toEqual([{ component: 'pe0', startPs: 1_000_000, endPs: 1_250_000 }, { component: 'dma', startPs: 500_000, endPs: 1_500_000 }]);
    const charts = checkPage(renderRunReport({ ...runInput, intervals: iv }, LIB));
    const g = charts.find((c) => c.id === 'timeline')!;
    expect(g).toMatchObject({ kind: 'gantt', xTitle: 'simulated time [µs]', labels: ['pe0', 'dma'] });
    expect(g.datasets[0]).toMatchObject({ data: [[1, 1.25], [0.5, 1.5]], rows: ['pe0', 'dma'] });
  });

  it('simulated layer intervals (inferences.json layers) are shown next to the predicted latency', () => {
    const node = `node '${EVIL}' (#0, Conv)`;
    const html = renderRunReport({ ...runInput, layers: [{ node, startPs: 4000, endPs: 404_000 }] }, LIB);
    const charts = checkPage(html);
    const layer = charts.find((c) => c.id === 'layer-latency')!;
    expect(layer.xTitle).toBe('time [ns]');
    expect(layer.datasets.map((d) => d.label)).toEqual(['predicted time', 'simulated time (first inference)']);
    expect(layer.datasets[1]!.data).toEqual([400]); // 400 ns
    expect(html).toContain('simulated share');
  });

  it('a run folder with little in it says what is missing', () => {
    const html = renderRunReport({ title: 'empty' }, LIB);
    checkPage(html);
    expect(html).toContain('Not in this report');
    expect(html).toContain('energy.json');
  });

  it('campaign report: accuracy with CI and threshold, chip histogram, outcomes per chip, histograms', () => {
    const html = renderCampaignReport({ summary: summary(0.625), results, point: 'x=1' }, LIB);
    const charts = checkPage(html);
    expect(charts.map((c) => c.id)).toEqual(['accuracy', 'chip-histogram', 'outcomes', 'latency-dist', 'energy-dist']);
    const acc = charts[0]!;
    expect(acc.datasets[0]!.err![0]).toEqual([42.5, 72.5]);
    expect(acc.datasets[1]).toMatchObject({ dashed: true, data: [75, 75, 75] });
    expect(charts[1]!.datasets[0]!.data.reduce((a, b) => (a as number) + (b as number), 0)).toBe(2);
    expect(charts[3]!.title).toContain('histogram');
    expect(charts[3]!.xTitle).toBe('latency [µs]');
    expect(html).toContain('FAIL');
    expect(html).toContain(escapeHtml(EVIL)); // first diverging tensor
    // without results.jsonl: percentiles
    const p = chartsOf(renderCampaignReport({ summary: summary(0.9) }, LIB));
    expect(p.find((c) => c.id === 'latency-dist')!.labels).toEqual(['min', 'p5', 'p50', 'p95', 'max']);
  });

  it('sweep report: accuracy curve with CI whiskers and the threshold, log axis for rates, links to the points', () => {
    const html = renderSweepReport({
      scenario: 'sw', axes: [{ key: 'faults.1.rate', values: [1e-7, 1e-6, 1e-5] }],
      points: [1e-7, 1e-6, 1e-5].map((v, i) => ({ values: [v], summary: summary(1 - 0.3 * i), href: `faults.1.rate=${v}/report.html` })),
    }, LIB);
    const charts = checkPage(html);
    const acc = charts[0]!;
    expect(acc).toMatchObject({ kind: 'line', xScale: 'logarithmic', yTitle: 'accuracy [%]' });
    expect(acc.datasets[0]!.data[1]).toEqual({ x: 1e-6, y: 70 });
    expect(acc.datasets[0]!.err![1]).toEqual([50, 80]);
    expect(acc.datasets[1]).toMatchObject({ label: 'threshold 75.00 %', dashed: true });
    expect(html).toContain('<a href="faults.1.rate=0.000001/report.html">point report</a>');
    // two axes: one curve per value of the second; a category axis for non-numeric values
    const two = chartsOf(renderSweepReport({
      scenario: 'sw2', axes: [{ key: 'mode', values: ['a', 'b'] }, { key: 'n', values: [0, 1] }],
      points: [['a', 0], ['a', 1], ['b', 0], ['b', 1]].map((values, i) => ({ values: values as (string | number)[], summary: summary(1 - 0.1 * i) })),
    }, LIB));
    expect(two[0]!.labels).toEqual(['a', 'b']);
    expect(two[0]!.datasets.map((d) => d.label)).toEqual(['n = 0', 'n = 1', 'threshold 75.00 %']);
  });

  it('inlines the real chart.js browser build without any web address', () => {
    const lib = chartLibrary();
    expect(lib).toMatch(/Chart\.js v4/);
    const html = renderCampaignReport({ summary: summary(0.8) }, lib);
    checkPage(html);
    expect(html.length).toBeGreaterThan(200_000);
    expect(readFileSync(new URL('../../src/report/README.md', import.meta.url), 'utf8')).toContain('Chart.js');
  });
});
