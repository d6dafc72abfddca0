// `roque run` end to end: real app, real Prometheus, real k6. The quick default experiment
// must pass and find both faults; its report must render in headless Chromium.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { DASHBOARDS, type DashboardName } from '../dashboards/definitions';
import { CHROMIUM_ARGS, checkDashboardPages, checkK6Dashboard } from '../dashboards/page-check';
import { panelsOf } from '../dashboards/queries';
import { roque } from '../local/roque-cli';
import type { RunResult } from '../report/result-schema';
import { tools } from '../tools';

const reports = mkdtempSync(join(tmpdir(), 'roque-run-'));

test('the quick default experiment passes, finds latency and errors as injected, and writes its report', async () => {
  const run = await roque(
    ['run', 'chaos/experiments/golden-signals.yaml', '--quick', '--reports', reports],
    {},
    200_000,
  );
  expect(run.stderr + run.stdout).toContain('PASSED golden-signals');
  expect(run.code).toBe(0);

  const latest = join(reports, 'latest');
  const result = JSON.parse(readFileSync(join(latest, 'result.json'), 'utf8')) as RunResult;
  expect(result).toMatchObject({ status: 'passed', quick: true, target: { startedLocally: true } });
  expect(result.wallSeconds).toBeLessThan(150);
  const latency = result.checks.find((c) => c.kind === 'fidelity' && c.phase === 'latency')!;
  expect(latency.details.shiftMs as number).toBeGreaterThan(190);
  expect(latency.details.shiftMs as number).toBeLessThan(215);
  const errors = result.checks.find((c) => c.kind === 'fidelity' && c.phase === 'errors')!;
  expect(Math.abs((errors.details.share as number) - 0.1)).toBeLessThan(0.03);
  const injected = result.phases.find((p) => p.name === 'latency')!.server!;
  expect(injected.injectedDelayMs).toBeCloseTo(200, -1);
  // The server's histogram agrees with the client within 5% (the bucket layout's stated error).
  expect(Math.abs(latency.details.serverP50Deviation as number)).toBeLessThan(0.05);
  expect(Math.abs(latency.details.serverP95Deviation as number)).toBeLessThan(0.05);
  expect(Math.abs((latency.details.serverShiftMs as number) - 200)).toBeLessThan(20);
  // The slowest sampled requests lead back to k6's own requests by trace id.
  expect(injected.slowestSampled!.length).toBeGreaterThan(0);
  const raw = gunzipSync(readFileSync(join(latest, 'k6/requests.csv.gz'))).toString();
  for (const slow of injected.slowestSampled!) {
    expect(slow.durationMs).toBeGreaterThan(195);
    expect(raw).toContain(`trace_id=${slow.traceId}`);
  }
  expect(result.detection.every((d) => d.timeToDetectSeconds !== null)).toBe(true);
  for (const file of [
    'report.html',
    'summary.md',
    'junit.xml',
    'journal.ndjson',
    'k6/requests.csv.gz',
    'k6/summary.json',
  ]) {
    expect(existsSync(join(latest, file))).toBe(true);
  }

  const browser = await chromium.launch({
    executablePath: tools().chromium ?? '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const problems: string[] = [];
    page.on('console', (message) => message.type() === 'error' && problems.push(message.text()));
    page.on('pageerror', (error) => problems.push(String(error)));
    page.on(
      'request',
      (request) => !request.url().startsWith('file:') && problems.push(`network request: ${request.url()}`),
    );
    await page.goto(`file://${join(latest, 'report.html')}`);
    await page.waitForFunction('document.querySelectorAll("canvas").length === 6 && window.Chart !== undefined');
    await expect(page.locator('#status').textContent()).resolves.toBe('passed');
    expect(await page.locator('#verdict tbody tr').count()).toBe(result.checks.length);
    expect(await page.locator('#verdict').isVisible()).toBe(true);
    for (const id of [
      'chart-latency',
      'chart-fidelity-latency',
      'chart-fidelity-errors',
      'chart-errors',
      'chart-rate',
      'chart-saturation',
    ]) {
      const canvas = page.locator(`#${id}`);
      expect(await canvas.isVisible()).toBe(true);
      // Chart.js drew something: the canvas is sized and not blank.
      const drawn = await canvas.evaluate((element) => {
        const c = element as unknown as { width: number; toDataURL(): string };
        return c.width > 100 && c.toDataURL().length > 5_000;
      });
      expect(drawn).toBe(true);
    }
    await page.screenshot({ path: join(latest, 'report.png'), fullPage: true });
    expect(problems).toEqual([]);
  } finally {
    await browser.close();
  }

  // The same run drew the three dashboards (chaos/dashboards/), linked from report.html.
  expect(result.files.dashboards).toEqual(
    ['golden-signals', 'baseline-vs-degraded', 'k6-results'].map((d) => `dashboards/${d}.html`),
  );
  expect(result.files.k6Dashboard).toBe('k6/k6-dashboard.html');
  expect(readFileSync(join(latest, 'report.html'), 'utf8')).toMatch(
    /<p id="dashboards">.*k6-results\.html.*k6\/k6-dashboard\.html/,
  );
  for (const check of await checkDashboardPages(latest, result.files.dashboards!)) {
    console.log(
      `${check.page}: ${check.drawn.length} panels drawn, ${check.composeOnly.length} compose-only, in ${check.renderMs} ms; screenshot ${check.screenshot}`,
    );
    expect({ page: check.page, problems: check.problems, empty: check.empty }).toEqual({
      page: check.page,
      problems: [],
      empty: [],
    });
    const name = check.page.replace(/^dashboards\/|\.html$/g, '') as DashboardName;
    expect(check.drawn.length + check.composeOnly.length).toBe(panelsOf(DASHBOARDS[name]).length);
    expect(existsSync(join(latest, 'dashboards', 'data', `${name}.json`))).toBe(true);
  }
  const k6Report = await checkK6Dashboard(latest, result.files.k6Dashboard!);
  console.log(`k6 web dashboard: screenshot ${k6Report.screenshot}`);
  expect(k6Report.problems).toEqual([]);
}, 240_000);
