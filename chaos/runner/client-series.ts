// Client-side time series for the report's charts: per-second buckets of k6's requests.
import type { RunResult, SeriesPoint } from '../report/result-schema';
import { quantileSorted, sortedCopy } from '../stats';
import type { RequestSample } from './raw-results';

type ClientSeries = Pick<RunResult['series'], 'clientP50Ms' | 'clientP95Ms' | 'clientRps' | 'clientErrorShare'>;

export function clientSeries(requests: RequestSample[], bucketMs = 1_000): ClientSeries {
  const buckets = new Map<number, RequestSample[]>();
  for (const r of requests) {
    const key = Math.floor(r.t / bucketMs) * bucketMs;
    let bucket = buckets.get(key);
    if (!bucket) buckets.set(key, (bucket = []));
    bucket.push(r);
  }
  const series: ClientSeries = { clientP50Ms: [], clientP95Ms: [], clientRps: [], clientErrorShare: [] };
  const point = (t: number, v: number | null): SeriesPoint => ({ t, v });
  for (const t of [...buckets.keys()].sort((a, b) => a - b)) {
    const bucket = buckets.get(t)!;
    const latencies = sortedCopy(bucket.filter((r) => r.status !== 0).map((r) => r.durationMs));
    series.clientP50Ms.push(point(t, latencies.length ? quantileSorted(latencies, 0.5) : null));
    series.clientP95Ms.push(point(t, latencies.length ? quantileSorted(latencies, 0.95) : null));
    series.clientRps.push(point(t, bucket.length / (bucketMs / 1000)));
    series.clientErrorShare.push(point(t, bucket.filter((r) => r.failed).length / bucket.length));
  }
  return series;
}
