import { Registry, type RegistryContentType } from 'prom-client';

/** The app's Registry: OpenMetrics-typed, as prom-client requires of histograms with exemplars. */
export function openMetricsRegistry(): Registry {
  const registry = new Registry();
  // prom-client's typings leave out the constructor's content type and bind it for good.
  (registry as Registry<RegistryContentType>).setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
  return registry;
}

/**
 * Whether a scraper asked for OpenMetrics (Prometheus does by default): only that format
 * carries exemplars. Anyone else (curl, a browser, old tools) gets the Prometheus text format.
 */
export function wantsOpenMetrics(accept: string | undefined): boolean {
  return (accept ?? '').split(',').some((range) => {
    const [type, ...params] = range.split(';').map((part) => part.trim());
    return type === 'application/openmetrics-text' && !params.some((p) => /^q=0(\.0*)?$/.test(p));
  });
}

/**
 * Renders one Registry in either text format. prom-client fixes the format per Registry and,
 * rendering OpenMetrics, strips `_total` from counters' names in place: so each render sets
 * the format it needs, puts the names back after, and renders run one at a time.
 */
export class MetricsExposition {
  private last: Promise<unknown> = Promise.resolve();

  private readonly registry: Registry<RegistryContentType>;

  constructor(registry: Registry) {
    this.registry = registry as Registry<RegistryContentType>;
  }

  render(openMetrics: boolean): Promise<string> {
    const next = this.last.then(() =>
      this.renderAs(openMetrics ? Registry.OPENMETRICS_CONTENT_TYPE : Registry.PROMETHEUS_CONTENT_TYPE),
    );
    this.last = next.catch(() => undefined);
    return next;
  }

  private async renderAs(contentType: RegistryContentType): Promise<string> {
    const names = this.registry.getMetricsAsArray().map((metric) => [metric, metric.name] as const);
    this.registry.setContentType(contentType);
    try {
      return await this.registry.metrics();
    } finally {
      this.registry.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
      for (const [metric, name] of names) (metric as { name: string }).name = name;
    }
  }
}
