/** The longest the burner keeps the event loop busy in one go (wall clock), unless a fault asks for longer. */
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
 *
 * With a longer slice (a cpu fault's `sliceMs`) it stalls instead: it holds the loop for
 * the whole slice, then rests slice × (1 − u) / u, so every request and scrape that
 * arrives meanwhile waits (event-loop lag; past the scrape timeout, a target that is down).
 */
export class CpuBurner {
  private utilization = 0;
  private sliceMs = CPU_SLICE_MS;
  private windowStart = 0;
  private cpuAtWindowStart = 0;
  private scheduled = false;

  /** Sets the target share of one core (0 stops; capped at 1) and the longest slice. */
  setUtilization(utilization: number, sliceMs = CPU_SLICE_MS): void {
    this.utilization = Math.min(1, Math.max(0, utilization));
    this.sliceMs = Math.max(CPU_SLICE_MS, sliceMs);
    if (this.utilization > 0 && !this.scheduled) {
      this.resetWindow(performance.now());
      this.schedule(false);
    }
  }

  private readonly tick = (): void => {
    this.scheduled = false;
    if (this.utilization === 0) return;
    if (this.sliceMs > CPU_SLICE_MS) return this.stall();
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

  /** One long slice in wall time, then the rest that keeps the average at the utilization. */
  private stall(): void {
    const deadline = performance.now() + this.sliceMs;
    while (performance.now() < deadline) {
      // Busy on purpose: nothing else runs until the slice ends.
    }
    const restMs = (this.sliceMs * (1 - this.utilization)) / this.utilization;
    this.scheduled = true;
    if (restMs >= 1) setTimeout(this.tick, restMs).unref();
    else setImmediate(this.tick);
  }

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
