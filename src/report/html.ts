/**
 * HTML building blocks of the reports: escaping, the JSON data block, tables, the page shell
 * with the charting library inlined, and the unit ladders of chart axes.
 */
import { CLIENT_JS } from './client.js';
import type { ChartSpec } from './charts.js';

/** Escapes text for HTML element content and double- or single-quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? '&quot;' : '&#39;'));
}

/**
 * JSON for a `<script type="application/json">` block: `<`, `>` and `&` become `\u003c`,
 * `\u003e` and `\u0026` (so no `</script>` or `<!--` can end or change the block), and the line
 * separators U+2028/U+2029 are escaped too. `JSON.parse` of the block's text gives `value` back.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/**
 * Prepares a library's minified browser build for an inline `<script>`: drops the source-map
 * comment (it would name a file next to the page), turns the web addresses in its license
 * comments into bare host names (the notices stay; the page names no URL), and breaks any
 * `</script` so the inlined code cannot end its block.
 */
export function inlineScript(source: string): string {
  return source
    .replace(/^\/\/# sourceMappingURL=.*$/gm, '')
    .replace(/\/\*![\s\S]*?\*\//g, (c) => c.replace(/https?:\/\//g, ''))
    .replace(/<\/(script)/gi, '<\\/$1');
}

/** A table cell: text (escaped) or pre-escaped HTML; `num` right-aligns it. */
export type Cell = string | { readonly html: string } | { readonly text: string; readonly num?: boolean; readonly cls?: string };

const cellHtml = (c: Cell, tag: 'td' | 'th'): string => {
  if (typeof c === 'string') return `<${tag}>${escapeHtml(c)}</${tag}>`;
  if ('html' in c) return `<${tag}>${c.html}</${tag}>`;
  const cls = [c.num === true ? 'num' : '', c.cls ?? ''].filter((x) => x !== '').join(' ');
  return `<${tag}${cls === '' ? '' : ` class="${escapeHtml(cls)}"`}>${escapeHtml(c.text)}</${tag}>`;
};

/** A number cell (right-aligned); the text must carry its unit. */
export const num = (text: string, cls?: string): Cell => (cls === undefined ? { text, num: true } : { text, num: true, cls });

/** An HTML table with a header row; `caption` (escaped) above it; `rowClasses` (escaped) marks rows. */
export function table(head: readonly string[], rows: readonly (readonly Cell[])[], caption?: string, rowClasses?: readonly (string | undefined)[]): string {
  const tr = (i: number): string => {
    const c = rowClasses?.[i];
    return c === undefined || c === '' ? '<tr>' : `<tr class="${escapeHtml(c)}">`;
  };
  return `<div class="tablewrap"><table>${caption === undefined ? '' : `<caption>${escapeHtml(caption)}</caption>`}<thead><tr>${head.map((h) => cellHtml(h, 'th')).join('')}</tr></thead><tbody>${rows
    .map((r, i) => `${tr(i)}${r.map((c) => cellHtml(c, 'td')).join('')}</tr>`)
    .join('')}</tbody></table></div>`;
}

/** A summary card: a label and a value (both escaped), an optional note. */
export function card(label: string, value: string, note?: string, cls?: string): string {
  return `<div class="card${cls === undefined ? '' : ` ${escapeHtml(cls)}`}"><div class="label">${escapeHtml(label)}</div><div class="value">${escapeHtml(value)}</div>${note === undefined ? '' : `<div class="note">${escapeHtml(note)}</div>`}</div>`;
}

/** A chart's place in the page: its canvas, with the chart's title and a caption (escaped). */
export function chartBox(spec: ChartSpec, caption?: string): string {
  const h = spec.height ?? 320;
  return `<figure class="chart" data-chart="${escapeHtml(spec.id)}"><div class="canvaswrap" style="height:${h}px"><canvas id="chart-${escapeHtml(spec.id)}" role="img" aria-label="${escapeHtml(spec.title)}"></canvas></div>${caption === undefined ? '' : `<figcaption>${escapeHtml(caption)}</figcaption>`}</figure>`;
}

/** A section with a heading (escaped) and body HTML. */
export const section = (id: string, title: string, body: string): string => `<section id="${escapeHtml(id)}"><h2>${escapeHtml(title)}</h2>${body}</section>`;

/** A paragraph of escaped text, with a class. */
export const para = (text: string, cls = ''): string => `<p${cls === '' ? '' : ` class="${escapeHtml(cls)}"`}>${escapeHtml(text)}</p>`;

const CSS = `
:root{--fg:#1d2430;--muted:#5b6575;--line:#d9dee6;--bg:#fff;--panel:#f6f8fb;--ok:#137333;--bad:#b3261e}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
header{padding:18px 28px;border-bottom:1px solid var(--line);background:var(--panel)}
header h1{margin:0 0 4px;font-size:20px}
header .sub{color:var(--muted)}
main{padding:8px 28px 40px;max-width:1280px}
section{margin-top:26px}
h2{font-size:17px;border-bottom:1px solid var(--line);padding-bottom:4px}
.cards{display:flex;flex-wrap:wrap;gap:12px}
.card{background:var(--panel);border:1px solid var(--line);border-radius:6px;padding:10px 14px;min-width:170px}
.card .label{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.03em}
.card .value{font-size:19px;font-weight:600}
.card .note{color:var(--muted);font-size:12px}
.card.pass .value{color:var(--ok)} .card.fail .value{color:var(--bad)}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(520px,1fr));gap:18px}
figure.chart{margin:10px 0;border:1px solid var(--line);border-radius:6px;padding:10px}
.canvaswrap{position:relative;width:100%}
figcaption{color:var(--muted);font-size:12px;margin-top:6px}
.tablewrap{overflow-x:auto;margin:10px 0}
table{border-collapse:collapse;font-size:13px}
caption{text-align:left;color:var(--muted);padding:4px 0}
th,td{border-bottom:1px solid var(--line);padding:4px 10px;text-align:left;vertical-align:top}
th{background:var(--panel)}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.pass{color:var(--ok);font-weight:600} td.fail{color:var(--bad);font-weight:600}
td.status{min-width:220px} tr.front td{background:#fdeced} tr.infeasible td,tr.error td{color:var(--muted)} tr.error td.fail{color:var(--bad)}
p.missing{background:#fff8e1;border-left:3px solid #f0b400;padding:6px 10px}
p.note{color:var(--muted)}
footer{color:var(--muted);font-size:12px;padding:16px 28px;border-top:1px solid var(--line)}
`;

/** What every page gets: its title, subtitle, body sections, charts, and the library source. */
export interface PageParts {
  readonly title: string;
  readonly subtitle: string;
  readonly body: string;
  readonly charts: readonly ChartSpec[];
  /** The charting library's browser build (see {@link inlineScript}). */
  readonly library: string;
  /** Footer text (escaped). */
  readonly footer: string;
}

/**
 * The whole self-contained page: styles, the report's body, the chart specifications as JSON in
 * `<script type="application/json" id="edgesim-report-data">`, the inlined charting library and
 * the small script that draws the charts from the JSON. No external resource is referenced.
 */
export function page(p: PageParts): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="edgesim">
<title>${escapeHtml(p.title)}</title>
<style>${CSS}</style>
</head>
<body>
<header><h1>${escapeHtml(p.title)}</h1><div class="sub">${escapeHtml(p.subtitle)}</div></header>
<main>
${p.body}
</main>
<footer>${escapeHtml(p.footer)}</footer>
<script type="application/json" id="edgesim-report-data">${jsonForScript({ charts: p.charts })}</script>
<script>${inlineScript(p.library)}</script>
<script>${CLIENT_JS}</script>
</body>
</html>
`;
}
