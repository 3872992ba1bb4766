/**
 * Shared checks of generated report pages: the chart specifications of a page (its JSON block)
 * and what a page does in headless Chromium (errors, requests, canvases drawn, painted pixels).
 */
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { expect } from 'vitest';
import type { ChartSpec } from '../../src/report/index.js';

/** Debian's chromium (installed by .ci/run). */
export const CHROMIUM = '/usr/bin/chromium';

/** The chart specifications of a page (its JSON block, parsed). */
export function chartsOf(html: string): ChartSpec[] {
  const m = /<script type="application\/json" id="edgesim-report-data">([^<]*)<\/script>/.exec(html);
  expect(m).not.toBeNull();
  return (JSON.parse(m![1]!) as { charts: ChartSpec[] }).charts;
}

/** What a page did in the browser. */
export interface PageCheck {
  readonly errors: string[];
  readonly requests: string[];
  readonly canvases: number;
  readonly drawn: number;
  /** Canvases marked `data-drawn="1"` by the page's script. */
  readonly marked: number;
  /** Painted (non-transparent) pixels per canvas, by canvas id. */
  readonly painted: Record<string, number>;
  readonly text: string;
}

/** Opens `file` (an HTML file) in a new page of `browser`; `screenshot` saves a full-page screenshot there. */
export async function openPage(browser: Browser, file: string, screenshot?: string): Promise<PageCheck> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors: string[] = [];
  const requests: string[] = [];
  const url = pathToFileURL(file).href;
  page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') errors.push(`console.${m.type()}: ${m.text()}`); });
  page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
  page.on('request', (r) => { if (r.url() !== url) requests.push(r.url()); });
  await page.goto(url, { waitUntil: 'load' });
  await page.waitForFunction('window.edgesimCharts !== undefined', undefined, { timeout: 10_000 }).catch(() => undefined);
  // browser-side code as text: the project's TypeScript has no DOM types
  const r = await page.evaluate<{ canvases: number; drawn: number; marked: number; painted: Record<string, number>; text: string }>(`(() => {
    const painted = {};
    const cs = [...document.querySelectorAll('canvas')];
    for (const c of cs) {
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
      painted[c.id] = n;
    }
    return { canvases: cs.length, drawn: window.edgesimCharts ?? -1, marked: document.querySelectorAll('canvas[data-drawn="1"]').length, painted, text: document.body.innerText };
  })()`);
  if (screenshot !== undefined) await page.screenshot({ path: screenshot, fullPage: true });
  await page.close();
  return { errors, requests, ...r };
}
