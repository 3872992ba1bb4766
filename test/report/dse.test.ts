/**
 * The report of a design-space sweep (`edgesim sweep`): from hand-made points (an error point, an
 * infeasible point, normalized ratios, analytic and simulated figures) the page's structure, its
 * chart specifications (one scatter per pair of objectives, the front in its own dataset, values
 * in the axis units), escaping, and every chart drawn in headless Chromium (as in browser.test.ts).
 */
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { SweepOutput } from '../../src/cli/sweep-command.js';
import { escapeHtml, renderDseReport, type ChartSpec, type DsePointInput, type DseReportInput } from '../../src/report/index.js';
import { CHROMIUM, chartsOf, openPage } from './page-check.js';

const EVIL = `</script><script>alert(1)</script><!-- & "q" 'a' \u2028`;
const LIB = 'window.Chart = function () {};';

/** A point: objectives in result units (latency us, energy uJ, accuracy %). */
function point(index: number, precision: string, o: { lat: number; en: number; acc: number }, extra: Partial<DsePointInput> = {}): DsePointInput {
  return {
    index, label: `rows=${8 << index},precision=${precision}`, values: { 'pe.rows': 8 << index, 'precision.*.weightBits': precision },
    error: null, areaUm2: 1.5e6 + index * 1e5,
    analytic: { accuracy: o.acc / 100, accuracyExact: true, latencyPs: o.lat * 1e6 * 1.1, energyPj: o.en * 1e6 * 0.9 },
    simulated: { accuracy: o.acc / 100, latencyPs: o.lat * 1e6, energyPj: o.en * 1e6, inferences: 4 },
    energyUnpriced: [], objectives: { latency: o.lat, energy: o.en, accuracy: o.acc }, violations: [],
    ...extra,
  };
}

const points: DsePointInput[] = [
  point(0, 'int8', { lat: 1500, en: 2, acc: 90 }),
  point(1, 'int8', { lat: 800, en: 3, acc: 90 }),
  point(2, 'int4', { lat: 700, en: 2.5, acc: 85 }, { energyUnpriced: ['l2.leakage'] }),
  point(3, EVIL, { lat: 1600, en: 3.5, acc: 89 }, { label: `rows=64,precision=${EVIL}` }),
  point(4, 'int2', { lat: 500, en: 1, acc: 95 }, { violations: ['area 2.31 mm2 violates <= 2 mm2'], analytic: null }),
  { ...point(5, 'int8', { lat: 0, en: 0, acc: 0 }), error: `compile error: ${EVIL}\nsecond line`, analytic: null, simulated: null, areaUm2: null, objectives: {} },
];
const ratio = (p: DsePointInput) => (p.error !== null ? {} : { latency: p.objectives.latency! / 800, energy: p.objectives.energy! / 2, accuracy: p.objectives.accuracy! / 90 });
const input: DseReportInput = {
  sweep: 'pe-sweep', doc: 'rows and precision', file: 'sweeps/pe.yaml', evaluate: { analytic: true, simulate: true }, inferences: 4,
  axes: [{ key: 'pe.rows', kind: 'param' }, { key: 'precision.*.weightBits', kind: 'precision' }],
  constraints: ['area <= 2 mm2'],
  points,
  front: {
    objectives: [{ name: 'latency', sense: 'min', unit: 'us' }, { name: 'energy', sense: 'min', unit: 'uJ' }, { name: 'accuracy', sense: 'max', unit: '%' }],
    feasible: [0, 1, 2, 3], front: [0, 1, 2], hypervolume: 1234.5678, reference: [1690, 3.65, 84.5],
  },
  analyticError: { points: 4, latency: { meanAbsPct: 10, maxAbsPct: 10, meanPct: 10 }, energy: { meanAbsPct: 10, maxAbsPct: 10.2, meanPct: -10 }, accuracyMismatches: 1 },
  normalized: { reference: { latency: { value: 800, point: 1 }, energy: { value: 2, point: 0 }, accuracy: { value: 90, point: 0 } }, ratios: points.map(ratio) },
};

