/**
 * Chart specifications: what the page's script turns into Chart.js charts. Everything is
 * computed here (values already scaled to the axis unit, axis titles with their unit), so the
 * browser side only maps a spec onto the library's configuration.
 */

/** A point of a line chart on a numeric x axis. */
export interface XY {
  readonly x: number;
  readonly y: number | null;
}

/** One series of a chart. */
export interface ChartDataset {
  readonly label: string;
  /**
   * Values by category (`bar`, `hbar`, `stacked-hbar`, `line` on a category axis), `[start, end]`
   * ranges (`gantt`, floating bars, one per category), or `{x, y}` points (`line` on a numeric
   * axis, `scatter`).
   */
  readonly data: readonly (number | null | readonly [number, number] | XY)[];
  /** Error bars: `[low, high]` per value (same unit as the value), drawn as whiskers. */
  readonly err?: readonly (readonly [number, number] | null)[];
  /** Gantt rows: the category of each `[start, end]` of `data` (several ranges may share a row). */
  readonly rows?: readonly string[];
  /** CSS colour. */
  readonly color?: string;
  /** Dashed line without points (a threshold; in a `scatter`, e.g. the line y = x). */
  readonly dashed?: boolean;
  /** `scatter`: the point marker (default `circle`). */
  readonly pointStyle?: 'circle' | 'rect' | 'rectRot' | 'triangle' | 'star' | 'cross' | 'crossRot';
  /** `scatter`: the marker radius in px (default 4). */
  readonly pointRadius?: number;
  /** `scatter`: join the points in data order with a line. */
  readonly line?: boolean;
  /**
   * `scatter` with `line`: a step line (a Pareto staircase), as Chart.js draws it: `before` goes
   * horizontally to the next point's x first, then vertically; `after` vertically first.
   */
  readonly stepped?: 'before' | 'after';
  /** `scatter`: a name per point, shown in its tooltip (e.g. the design point). */
  readonly names?: readonly string[];
}

/** How a chart is drawn. */
export type ChartKind = 'bar' | 'hbar' | 'stacked-hbar' | 'stacked-bar' | 'line' | 'gantt' | 'scatter';

/** A chart of the report. */
export interface ChartSpec {
  /** Unique in the page; the canvas is `chart-<id>`. */
  readonly id: string;
  readonly kind: ChartKind;
  readonly title: string;
  /** Axis titles, each with its unit in brackets, e.g. `busy time [µs]`. */
  readonly xTitle: string;
  readonly yTitle: string;
  /** Unit appended to values in tooltips (of the y value in a `scatter`). */
  readonly unit: string;
  /** `scatter`: unit of the x values in tooltips. */
  readonly xUnit?: string;
  /** Category labels (not for `line` on a numeric axis). */
  readonly labels?: readonly string[];
  /** Numeric x axis of a `line` chart (a `scatter`'s x axis, default linear). */
  readonly xScale?: 'linear' | 'logarithmic';
  /** `scatter`: the y axis (default linear). */
  readonly yScale?: 'linear' | 'logarithmic';
  /** Value axis limits (e.g. 0..100 for percentages). */
  readonly min?: number;
  readonly max?: number;
  readonly datasets: readonly ChartDataset[];
  /** Counts: integer ticks on the value axis. */
  readonly integer?: boolean;
  /** Canvas height in px (default 320). */
  readonly height?: number;
}

/** A unit of an axis: values are divided by `factor` (given in the base unit). */
export interface AxisUnit {
  readonly unit: string;
  readonly factor: number;
}

const TIME: readonly AxisUnit[] = [{ unit: 'ps', factor: 1 }, { unit: 'ns', factor: 1e3 }, { unit: 'µs', factor: 1e6 }, { unit: 'ms', factor: 1e9 }, { unit: 's', factor: 1e12 }];
const ENERGY: readonly AxisUnit[] = [{ unit: 'fJ', factor: 1e-3 }, { unit: 'pJ', factor: 1 }, { unit: 'nJ', factor: 1e3 }, { unit: 'µJ', factor: 1e6 }, { unit: 'mJ', factor: 1e9 }, { unit: 'J', factor: 1e12 }];

function pick(ladder: readonly AxisUnit[], values: readonly number[]): AxisUnit {
  const max = Math.max(0, ...values.filter(Number.isFinite).map(Math.abs));
  let u = ladder[0]!;
  for (const step of ladder) if (max >= step.factor) u = step;
  return u;
}

/** The time unit (ps .. s) that keeps the largest of `ps` values at or above 1. */
export const timeUnit = (ps: readonly number[]): AxisUnit => pick(TIME, ps);
/** The energy unit (fJ .. J) that keeps the largest of `pj` values at or above 1. */
export const energyUnit = (pj: readonly number[]): AxisUnit => pick(ENERGY, pj);

/** `v / u.factor` rounded to 6 significant digits (keeps the JSON small and exact enough). */
export const scale = (v: number, u: AxisUnit): number => Number((v / u.factor).toPrecision(6));

/** Histogram of `xs` in `bins` equal bins over [min, max]; labels by `fmt` of the bin edges. */
export function histogram(xs: readonly number[], bins: number, fmt: (lo: number, hi: number) => string): { labels: string[]; counts: number[] } {
  if (xs.length === 0) return { labels: [], counts: [] };
  const lo = Math.min(...xs);
  const hi = Math.max(...xs);
  if (lo === hi) return { labels: [fmt(lo, hi)], counts: [xs.length] };
  const w = (hi - lo) / bins;
  const counts = new Array<number>(bins).fill(0);
  for (const x of xs) counts[Math.min(bins - 1, Math.floor((x - lo) / w))]!++;
  return { labels: counts.map((_, i) => fmt(lo + i * w, lo + (i + 1) * w)), counts };
}

/** Colours of the series, in order (colour-blind friendly Tableau 10). */
export const PALETTE: readonly string[] = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];
