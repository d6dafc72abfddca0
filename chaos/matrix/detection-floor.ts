// How soon an alert on a rate window can fire after a fault starts, and resolve after it
// ends, given the scrape interval, the rule interval, the window and `for`. The bench
// prints these bounds next to the measured times, so a figure can be read against what the
// configuration allows at best and at worst.
//
// The model: a window of W seconds at a scrape interval S holds n = W/S samples, and rate()
// sees the increase across their span (n − 1)·S (its extrapolation scales the numerator and
// the denominator of a ratio or a quantile alike, so it cancels). A fault with effect e
// (the share of requests it delays past the threshold, or its error share) against a
// threshold h is visible once more than h/e of that span lies after the injection: for a
// p50 threshold that every delayed request exceeds, h/e = 0.5; for 10% errors against a 5%
// threshold, 0.05/0.1 = 0.5 too. Then the first rule evaluation after that scrape makes the
// alert pending, and it fires `for` seconds later (one evaluation per rule interval). It
// resolves at the first evaluation whose window holds less than that share of faulty span;
// `for` does not delay resolution.

export interface DetectionSettings {
  scrapeSeconds: number;
  ruleIntervalSeconds: number;
  windowSeconds: number;
  forSeconds: number;
  /** How often the bench polls /api/v1/alerts. */
  pollSeconds: number;
  /** Share of the window's span that must be under the fault for the expression to hold (h/e). */
  requiredFaultShare: number;
}

export interface DetectionBounds {
  /** Seconds of the window's sample span: (W/S − 1)·S. */
  spanSeconds: number;
  /** Seconds after the injection before a scrape can show the fault past the threshold. */
  leadSeconds: number;
  fire: { min: number; max: number };
  resolve: { min: number; max: number };
}

export function detectionBounds(s: DetectionSettings): DetectionBounds {
  if (!(s.scrapeSeconds > 0 && s.windowSeconds >= 2 * s.scrapeSeconds)) {
    throw new RangeError('detectionBounds: the window must hold at least two scrapes');
  }
  if (!(s.requiredFaultShare > 0 && s.requiredFaultShare < 1)) {
    throw new RangeError(`detectionBounds: the required fault share must be in (0, 1), got ${s.requiredFaultShare}`);
  }
  const samples = Math.floor(s.windowSeconds / s.scrapeSeconds);
  const spanSeconds = (samples - 1) * s.scrapeSeconds;
  const leadSeconds = s.requiredFaultShare * spanSeconds;
  const clearSeconds = (1 - s.requiredFaultShare) * spanSeconds;
  // Best case: a scrape lands exactly `lead` after the injection and is evaluated at once.
  // Worst case: the scrape comes a whole interval later, the evaluation another one after it,
  // and the bench's poll one poll interval after that.
  const phaseDelay = s.scrapeSeconds + s.ruleIntervalSeconds + s.pollSeconds;
  return {
    spanSeconds,
    leadSeconds,
    fire: { min: leadSeconds + s.forSeconds, max: leadSeconds + s.forSeconds + phaseDelay },
    resolve: { min: clearSeconds, max: clearSeconds + phaseDelay },
  };
}
