// The few Prometheus HTTP API calls the runner makes (loopback only).
import { assertLoopback } from '../local/network';

export interface PromSample {
  metric: Record<string, string>;
  value: number;
}

export interface PromSeries {
  metric: Record<string, string>;
  /** [unix seconds, value] */
  values: [number, number][];
}

export interface PromExemplar {
  seriesLabels: Record<string, string>;
  labels: Record<string, string>;
  value: number;
  /** ms since the epoch */
  t: number;
}

export interface PromAlert {
  labels: Record<string, string>;
  state: 'pending' | 'firing';
  activeAt: string;
}

export class PrometheusClient {
  readonly url: string;

  constructor(url: string) {
    this.url = assertLoopback(url, 'Prometheus URL').href.replace(/\/$/, '');
  }

  /** Throws a message naming the URL unless Prometheus answers ready. */
  async assertReady(): Promise<void> {
    try {
      const res = await fetch(`${this.url}/-/ready`, { signal: AbortSignal.timeout(3_000) });
      await res.arrayBuffer();
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
    } catch (error) {
      const cause =
        (error as Error).cause instanceof Error ? ((error as Error).cause as Error).message : (error as Error).message;
      throw new Error(`Prometheus at ${this.url} is unreachable (${cause})`);
    }
  }

  /** An instant query at `time` (ms since the epoch). */
  async query(expr: string, time: number): Promise<PromSample[]> {
    const data = await this.get<{ result: { metric: Record<string, string>; value: [number, string] }[] }>(
      '/api/v1/query',
      { query: expr, time: String(time / 1000) },
    );
    return data.result.map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
  }

  /** The first sample's value, or null when the query has none (or NaN). */
  async scalar(expr: string, time: number): Promise<number | null> {
    const [first] = await this.query(expr, time);
    return first && Number.isFinite(first.value) ? first.value : null;
  }

  async queryRange(expr: string, startMs: number, endMs: number, stepSeconds: number): Promise<PromSeries[]> {
    const data = await this.get<{ result: { metric: Record<string, string>; values: [number, string][] }[] }>(
      '/api/v1/query_range',
      {
        query: expr,
        start: String(startMs / 1000),
        end: String(endMs / 1000),
        step: String(stepSeconds),
      },
    );
    return data.result.map((r) => ({
      metric: r.metric,
      values: r.values.map(([t, v]) => [t, Number(v)] as [number, number]),
    }));
  }

  /** Exemplars of the series `expr` selects, stored between the two times (ms since the epoch). */
  async exemplars(expr: string, startMs: number, endMs: number): Promise<PromExemplar[]> {
    type Answer = {
      seriesLabels: Record<string, string>;
      exemplars: { labels: Record<string, string>; value: string; timestamp: number }[];
    }[];
    const data = await this.get<Answer>('/api/v1/query_exemplars', {
      query: expr,
      start: String(startMs / 1000),
      end: String(endMs / 1000),
    });
    return data.flatMap((series) =>
      series.exemplars.map((e) => ({
        seriesLabels: series.seriesLabels,
        labels: e.labels,
        value: Number(e.value),
        t: e.timestamp * 1000,
      })),
    );
  }

  async alerts(): Promise<PromAlert[]> {
    return (await this.get<{ alerts: PromAlert[] }>('/api/v1/alerts', {})).alerts;
  }

  /** Waits until Prometheus has scraped `targets` of `job`'s targets once (`up` is 1). */
  async waitForUp(job: string, targets = 1, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const up = await this.scalar(`count(up{job="${job}"} == 1)`, Date.now()).catch(() => null);
      if (up !== null && up >= targets) return;
      await new Promise((r) => setTimeout(r, 500));
    }
    throw new Error(
      `Prometheus did not scrape ${targets === 1 ? `job ${job}` : `all ${targets} targets of job ${job}`} within ${timeoutMs / 1000} s`,
    );
  }

  /** Names of the alerting rules Prometheus has loaded. */
  async alertRuleNames(): Promise<Set<string>> {
    const data = await this.get<{ groups: { rules: { name: string }[] }[] }>('/api/v1/rules', { type: 'alert' });
    return new Set(data.groups.flatMap((group) => group.rules.map((rule) => rule.name)));
  }

  private async get<T>(path: string, params: Record<string, string>): Promise<T> {
    const res = await fetch(`${this.url}${path}?${new URLSearchParams(params)}`, {
      signal: AbortSignal.timeout(5_000),
    });
    const body = (await res.json()) as { status: string; data: T; error?: string };
    if (body.status !== 'success') throw new Error(`Prometheus ${path}: ${body.error ?? res.status}`);
    return body.data;
  }
}
