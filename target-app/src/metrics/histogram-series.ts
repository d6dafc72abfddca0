import type { Histogram, LabelValues } from 'prom-client';

/** One label set's values as prom-client 15 keeps them in `Histogram.hashMap` (lib/histogram.js). */
interface SeriesValues {
  labels: Record<string, string | number>;
  bucketValues: Record<string, number>;
  /** By bucket bound (`-1` for +Inf); null until the bucket's first exemplar (histograms with exemplars only). */
  bucketExemplars?: Record<string, ExemplarValues | null>;
  sum: number;
  count: number;
}

/** prom-client's Exemplar (lib/exemplar.js): the fields its OpenMetrics output reads. */
interface ExemplarValues {
  labelSet: LabelValues<string>;
  value: number;
  timestamp?: number;
}

/** OpenMetrics' limit on an exemplar's label names and values together (prom-client checks it). */
const MAX_EXEMPLAR_LABEL_CHARS = 128;

function exemplarLabelChars(labels: LabelValues<string>): number {
  let chars = 0;
  for (const name in labels) chars += name.length + String(labels[name]).length;
  return chars;
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
 * The first observation, the first exemplar of each bucket, an exemplar too long for
 * OpenMetrics, and an observation after the series was reset or removed (`reset()`,
 * `remove()`) go through prom-client's own `observe`; later exemplars are written into the
 * Exemplar prom-client made for their bucket, as its `updateExemplar` would.
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
    if (!values || this.internals.hashMap[this.hash] !== values || !Number.isFinite(value)) {
      this.observeThroughPromClient(value, exemplarLabels);
      return;
    }
    const bounds = this.internals.upperBounds;
    let bucket = 0;
    while (bucket < bounds.length && value > bounds[bucket]) bucket++;
    const key = bucket < bounds.length ? this.bucketKeys[bucket] : '-1';
    if (exemplarLabels) {
      const exemplar = values.bucketExemplars?.[key];
      if (!exemplar || exemplarLabelChars(exemplarLabels) > MAX_EXEMPLAR_LABEL_CHARS) {
        this.observeThroughPromClient(value, exemplarLabels);
        return;
      }
      exemplar.labelSet = exemplarLabels;
      exemplar.value = value;
      exemplar.timestamp = Date.now() / 1000;
    }
    values.sum += value;
    values.count += 1;
    // Above every bound is counted in +Inf only, which prom-client derives from the count.
    if (bucket < bounds.length) values.bucketValues[key] += 1;
  }

  private observeThroughPromClient(value: number, exemplarLabels: LabelValues<string> | undefined): void {
    const values = this.values;
    // (prom-client types exemplar labels as the metric's own label names; they are not.)
    const exemplar = exemplarLabels as LabelValues<Label> | undefined;
    this.histogram.observe({ labels: this.labels, value, exemplarLabels: exemplar });
    if (!values || this.internals.hashMap[this.hash] !== values) this.find();
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
