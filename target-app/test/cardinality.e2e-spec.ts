// Bounded cardinality: random paths, methods and query strings must not grow /metrics.
// Every label comes from a closed set (route template or `unmatched`, method, status), so
// after a few hundred requests have shown each combination, the series count stays put.
import { get, inBatches, scrape, startApp, type RunningApp } from './e2e-helpers';

const TOTAL = 10_000;
const WARM_UP = 500;
const CONCURRENCY = 64;
// Methods Node's parser accepts; Fastify answers each with a route, a 404 or a 405.
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'PROPFIND', 'SEARCH', 'PURGE'];
const PATHS = ['/', '/fail', '/metrics', '/health', '/health/ready', '/admin/faults'];
const URL_CHARS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~%20';

/** A seeded generator (mulberry32), so a failure can be replayed. */
function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** The series of a scrape: every sample line's name and labels, without its value. */
function seriesOf(text: string): Set<string> {
  return new Set(
    text
      .split('\n')
      .filter((line) => line && !line.startsWith('#'))
      .map((line) => line.slice(0, line.lastIndexOf(' '))),
  );
}

describe('metric cardinality under random requests (e2e)', () => {
  let running: RunningApp;
  beforeAll(async () => {
    running = await startApp();
  });
  afterAll(() => running.close());

  it(`${TOTAL} requests to random paths, methods and queries leave the series count unchanged after the first ${WARM_UP}`, async () => {
    const random = seeded(8);
    const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)];
    const word = (length: number) => Array.from({ length }, () => pick([...URL_CHARS])).join('');
    const tokens: string[] = [];
    const randomRequest = () => {
      const token = `z${word(8)}`;
      tokens.push(token);
      const path = random() < 0.3 ? pick(PATHS) : `/${token}/${word(1 + Math.floor(random() * 30))}`;
      const query = random() < 0.5 ? `?${token}=${word(5)}&${word(3)}=${word(40)}` : '';
      return { path: `${path}${query}`, method: pick(METHODS) };
    };
    const send = () => {
      const { path, method } = randomRequest();
      return get(`${running.url}${path}`, { method }).then((answer) => answer.status);
    };

    const started = performance.now();
    await inBatches(WARM_UP, CONCURRENCY, send);
    const afterWarmUp = seriesOf(await scrape(running.url));
    const statuses = await inBatches(TOTAL - WARM_UP, CONCURRENCY, send);
    const afterAll = seriesOf(await scrape(running.url));
    const seconds = (performance.now() - started) / 1000;

    // Every request answered; the only 5xx is /fail's own 500.
    expect(statuses.filter((status) => status > 500)).toEqual([]);
    // Series that appeared after the warm-up: none. Node's own GC kinds may show up late
    // (a major collection), so those alone are tolerated.
    const added = [...afterAll].filter(
      (series) => !afterWarmUp.has(series) && !series.startsWith('nodejs_gc_duration_seconds'),
    );
    expect(added).toEqual([]);
    // No raw path or query value ever reaches a label.
    const text = [...afterAll].join('\n');
    expect(tokens.filter((token) => text.includes(token))).toEqual([]);
    process.stdout.write(
      `cardinality: ${afterWarmUp.size} series after ${WARM_UP} requests, ${afterAll.size} after ${TOTAL}, in ${seconds.toFixed(1)} s\n`,
    );
    expect(seconds).toBeLessThan(60);
  }, 90_000);
});
