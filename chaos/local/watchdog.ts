// Nothing a `roque` process starts outlives it. A tiny detached process (watchdog.cjs)
// holds the other end of a pipe: when this process ends, however it ends (SIGKILL
// included), the pipe closes, and the watchdog stops every process group still
// registered here and clears the faults of every target still registered. Started on the
// first registration; every call is cheap and never throws.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from '../tools';
import { assertLoopback } from './network';

const SCRIPT = join(REPO_ROOT, 'chaos', 'local', 'watchdog.cjs');

let watchdog: ChildProcess | null = null;

function send(order: Record<string, unknown>): void {
  if (!watchdog) {
    watchdog = spawn(process.execPath, [SCRIPT], { detached: true, stdio: ['pipe', 'ignore', 'ignore'] });
    watchdog.on('error', () => {});
    watchdog.stdin!.on('error', () => {});
    watchdog.unref();
    (watchdog.stdin as unknown as { unref(): void }).unref();
  }
  watchdog.stdin!.write(`${JSON.stringify(order)}\n`);
}

/** Stop process group `pgid` (a child spawned with `detached: true`) if this process dies. */
export function guardGroup(pgid: number): void {
  send({ guard: pgid });
}

/** The group is gone (or stopped on purpose): nothing to do for it any more. */
export function releaseGroup(pgid: number): void {
  if (watchdog) send({ release: pgid });
}

/**
 * Clear the faults of the admin API at `url` if this process dies before `faultsCleared(url)`.
 * Only a loopback `url` is kept: the token goes nowhere else.
 */
export function guardFaults(url: string, token: string): void {
  try {
    assertLoopback(url);
  } catch {
    return;
  }
  send({ faults: { url: url.replace(/\/$/, ''), token } });
}

export function faultsCleared(url: string): void {
  if (watchdog) send({ faultsCleared: url.replace(/\/$/, '') });
}

/** Where the watchdog writes what it did (the run's journal.ndjson). */
export function watchdogJournal(file: string): void {
  send({ journal: file });
}
