/** The longest the burner keeps the event loop busy in one go (wall clock). */
export const CPU_SLICE_MS = 4;
/** Utilization is tracked over windows this long, so a late start does not cause a burst. */
const WINDOW_MS = 1000;

/** CPU time of this thread, in ms: what the burner owes is counted in CPU, not in wall time. */
function threadCpuMs(): number {
  const { user, system } = process.threadCpuUsage();
  return (user + system) / 1000;
}

/**
 * Keeps a share of one core busy on the main thread, in slices of at most CPU_SLICE_MS
 * between which the event loop runs (setImmediate while behind target, a 1 ms timer while
 * ahead), so requests slow down as on a saturated host but are never blocked for long.
 * The debt is measured in thread CPU time, so on a contended host the burner still asks
 * for its share of CPU rather than counting time it was preempted as work done.
 */
export class CpuBurner {
  private utilization = 0;
  private windowStart = 0;
  private cpuAtWindowStart = 0;
  private scheduled = false;

  /** Sets the target share of one core (0 stops); capped at 1. */
  setUtilization(utilization: number): void {
    this.utilization = Math.min(1, Math.max(0, utilization));
    if (this.utilization > 0 && !this.scheduled) {
      this.resetWindow(performance.now());
      this.schedule(false);
    }
  }

  private readonly tick = (): void => {
    this.scheduled = false;
    if (this.utilization === 0) return;
    const now = performance.now();
    if (now - this.windowStart >= WINDOW_MS) this.resetWindow(now);
    const cpuNow = threadCpuMs();
    const owedMs = (now - this.windowStart) * this.utilization - (cpuNow - this.cpuAtWindowStart);
    if (owedMs <= 0) return this.schedule(true);
    const deadline = now + CPU_SLICE_MS;
    const cpuTarget = cpuNow + Math.min(CPU_SLICE_MS, Math.max(owedMs, 0.5));
    while (performance.now() < deadline && threadCpuMs() < cpuTarget) {
      // Busy on purpose: this is the load.
    }
    this.schedule(false);
  };

  // The immediate stays ref'd: an unref'd one does not stop the loop from blocking in
  // its poll phase, so it would only run when something else woke the loop.
  private schedule(ahead: boolean): void {
    this.scheduled = true;
    if (ahead) setTimeout(this.tick, 1).unref();
    else setImmediate(this.tick);
  }

  private resetWindow(now: number): void {
    this.windowStart = now;
    this.cpuAtWindowStart = threadCpuMs();
  }
}
