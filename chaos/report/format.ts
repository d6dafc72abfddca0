// Number formatting shared by the report writers.
import type { Estimate } from './result-schema';

export function ms(value: number | null | undefined): string {
  return `${num(value)} ms`.replace('– ms', '–');
}

/** A latency in ms without its unit: one decimal below a second. */
function num(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  const text = Math.abs(value) >= 1000 ? value.toFixed(0) : value.toFixed(1);
  return text === '-0.0' ? '0.0' : text;
}

export function pct(share: number | null | undefined): string {
  if (share === null || share === undefined || !Number.isFinite(share)) return '–';
  return `${(share * 100).toFixed(share !== 0 && share < 0.1 ? 2 : 1)}%`;
}

/** `201.3 ms [199.0, 203.2]`: a figure with its interval. */
export function msWithInterval(e: Pick<Estimate, 'value' | 'low' | 'high'> | null): string {
  if (!e || e.value === null) return '–';
  return `${ms(e.value)} [${num(e.low)}, ${num(e.high)}]`;
}

/** `8.71% [7.35%, 10.3%]` */
export function pctWithInterval(e: Pick<Estimate, 'value' | 'low' | 'high'>): string {
  return `${pct(e.value)} [${pct(e.low)}, ${pct(e.high)}]`;
}

/** A p-value that never prints as 0. */
export function pValue(p: number): string {
  if (p < 1e-15) return 'p < 1e-15';
  return p < 1e-4 ? `p = ${p.toExponential(1)}` : `p = ${p.toFixed(4)}`;
}

export function seconds(value: number | null): string {
  return value === null ? '–' : `${value.toFixed(1)} s`;
}

export function minutesSeconds(totalSeconds: number): string {
  const s = Math.round(totalSeconds);
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`;
}

/** `latency 200 ms`, `error 500 × 10%`: one fault in words. */
export function describeFault(f: { type: string; [key: string]: unknown }): string {
  const p = typeof f.probability === 'number' && f.probability < 1 ? ` × ${pct(f.probability)}` : '';
  switch (f.type) {
    case 'latency':
      return `latency ${f.delayMs} ms${f.jitterMs ? ` ± ${f.jitterMs}` : ''}${p}`;
    case 'error':
      return `error ${f.status}${p}`;
    case 'cpu':
      return `cpu ${pct(f.utilization as number)}${p}`;
    case 'memory':
      return `memory ${f.megabytes} MB`;
    case 'health':
      return `${f.probe} down`;
    default:
      return `${f.type}${p}`;
  }
}
