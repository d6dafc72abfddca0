// Opens a run's dashboard pages in headless Chromium, as a reader would, and says what is
// wrong: a console error, a network request, a panel left empty, a blank canvas. Keeps a
// full-page screenshot of each page beside it (dashboards/<name>.png). Used by the e2e
// tests after a real run, also for k6's own exported report.
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { tools } from '../tools';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export interface PageCheck {
  page: string;
  screenshot: string;
  /** Panels by state: drawn with data, compose-only without data, empty. */
  drawn: string[];
  composeOnly: string[];
  empty: string[];
  problems: string[];
  renderMs: number;
}

/** A tab that records console errors, page errors and every request that leaves the disk. */
async function watchedTab(browser: Browser) {
  const tab = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
  const problems: string[] = [];
  tab.on('console', (message) => message.type() === 'error' && problems.push(`console: ${message.text()}`));
  tab.on('pageerror', (error) => problems.push(`page error: ${String(error)}`));
  tab.on(
    'request',
    (request) => !/^(file|data):/.test(request.url()) && problems.push(`network request: ${request.url()}`),
  );
  return { tab, problems };
}

const launch = () => chromium.launch({ executablePath: tools().chromium ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });

export async function checkDashboardPages(runDir: string, pages: string[]): Promise<PageCheck[]> {
  const browser = await launch();
  try {
    const checks: PageCheck[] = [];
    for (const page of pages) {
      const { tab, problems } = await watchedTab(browser);
      const started = performance.now();
      await tab.goto(`file://${join(runDir, page)}`);
      await tab.waitForFunction('document.body.dataset.rendered === "true"', undefined, { timeout: 20_000 });
      const renderMs = Math.round(performance.now() - started);
      const panels = await tab.$$eval('.panel', (boxes) =>
        boxes.map((box) => {
          const canvases = [...box.querySelectorAll('canvas')] as unknown as { width: number; toDataURL(): string }[];
          return {
            title: box.querySelector('h3')?.textContent ?? '?',
            drawn: Number((box as unknown as { dataset: Record<string, string> }).dataset.drawn ?? 0),
            empty: (box as unknown as { dataset: Record<string, string> }).dataset.empty ?? null,
            // Chart.js drew something: each canvas is sized and not blank.
            blankCanvas: canvases.some((c) => c.width < 50 || c.toDataURL().length < 3_000),
          };
        }),
      );
      for (const p of panels) if (p.drawn > 0 && p.blankCanvas) problems.push(`panel "${p.title}" has a blank chart`);
      const screenshot = join(runDir, page.replace(/\.html$/, '.png'));
      await tab.screenshot({ path: screenshot, fullPage: true });
      await tab.close();
      checks.push({
        page,
        screenshot,
        drawn: panels.filter((p) => p.drawn > 0).map((p) => p.title),
        composeOnly: panels.filter((p) => p.empty === 'compose-only').map((p) => p.title),
        empty: panels.filter((p) => p.drawn === 0 && p.empty !== 'compose-only').map((p) => p.title),
        problems,
        renderMs,
      });
    }
    return checks;
  } finally {
    await browser.close();
  }
}

/** k6's own report: opens offline, draws its charts (canvases), no error. */
export async function checkK6Dashboard(
  runDir: string,
  page: string,
): Promise<{ problems: string[]; screenshot: string }> {
  const browser = await launch();
  try {
    const { tab, problems } = await watchedTab(browser);
    await tab.goto(`file://${join(runDir, page)}`);
    await tab.waitForFunction('document.querySelectorAll("canvas").length > 0', undefined, { timeout: 20_000 });
    const screenshot = join(runDir, page.replace(/\.html$/, '.png'));
    await tab.screenshot({ path: screenshot });
    return { problems, screenshot };
  } finally {
    await browser.close();
  }
}
