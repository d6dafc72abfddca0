// A reader of the Prometheus text format, enough to take the app's own /metrics before and
// after a run and subtract: exact server-side counts for one run, no scrape interval between.
export interface PromTextSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

export function parsePromText(text: string): PromTextSample[] {
  const samples: PromTextSample[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const match = LINE.exec(line);
    if (!match) continue;
    const labels: Record<string, string> = {};
    for (const [, name, value] of (match[2] ?? '').matchAll(LABEL))
      labels[name] = value.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    samples.push({ name: match[1], labels, value: Number(match[3]) });
  }
  return samples;
}

/** The sum of `name` over the samples whose labels match every entry of `where` (a RegExp or an exact value). */
export function sumOf(samples: PromTextSample[], name: string, where: Record<string, string | RegExp> = {}): number {
  let total = 0;
  for (const s of samples) {
    if (s.name !== name) continue;
    const matches = Object.entries(where).every(([label, want]) => {
      const have = s.labels[label];
      return have !== undefined && (typeof want === 'string' ? have === want : want.test(have));
    });
    if (matches) total += s.value;
  }
  return total;
}

/** Cumulative bucket counts by upper bound (`le`), ascending, summed over the matching series. */
export function bucketsOf(
  samples: PromTextSample[],
  histogram: string,
  where: Record<string, string | RegExp> = {},
): [number, number][] {
  const bounds = new Set(samples.filter((s) => s.name === `${histogram}_bucket`).map((s) => s.labels.le));
  return [...bounds]
    .map(
      (le) =>
        [le === '+Inf' ? Infinity : Number(le), sumOf(samples, `${histogram}_bucket`, { ...where, le })] as [
          number,
          number,
        ],
    )
    .sort((a, b) => a[0] - b[0]);
}

/** The bucket [lower, upper] that holds the `q` quantile of a cumulative histogram: the resolution a histogram gives. */
export function quantileBucket(buckets: [number, number][], q: number): { low: number; high: number } | null {
  const total = buckets.at(-1)?.[1] ?? 0;
  if (total === 0) return null;
  const rank = q * total;
  let low = 0;
  for (const [le, count] of buckets) {
    if (count >= rank) return { low, high: le };
    low = le;
  }
  return null;
}
