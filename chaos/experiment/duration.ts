// Durations as people write them: `200ms`, `1.5s`, `2m`, `1h`. A bare number is refused:
// `--ttl 30` could mean seconds or milliseconds, and guessing wrong breaks an experiment.

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 } as const;
const DURATION = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*(ms|s|m|h)\s*$/;

/** Milliseconds in `text`, or throws naming the text and the accepted form. */
export function parseDuration(text: string): number {
  const match = DURATION.exec(text);
  if (!match) throw new Error(`"${text}" is not a duration (use a number with ms, s, m or h, e.g. 200ms, 1.5s, 2m)`);
  return Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
}

/** `1500` → `1.5s`, `120000` → `2m`: the shortest exact form, for output. */
export function formatDuration(ms: number): string {
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms >= 1_000) return `${Number((ms / 1_000).toFixed(3))}s`;
  return `${Number(ms.toFixed(1))}ms`;
}
