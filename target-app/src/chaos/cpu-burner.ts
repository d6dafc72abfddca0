/** The longest the burner keeps the event loop busy in one go. */
export const CPU_SLICE_MS = 4;
/** Utilization is tracked over windows this long, so a late start does not cause a burst. */
const WINDOW_MS = 1000;

/**
 * Keeps a share of one core busy on the main thread, in slices of at most CPU_SLICE_MS
 * between which the event loop runs (setImmediate while behind target, a 1 ms timer while
 * ahead), so requests slow down as on a saturated host but are never blocked for long.
 */
export class CpuBurner {
  private utilization = 0;
  private windowStart = 0;
  private busyMs = 0;
  private scheduled = false;

  /** Sets the target share of one core (0 stops); capped at 1. */
  setUtilization(utilization: number): void {
    this.utilization = Math.min(1, Math.max(0, utilization));
    if (this.utilization > 0 && !this.scheduled) {
      this.resetWindow(performance.now());
      this.schedule(false);
    }
  }

  get target(): number {
    return this.utilization;
  }

  private readonly tick = (): void => {
    this.scheduled = false;
    if (this.utilization === 0) return;
    const now = performance.now();
    if (now - this.windowStart >= WINDOW_MS) this.resetWindow(now);
    const owedMs = (now - this.windowStart) * this.utilization - this.busyMs;
    if (owedMs <= 0) return this.schedule(true);
    const until = now + Math.min(CPU_SLICE_MS, Math.max(owedMs, 0.5));
    let spunTo = now;
    while (spunTo < until) spunTo = performance.now();
    this.busyMs += spunTo - now;
    this.schedule(false);
  };

  private schedule(ahead: boolean): void {
    this.scheduled = true;
    (ahead ? setTimeout(this.tick, 1) : setImmediate(this.tick)).unref();
  }

  private resetWindow(now: number): void {
    this.windowStart = now;
    this.busyMs = 0;
  }
}