/** Structure, escaping, one canvas per chart, units on every axis and number cell (as report.test.ts checks every page). */
function checkPage(html: string): ChartSpec[] {
  expect(html.startsWith('<!DOCTYPE html>\n<html lang="en">')).toBe(true);
  expect(html.match(/<script\b/g)).toHaveLength(3);
  expect(html.match(/<\/script>/g)).toHaveLength(3);
  expect(html).not.toContain('<script>alert(1)');
  expect(html).not.toMatch(/https?:\/\//);
  const charts = chartsOf(html);
  const canvases = [...html.matchAll(/<canvas id="chart-([^"]+)"/g)].map((m) => m[1]);
  expect(canvases.sort()).toEqual(charts.map((c) => c.id).sort());
  for (const c of charts) {
    expect(c.yTitle, `${c.id} y axis`).toMatch(/\[[^\]]+\]/);
    if (c.kind === 'scatter') expect(c.xTitle, `${c.id} x axis`).toMatch(/\[[^\]]+\]/);
    expect(c.unit, c.id).not.toBe('');
  }
  for (const m of html.matchAll(/<td class="num[^"]*">([^<]*)<\/td>/g)) expect(m[1], 'number cell without unit').toMatch(/^-$|[A-Za-zµ%×²]/);
  return charts;
}

