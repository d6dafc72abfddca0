// Durations in k6 settings: the contract's duration strings (chaos/contract/duration.ts),
// or, as k6 itself allows, a plain number of seconds.
import { formatDuration, parseDuration } from '../../chaos/contract/duration';

/** Seconds in `value`; throws naming the setting `what` unless it is a positive duration. */
export function parseSeconds(value: string | number, what: string): number {
  const text = String(value).trim();
  let seconds = Number.NaN;
  if (/^\d+(\.\d+)?$/.test(text)) seconds = Number(text);
  else if (text !== '') {
    try {
      seconds = parseDuration(text) / 1000;
    } catch {
      // reported below, with the setting's name
    }
  }
  if (!(seconds > 0) || !Number.isFinite(seconds)) {
    throw new Error(
      `${what} must be a duration like "500ms", "20s" or "1m30s", or a number of seconds (got "${value}")`,
    );
  }
  return seconds;
}

/** A duration string k6 accepts, from seconds. */
export const k6Duration = (seconds: number): string => formatDuration(seconds * 1000);
