// cpu and memory faults act on the whole process; judged by the process' own metrics.
import { admin, get, median, metricValue, scrape, sleep, startApp, type RunningApp } from './e2e-helpers';

const MB = 1024 * 1024;

describe('process faults (e2e)', () => {
  let service: RunningApp;
  let api: ReturnType<typeof admin>;

  beforeAll(async () => {
    service = await startApp();
    api = admin(service.url);
  });
  afterEach(() => api.clear());
  afterAll(() => service.close());

  /** Process CPU seconds per second over `ms`, read from /metrics. */
  async function cpuShare(ms: number): Promise<number> {
    const before = metricValue(await scrape(service.url), 'process_cpu_seconds_total')!;
    const started = performance.now();
    await sleep(ms);
    const after = metricValue(await scrape(service.url), 'process_cpu_seconds_total')!;
    return (after - before) / ((performance.now() - started) / 1000);
  }

  /** The share of a core this thread gets when it asks for all of it: less than 1 on a busy host. */
  function spinCapacity(ms: number): number {
    const cpuBefore = process.threadCpuUsage();
    const started = performance.now();
    while (performance.now() - started < ms) {
      // Measuring what the scheduler gives a busy thread.
    }
    const used = process.threadCpuUsage(cpuBefore);
    return (used.user + used.system) / 1000 / ms;
  }

  it('cpu 0.8: the process burns about 0.8 of a core, the event loop stays responsive, /health/live answers', async () => {
    const idle = await cpuShare(600);
    expect((await api.add({ type: 'cpu', utilization: 0.8 })).status).toBe(201);
    // 0.8 on an idle host (0.82 measured); a shared CI box may leave less to take, so the
    // expectation is scaled by what a spinning thread gets here right now. The burn is
    // continuous: the best of up to three windows rides out a burst of other work (other
    // suites' k6 runs share these two cores), while a burner that does nothing fails all.
    const expected = () => 0.45 * Math.min(0.8, spinCapacity(300));
    let busy = 0;
    let needed = Infinity;
    for (let window = 0; window < 3 && busy - idle <= needed; window++) {
      busy = Math.max(busy, await cpuShare(1500));
      needed = expected();
    }
    if (busy - idle <= needed) console.warn({ idle, busy, needed });
    expect(busy - idle).toBeGreaterThan(needed);
    expect(busy).toBeLessThan(1.2);

    const probeTimes: number[] = [];
    for (let i = 0; i < 10; i++) {
      const started = performance.now();
      expect((await get(`${service.url}/health/live`)).status).toBe(200);
      probeTimes.push(performance.now() - started);
    }
    // Slices of a few ms: a probe waits a slice or two, not the whole burn.
    expect(median(probeTimes)).toBeLessThan(50);

    await api.clear();
    expect(await cpuShare(600)).toBeLessThan(idle + 0.3);
  });

  it('memory 256: resident memory rises by about 256 MB and falls back after removal', async () => {
    const rss = async () => metricValue(await scrape(service.url), 'process_resident_memory_bytes')! / MB;
    const before = await rss();
    const created = await api.add({ type: 'memory', megabytes: 256 });
    expect(created.status).toBe(201);
    const held = await rss();
    expect(held - before).toBeGreaterThan(230);
    expect(held - before).toBeLessThan(320);
    // Over the cap (512 MB by default) with what is already held: refused, naming the field.
    const over = await api.add({ type: 'memory', megabytes: 300 });
    expect(over.status).toBe(400);
    expect(over.json<{ message: string }>().message).toContain('megabytes');

    expect((await api.remove(created.json<{ id: string }>().id)).status).toBe(204);
    let after = await rss();
    for (let i = 0; i < 20 && after - before > 40; i++) {
      await sleep(100);
      after = await rss();
    }
    expect(after - before).toBeLessThan(40);
  });
});
