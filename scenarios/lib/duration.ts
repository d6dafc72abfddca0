// k6-style durations ("500ms", "20s", "1m30s", "2h") to seconds and back.

const UNIT_SECONDS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600 };
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;

/** Seconds in `value`: a k6 duration string or a plain number of seconds. */
export function parseDuration(value: string | number, what: string): number {
  if (typeof value === 'number') {
    if (Number.isFinite(value) && value > 0) return value;
    throw new Error(`${what} must be a positive number of seconds or a duration like "20s" (got ${value})`);
  }
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return parseDuration(Number(text), what);
  const consumed = text.replace(PART, '');
  let seconds = 0;
  for (const [, amount, unit] of text.matchAll(PART)) seconds += Number(amount) * UNIT_SECONDS[unit];
  if (text === '' || consumed !== '' || !(seconds > 0)) {
    throw new Error(`${what} must be a duration like "500ms", "20s" or "1m30s" (got "${value}")`);
  }
  return seconds;
}

/** A duration k6 accepts: whole seconds as "20s", anything finer in milliseconds. */
export function formatDuration(seconds: number): string {
  return Number.isInteger(seconds) ? `${seconds}s` : `${Math.round(seconds * 1000)}ms`;
}
