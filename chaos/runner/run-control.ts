// What every stage of a run shares: how the run stops early, and what is undone at its end.
// The first RunError to stop the run (an abort condition, a lost stack, k6 gone, a signal, an
// uncaught error) is kept with its exit code; every fault is reverted as it happens.
import type { AdminClient } from '../admin/admin-client';
import { EXIT, RunError, SIGNAL_EXIT, type HandledSignal } from './exit-codes';
import type { Journal } from './journal';
import type { Progress } from './progress';

/** After SIGHUP, the run exits within this long even if stopping in order hangs. */
const FORCED_EXIT_MS = 8_000;

export interface KillSwitch {
  cleared: boolean;
  error: string | null;
}

export class RunControl {
  /** Stops the load (k6 gets SIGINT and runs teardown). */
  readonly stopLoad = new AbortController();
  /** Ends the run as fast as it can: a signal, an uncaught error or a lost stack. No more waiting. */
  readonly hurry = new AbortController();
  /** The first reason the run stopped early, null while it runs as planned. */
  stoppedBy: RunError | null = null;
  /** The admin API faults are reverted through, once the target is known. */
  admin: AdminClient | null = null;
  private readonly cleanups: (() => Promise<unknown>)[] = [];
  private readonly handlers: [NodeJS.Signals, () => void][];

  constructor(
    private readonly journal: Journal,
    private readonly progress: Progress,
  ) {
    this.handlers = (Object.keys(SIGNAL_EXIT) as HandledSignal[]).map((signal) => [
      signal,
      () => this.onSignal(signal),
    ]);
  }

  /** Clears every fault on the target (a no-op before there is one). */
  async revert(why: string): Promise<KillSwitch> {
    if (!this.admin) return { cleared: true, error: null };
    try {
      await this.admin.clear();
      this.journal.write('faults.cleared', { why });
      return { cleared: true, error: null };
    } catch (error) {
      this.journal.write('faults.clear-failed', { why, error: (error as Error).message });
      return { cleared: false, error: (error as Error).message };
    }
  }

  /** Stops the run early: the first `error` is the run's reason and exit code. `urgent` also ends every wait. */
  abort(error: RunError, urgent = false): void {
    if (urgent) this.hurry.abort();
    if (this.stoppedBy) return;
    this.stoppedBy = error;
    this.journal.write('run.abort', { reason: error.message });
    this.progress.message(`roque: aborting: ${error.message}; reverting every fault`);
    this.stopLoad.abort();
    void this.revert(error.message);
  }

  /** A process of the stack, or Prometheus, is gone: the evidence cannot be complete. */
  readonly loseStack = (reason: string): void => this.abort(new RunError(reason, EXIT.aborted), true);

  /** Undone at the end of the run, last registered first. */
  atEnd(cleanup: () => Promise<unknown>): void {
    this.cleanups.push(cleanup);
  }

  /** From here on, SIGINT, SIGTERM, SIGHUP and uncaught errors stop the run in order. */
  listen(): void {
    for (const [signal, handler] of this.handlers) process.on(signal, handler);
    process.on('uncaughtException', this.onUncaught).on('unhandledRejection', this.onUncaught);
  }

  /** Runs what atEnd() registered, and stops listening. */
  async end(): Promise<void> {
    for (const cleanup of this.cleanups.splice(0).reverse()) await cleanup();
    for (const [signal, handler] of this.handlers) process.off(signal, handler);
    process.off('uncaughtException', this.onUncaught).off('unhandledRejection', this.onUncaught);
  }

  private onSignal(signal: HandledSignal): void {
    this.abort(new RunError(`${signal} received`, SIGNAL_EXIT[signal]), true);
    if (signal !== 'SIGHUP') return;
    // The terminal (or the launcher) is gone: nothing may outlive it by more than 10 s. If
    // stopping in order takes longer, exit anyway; the watchdog stops what is left.
    setTimeout(() => {
      this.journal.write('run.forced-exit', { signal, afterMs: FORCED_EXIT_MS });
      process.exit(SIGNAL_EXIT[signal]);
    }, FORCED_EXIT_MS).unref();
  }

  private readonly onUncaught = (error: unknown): void => {
    this.journal.write('run.uncaught', {
      error: error instanceof Error ? (error.stack ?? error.message) : String(error),
    });
    this.abort(
      new RunError(`uncaught error: ${error instanceof Error ? error.message : String(error)}`, EXIT.aborted),
      true,
    );
  };
}
