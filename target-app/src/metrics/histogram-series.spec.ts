import { Histogram, Registry } from 'prom-client';
import { HistogramSeries } from './histogram-series';

const LABEL_NAMES = ['method', 'route', 'status'] as const;
type Label = (typeof LABEL_NAMES)[number];

function histogram(): { registry: Registry; histogram: Histogram<Label> } {
  const registry = new Registry();
  registry.setContentType(Registry.OPENMETRICS_CONTENT_TYPE as never);
  const h = new Histogram({
    name: 'duration_seconds',
    help: 'h',
    labelNames: LABEL_NAMES,
    buckets: [0.001, 0.01, 0.1, 1],
    enableExemplars: true,
    registers: [registry],
  });
  return { registry, histogram: h };
}

const OK = { method: 'GET', route: '/', status: '200' };
const MISSING = { method: 'GET', route: 'unmatched', status: '404' };
// Below, on, between and above the bounds (1.5 is counted only in +Inf), twice for the fast path.
const VALUES = [0.0005, 0.001, 0.05, 0.5, 1, 1.5, 0.0005, 0.001, 0.05, 0.5, 1, 1.5];

describe('HistogramSeries', () => {
  it('renders exactly what prom-client observe() renders for the same observations', async () => {
    const fast = histogram();
    const slow = histogram();
    const ok = new HistogramSeries(fast.histogram, OK);
    const missing = new HistogramSeries(fast.histogram, MISSING);
    for (const value of VALUES) {
      ok.observe(value);
      missing.observe(value * 2);
      slow.histogram.observe({ labels: OK, value });
      slow.histogram.observe({ labels: MISSING, value: value * 2 });
    }
    expect(await fast.registry.metrics()).toBe(await slow.registry.metrics());
    const values = (await fast.histogram.get()).values;
    expect(values.find((v) => v.metricName === 'duration_seconds_count' && v.labels.route === '/')?.value).toBe(12);
  });

  it('keeps an exemplar only for an observation that has one, in its bucket', async () => {
    const { registry, histogram: h } = histogram();
    const ok = new HistogramSeries(h, OK);
    ok.observe(0.05);
    ok.observe(0.05, { trace_id: 'a'.repeat(32) });
    ok.observe(0.05);
    ok.observe(0.5);
    const text = await registry.metrics();
    expect(text).toContain(
      `duration_seconds_bucket{le="0.1",method="GET",route="/",status="200"} 3 # {trace_id="${'a'.repeat(32)}"} 0.05`,
    );
    expect(text).toMatch(/duration_seconds_bucket\{le="1",method="GET",route="\/",status="200"\} 4\n/);
    expect(text).toContain('duration_seconds_count{method="GET",route="/",status="200"} 4');
  });

  it('renders the exemplars prom-client renders, in every bucket and +Inf, the latest of each bucket winning', async () => {
    const now = jest.spyOn(Date, 'now').mockReturnValue(1_764_000_000_000);
    try {
      const fast = histogram();
      const slow = histogram();
      const ok = new HistogramSeries(fast.histogram, OK);
      const throughPromClient = jest.spyOn(fast.histogram, 'observe');
      VALUES.forEach((value, i) => {
        // Every other observation is a sampled request's; the second round replaces the first's.
        const exemplarLabels = i % 2 === 0 || value > 1 ? { trace_id: String(i).padStart(32, '0') } : undefined;
        ok.observe(value, exemplarLabels);
        slow.histogram.observe({ labels: OK, value, exemplarLabels: exemplarLabels as never });
      });
      // The first observation, and the first exemplar of buckets 0.1, 1 and +Inf; the rest directly.
      expect(throughPromClient).toHaveBeenCalledTimes(4);
      const text = await fast.registry.metrics();
      expect(text).toBe(await slow.registry.metrics());
      expect(text).toContain(`# {trace_id="${'11'.padStart(32, '0')}"} 1.5 1764000000`);
      expect(text).toContain(`# {trace_id="${'6'.padStart(32, '0')}"} 0.0005 1764000000`);
    } finally {
      now.mockRestore();
    }
  });

  it('refuses an exemplar too long for OpenMetrics, as prom-client does, on the fast path too', () => {
    const { histogram: h } = histogram();
    const ok = new HistogramSeries(h, OK);
    ok.observe(0.05, { trace_id: 'a'.repeat(32) });
    expect(() => ok.observe(0.05, { trace_id: 'a'.repeat(200) })).toThrow(RangeError);
  });

  it('counts again from zero after a reset, and after its series was removed', async () => {
    const { histogram: h } = histogram();
    const ok = new HistogramSeries(h, OK);
    ok.observe(0.05);
    ok.observe(0.05);
    h.reset();
    ok.observe(0.05);
    const count = async () =>
      (await h.get()).values.find((v) => v.metricName === 'duration_seconds_count' && v.labels.route === '/')?.value;
    expect(await count()).toBe(1);
    h.remove(OK);
    ok.observe(0.05);
    ok.observe(0.05);
    expect(await count()).toBe(2);
  });

  it('rejects a value that is not a finite number, as prom-client does', () => {
    const { histogram: h } = histogram();
    const ok = new HistogramSeries(h, OK);
    ok.observe(0.05);
    expect(() => ok.observe(Number.NaN)).toThrow(TypeError);
    expect(() => ok.observe(Number.POSITIVE_INFINITY)).toThrow(TypeError);
  });
});
