// Durations as people and k6 write them: `200ms`, `1.5s`, `2m`, `1m30s`, `1h`. One parser
// for experiment files, CLI flags and the k6 timeline. A bare number is refused here:
// `--ttl 30` could mean seconds or milliseconds, and guessing wrong breaks an experiment.

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 } as const;
const PART = /(\d+(?:\.\d+)?|\.\d+)(ms|s|m|h)/g;

/** Milliseconds in `text`, or throws naming the text and the accepted form. */
export function parseDuration(text: string): number {
  const trimmed = text.trim();
  let ms = 0;
  for (const [, amount, unit] of trimmed.matchAll(PART)) ms += Number(amount) * UNIT_MS[unit as keyof typeof UNIT_MS];
  if (trimmed === '' || trimmed.replace(PART, '') !== '') {
    throw new Error(`"${text}" is not a duration (use a number with ms, s, m or h, e.g. 200ms, 1.5s, 2m, 1m30s)`);
  }
  return ms;
}

/** `1500` → `1.5s`, `120000` → `2m`: the shortest exact form, which k6 accepts too. */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms >= 1_000) return `${Number((ms / 1_000).toFixed(3))}s`;
  return `${Number(ms.toFixed(1))}ms`;
}
