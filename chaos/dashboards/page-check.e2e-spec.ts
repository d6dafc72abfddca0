// The page check itself, in headless Chromium: a page drawn from answers for every panel
// passes; a panel without data, a network request and a script error are each reported.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PromSample, PromSeries, PrometheusClient } from '../runner/prometheus';
import { checkDashboardPages } from './page-check';
import { writeRunDashboards } from './run-pages';

jest.setTimeout(60_000);

const t0 = 1_800_000_000_000;
const run = {
  testid: 'check-1',
  phases: [
    { name: 'baseline', startMs: t0, endMs: t0 + 30_000 },
    { name: 'degraded', startMs: t0 + 30_000, endMs: t0 + 60_000 },
  ],
  fromMs: t0 - 5_000,
  toMs: t0 + 65_000,
};

/** One series per phase for every query, except those matching `silent`. */
function fakePrometheus(silent: RegExp): PrometheusClient {
  const phases = ['baseline', 'degraded'];
  return {
    async query(expr: string): Promise<PromSample[]> {
      return silent.test(expr) ? [] : phases.map((phase, i) => ({ metric: { phase }, value: 0.1 * (i + 1) }));
    },
    async queryRange(expr: string, startMs: number, endMs: number, step: number): Promise<PromSeries[]> {
      if (silent.test(expr)) return [];
      const values = Array.from(
        { length: Math.floor((endMs - startMs) / 1000 / step) },
        (_, i) => [startMs / 1000 + i * step, 0.05 + 0.01 * (i % 7)] as [number, number],
      );
      return phases.map((phase) => ({ metric: { phase, type: 'latency' }, values }));
    },
  } as unknown as PrometheusClient;
}

test('every panel drawn passes; an empty panel, a network request and a script error are reported', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'roque-page-check-'));
  const silent = mkdtempSync(join(tmpdir(), 'roque-page-check-'));
  try {
    const drawn = await writeRunDashboards({
      runDir: dir,
      prometheus: fakePrometheus(/node_|container_/),
      run,
      result: { phases: [], checks: [] },
      k6Dashboard: null,
    });
    const [good] = await checkDashboardPages(dir, drawn.pages.slice(0, 1));
    expect(good).toMatchObject({
      problems: [],
      empty: [],
      composeOnly: ['Host CPU busy', 'Host memory available', 'Container CPU', 'Container memory'],
    });
    expect(good.drawn).toHaveLength(10);

    const partial = await writeRunDashboards({
      runDir: silent,
      prometheus: fakePrometheus(/nodejs_eventloop_lag/),
      run,
      result: { phases: [], checks: [] },
      k6Dashboard: null,
    });
    expect(partial.emptyPanels).toEqual([
      'golden-signals / Event-loop lag p99',
      'baseline-vs-degraded / Event-loop lag p99 per phase',
    ]);
    const page = join(silent, partial.pages[0]);
    writeFileSync(
      page,
      readFileSync(page, 'utf8').replace(
        '</body>',
        '<img src="http://127.0.0.1:9/x.png"><script>undefinedFunction()</script></body>',
      ),
    );
    const [bad] = await checkDashboardPages(silent, partial.pages.slice(0, 1));
    expect(bad.empty).toEqual(['Event-loop lag p99']);
    expect(bad.problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^network request: http:\/\/127\.0\.0\.1:9\/x\.png/),
        expect.stringMatching(/undefinedFunction/),
      ]),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(silent, { recursive: true, force: true });
  }
});
