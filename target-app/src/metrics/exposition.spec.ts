import { Counter, Histogram } from 'prom-client';
import { MetricsExposition, openMetricsRegistry, wantsOpenMetrics } from './exposition';

describe('metrics exposition', () => {
  it('serves OpenMetrics only to scrapers that ask for it', () => {
    expect(wantsOpenMetrics('application/openmetrics-text;version=1.0.0;q=0.6,text/plain;version=0.0.4;q=0.5')).toBe(
      true,
    );
    expect(wantsOpenMetrics('application/openmetrics-text; version=0.0.1; q=0.75, */*;q=0.1')).toBe(true);
    expect(wantsOpenMetrics('application/openmetrics-text;q=0, text/plain')).toBe(false);
    expect(wantsOpenMetrics('text/plain')).toBe(false);
    expect(wantsOpenMetrics('*/*')).toBe(false);
    expect(wantsOpenMetrics(undefined)).toBe(false);
  });

  it('carries exemplars in OpenMetrics and keeps the Prometheus text format whole after it', async () => {
    const registry = openMetricsRegistry();
    const counter = new Counter({ name: 'rolls_total', help: 'rolls', registers: [registry] });
    const histogram = new Histogram({
      name: 'took_seconds',
      help: 'took',
      buckets: [0.1, 1],
      enableExemplars: true,
      registers: [registry],
    });
    counter.inc();
    histogram.observe({ value: 0.5, exemplarLabels: { trace_id: 'a'.repeat(32) } });
    const exposition = new MetricsExposition(registry);

    const [open, plain] = await Promise.all([exposition.render(true), exposition.render(false)]);
    expect(open).toContain(`took_seconds_bucket{le="1"} 1 # {trace_id="${'a'.repeat(32)}"} 0.5`);
    expect(open).toMatch(/# TYPE rolls counter\nrolls_total 1/);
    expect(open.endsWith('# EOF\n')).toBe(true);
    expect(plain).toMatch(/# TYPE rolls_total counter\nrolls_total 1/);
    expect(plain).not.toContain('trace_id');
    expect(await exposition.render(false)).toBe(plain);
  });
});
