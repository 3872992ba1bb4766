/**
 * The generated report.html pages in a real browser: headless Chromium (Debian's `chromium`,
 * installed by .ci/run) driven by playwright-core. Each page (a model run, a program run, a
 * campaign, a sweep) must load with no console error, no page error and no network request
 * other than the file itself, and every chart must have drawn (its canvas has painted pixels).
 * A full-page screenshot of each is kept under traces/report-screenshots/ (git-ignored).
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeRunReport } from '../../src/cli/report-files.js';
import { repoRoot } from '../helpers/repo.js';
import { makeFolders, type ReportFolders } from './folders.js';
import { CHROMIUM, openPage, type PageCheck } from './page-check.js';

const SHOTS = join(repoRoot, 'traces', 'report-screenshots');

let browser: Browser;
let folders: ReportFolders;

beforeAll(async () => {
  // not a skip: without the browser this test fails (CI installs it: .ci/run)
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium; .ci/run does)`);
  folders = await makeFolders();
  writeRunReport(folders.model);
  writeRunReport(folders.program);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
  mkdirSync(SHOTS, { recursive: true });
}, 120_000);

afterAll(async () => {
  await browser?.close();
});

async function open(html: string, shot: string): Promise<PageCheck> {
  return openPage(browser, html, join(SHOTS, shot));
}

function expectCharts(c: PageCheck, min: number): void {
  expect(c.errors).toEqual([]);
  expect(c.requests).toEqual([]);
  expect(c.canvases).toBeGreaterThanOrEqual(min);
  expect(c.drawn).toBe(c.canvases);
  for (const [id, n] of Object.entries(c.painted)) expect(n, `${id} painted pixels`).toBeGreaterThan(2000);
}

describe('report.html in headless Chromium', () => {
  it('model run: per-layer, per-inference, component and energy charts draw', async () => {
    const c = await open(join(folders.model, 'report.html'), 'run-model.png');
    expectCharts(c, 7);
    expect(c.painted).toHaveProperty('chart-layer-latency');
    expect(c.painted).toHaveProperty('chart-energy-events');
    expect(c.text).toContain('Latency per layer');
  });

  it('program run: cores, busy time, timeline and energy charts draw', async () => {
    const c = await open(join(folders.program, 'report.html'), 'run-program.png');
    expectCharts(c, 5);
    expect(c.text).toContain('Cores');
    expect(c.text).toContain("Busy intervals from the run's trace");
  });

  it('campaign (one sweep point): accuracy with CI, chip histogram, outcomes, distributions', async () => {
    const c = await open(join(folders.campaign, 'report.html'), 'campaign.png');
    expectCharts(c, 5);
    expect(c.text).toContain('95 % CI');
  });

  it('sweep: accuracy curve with CI and threshold, latency and energy curves', async () => {
    const c = await open(join(folders.sweep, 'report.html'), 'sweep.png');
    expectCharts(c, 4);
    expect(c.text).toContain('point report');
  });
});
