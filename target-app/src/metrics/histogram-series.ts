import type { Histogram, LabelValues } from 'prom-client';

/** One label set's values as prom-client 15 keeps them in `Histogram.hashMap` (lib/histogram.js). */
interface SeriesValues {
  labels: Record<string, string | number>;
  bucketValues: Record<string, number>;
  sum: number;
  count: number;
}

/** The fields of prom-client's Histogram that the fast path reads and writes. */
interface HistogramInternals {
  hashMap: Record<string, SeriesValues>;
  upperBounds: readonly number[];
}

function internalsOf(histogram: Histogram<string>): HistogramInternals {
  const internals = histogram as unknown as Partial<HistogramInternals>;
  if (typeof internals.hashMap !== 'object' || !Array.isArray(internals.upperBounds)) {
    throw new Error('prom-client Histogram internals changed: hashMap or upperBounds not found');
  }
  return internals as HistogramInternals;
}

/**
 * One label set of a prom-client histogram, observed without prom-client's per-call work.
 * Each `Histogram.observe` validates the labels, builds their hash string twice (once more
 * for the exemplar) and finds the bucket by a number turned into a property name: the top
 * frame of Roque's own code under load. A Series finds its label set's values once
 * (prom-client makes them on the first observation) and then adds to sum, count and bucket
 * directly.
 *
 * An observation with an exemplar, the first one, and one after the series was reset or
 * removed (`reset()`, `remove()`) go through prom-client's own `observe`.
 */
export class HistogramSeries<Label extends string> {
  private values: SeriesValues | undefined;
  private hash = '';
  private readonly internals: HistogramInternals;
  /** The property name of each bucket in `bucketValues`, by bucket index. */
  private readonly bucketKeys: string[];

  constructor(
    private readonly histogram: Histogram<Label>,
    private readonly labels: LabelValues<Label>,
  ) {
    this.internals = internalsOf(histogram);
    this.bucketKeys = this.internals.upperBounds.map(String);
  }

  observe(value: number, exemplarLabels?: LabelValues<string>): void {
    const values = this.values;
    if (exemplarLabels || !values || this.internals.hashMap[this.hash] !== values || !Number.isFinite(value)) {
      // (prom-client types exemplar labels as the metric's own label names; they are not.)
      const exemplar = exemplarLabels as LabelValues<Label> | undefined;
      this.histogram.observe({ labels: this.labels, value, exemplarLabels: exemplar });
      if (!values || this.internals.hashMap[this.hash] !== values) this.find();
      return;
    }
    values.sum += value;
    values.count += 1;
    const bounds = this.internals.upperBounds;
    for (let i = 0; i < bounds.length; i++) {
      if (value <= bounds[i]) {
        values.bucketValues[this.bucketKeys[i]] += 1;
        return;
      }
    }
  }

  /** The values prom-client keeps for this label set (once, and again after a reset). */
  private find(): void {
    const names = Object.keys(this.labels) as Label[];
    const same = (labels: SeriesValues['labels']) =>
      Object.keys(labels).length === names.length &&
      names.every((name) => String(labels[name]) === String(this.labels[name]));
    this.values = undefined;
    for (const [hash, values] of Object.entries(this.internals.hashMap)) {
      if (same(values.labels)) {
        this.hash = hash;
        this.values = values;
        return;
      }
    }
  }
}