describe('design-space sweep report', () => {
  it('SweepOutput (sweep.json) is a DseReportInput', () => {
    const asInput = (o: SweepOutput): DseReportInput => o; // the compile-time check
    expect(typeof asInput).toBe('function');
  });

  it('cards, a scatter per pair of objectives with the front in its own dataset, ratios, analytic vs simulated, the table', () => {
    const html = renderDseReport(input, LIB);
    const charts = checkPage(html);
    expect(charts.map((c) => c.id)).toEqual(['pair-latency-energy', 'pair-latency-accuracy', 'pair-energy-accuracy', 'normalized', 'analytic-latency', 'analytic-energy']);
    const le = charts[0]!;
    expect(le).toMatchObject({ kind: 'scatter', xTitle: 'latency [ms]', yTitle: 'energy [µJ]', xUnit: 'ms', unit: 'µJ', xScale: 'linear', yScale: 'linear' });
    expect(le.datasets.map((d) => d.label)).toEqual(['Pareto front', 'feasible, dominated', 'infeasible (constraint violated)']);
    // the front sorted by latency, in ms and µJ; 3 objectives: no staircase
    expect(le.datasets[0]).toMatchObject({ data: [{ x: 0.7, y: 2.5 }, { x: 0.8, y: 3 }, { x: 1.5, y: 2 }], pointRadius: 7, color: '#e15759' });
    expect(le.datasets[0]!.line).toBeUndefined();
    expect(le.datasets[0]!.names![0]).toBe('#2 rows=32,precision=int4');
    expect(le.datasets[1]!.data).toEqual([{ x: 1.6, y: 3.5 }]);
    expect(le.datasets[1]!.names).toEqual([`#3 rows=64,precision=${EVIL}`]); // raw in the JSON, escaped there
    expect(le.datasets[2]).toMatchObject({ data: [{ x: 0.5, y: 1 }], pointStyle: 'crossRot' });
    expect(charts[1]!.yTitle).toBe('accuracy [%]');
    expect(html).toContain('Not drawn: 1 point(s) with an error.');
    // normalized ratios: one bar per objective, the reference line, the reference points named
    const n = charts[3]!;
    expect(n).toMatchObject({ kind: 'bar', yTitle: 'value / reference [ratio]', labels: ['#0 (front)', '#1 (front)', '#2 (front)', '#3', '#4'] });
    expect(n.datasets.map((d) => d.label)).toEqual(['latency (min)', 'energy (min)', 'accuracy (max)', 'reference = 1']);
    expect(n.datasets[0]!.data).toEqual([1.875, 1, 0.875, 2, 0.625]);
    expect(html).toContain('Reference: latency: #1 (rows=16,precision=int8), 800 us; energy: #0 (rows=8,precision=int8), 2 µJ; accuracy: #0 (rows=8,precision=int8), 90 %.');
    // analytic (x) against simulated (y) with y = x; the point without an analytic figure left out
    const al = charts[4]!;
    expect(al).toMatchObject({ xTitle: 'analytic latency [ms]', yTitle: 'simulated latency [ms]' });
    expect(al.datasets[0]!.data).toEqual([{ x: 1.65, y: 1.5 }, { x: 0.88, y: 0.8 }, { x: 0.77, y: 0.7 }]);
    expect(al.datasets[2]).toMatchObject({ dashed: true, data: [{ x: 0.7, y: 0.7 }, { x: 1.76, y: 1.76 }] });
    expect(charts[5]).toMatchObject({ xTitle: 'analytic energy [µJ]', yTitle: 'simulated energy [µJ]' });
    // cards
    expect(html).toContain('1234.57 µs × µJ × %');
    expect(html).toContain('4 of 6');
    expect(html).toContain('mean |e| 10.0 %');
    expect(html).toContain('1 of 4');
    // table: front rows marked, infeasible with its constraint, the error's first line, units, escaping
    expect(html.match(/<tr class="front">/g)).toHaveLength(3);
    expect(html).toContain('<tr class="infeasible">');
    expect(html).toContain('infeasible: area 2.31 mm2 violates &lt;= 2 mm2');
    expect(html).toContain(`<td class="status fail">error: compile error: ${escapeHtml(EVIL)}</td>`);
    expect(html).not.toContain('second line');
    expect(html).toContain(`<td>${escapeHtml(EVIL)}</td>`); // the axis value
    expect(html).toContain('&gt;= 2.5 µJ'); // unpriced energy: a lower bound
    expect(html).toContain('1.5 ms');
    expect(html).toContain('1.875 ×');
  });

  it('two objectives: one chart, the front as a staircase; no ratios or analytic charts without the data', () => {
    const two: DseReportInput = {
      ...input, normalized: null, evaluate: { analytic: false, simulate: true },
      points: points.map((p) => ({ ...p, analytic: null })),
      analyticError: { points: 0, latency: null, energy: null, accuracyMismatches: 0 },
      front: { ...input.front, objectives: [{ name: 'accuracy', sense: 'max', unit: '%' }, { name: 'latency', sense: 'min', unit: 'us' }], front: [1, 2], hypervolume: 12 },
    };
    const charts = checkPage(renderDseReport(two, LIB));
    expect(charts.map((c) => c.id)).toEqual(['pair-accuracy-latency']);
    expect(charts[0]!.datasets[0]).toMatchObject({ label: 'Pareto front', line: true, stepped: 'after', data: [{ x: 85, y: 0.7 }, { x: 90, y: 0.8 }] });
  });

  it('every point failed: the charts are empty, the errors counted, no hypervolume', () => {
    const failed: DseReportInput = {
      ...input, normalized: null, points: points.map((p) => ({ ...p, error: 'unrealizable', objectives: {}, analytic: null, simulated: null, violations: [] })),
      front: { ...input.front, feasible: [], front: [], hypervolume: 0, reference: [] }, analyticError: { points: 0, latency: null, energy: null, accuracyMismatches: 0 },
    };
    const html = renderDseReport(failed, LIB);
    const charts = checkPage(html);
    expect(charts.map((c) => c.datasets.length)).toEqual([0, 0, 0]);
    expect(html).toContain('Not drawn: 6 point(s) with an error.');
    expect(html.match(/<td class="status fail">error: unrealizable<\/td>/g)).toHaveLength(6);
  });

  it('every chart draws in headless Chromium', async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium; .ci/run does)`);
    const dir = mkdtempSync(join(tmpdir(), 'edgesim-dse-report-'));
    const file = join(dir, 'report.html');
    // imported here: the CLI layer (and what it imports) is not needed by the tests above
    const { chartLibrary } = await import('../../src/cli/report-files.js');
    writeFileSync(file, renderDseReport(input, chartLibrary()));
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
    try {
      const r = await openPage(browser, file);
      expect(r.errors).toEqual([]);
      expect(r.requests).toEqual([]);
      expect(r.canvases).toBe(6);
      expect(r.drawn).toBe(6);
      expect(r.marked).toBe(6);
      for (const [id, n] of Object.entries(r.painted)) expect(n, `${id} painted pixels`).toBeGreaterThan(2000);
    } finally {
      await browser.close();
    }
  }, 60_000);
});
