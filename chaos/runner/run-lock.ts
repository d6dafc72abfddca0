// One run at a time per reports folder: `<reports>/.lock` holds the PID and run id of the
// run that owns it. A second run is refused naming the holder; a lock whose process is
// gone (a run killed with SIGKILL), or that names this very process (a PID reused after a
// restart, e.g. PID 1 in a container), is stale and taken over.
//
// Taking a lock is atomic: it is created with O_EXCL, so of any number of runs that race
// for a free lock exactly one gets it. Taking over a stale one is a remove and a create,
// which two runs could interleave (A removes and creates; B, which read the old stale
// holder, removes A's fresh lock). So a takeover happens only under `.lock.takeover`, a
// second O_EXCL file, and re-reads the lock inside it: only a lock still stale is removed.
import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface LockHolder {
  pid: number;
  runId: string;
  startedAt: string;
}

export class RunLockedError extends Error {}

/** A takeover takes microseconds; a `.lock.takeover` older than this was left by a killed run. */
const TAKEOVER_STALE_MS = 10_000;
const ATTEMPTS = 50;

export class RunLock {
  private constructor(
    readonly file: string,
    private readonly holder: LockHolder,
  ) {}

  /** Takes `<reportsDir>/.lock` for `runId`, or throws RunLockedError naming the run that holds it. */
  static acquire(reportsDir: string, runId: string): RunLock {
    const file = join(reportsDir, '.lock');
    const holder: LockHolder = { pid: process.pid, runId, startedAt: new Date().toISOString() };
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      if (createExclusive(file, holder)) return new RunLock(file, holder);
      const current = readHolder(file);
      if (current && !isStale(current)) throw lockedBy(file, current);
      // Stale, or half-written by a racing run (unreadable): settle it under the takeover lock.
      if (!removeIfStale(file)) sleepSync(1 + attempt);
    }
    throw new RunLockedError(`could not take ${file}: other runs kept taking it at the same moment`);
  }

  /** Removes the lock if it is still this run's. */
  release(): void {
    if (readHolder(this.file)?.runId === this.holder.runId) rmSync(this.file, { force: true });
  }
}

function lockedBy(file: string, holder: LockHolder): RunLockedError {
  return new RunLockedError(
    `another run holds ${file}: ${holder.runId} (PID ${holder.pid}, since ${holder.startedAt}); wait for it to end, or stop it (kill ${holder.pid})`,
  );
}

/** Creates `file` holding `holder`, only if it does not exist (O_EXCL). */
function createExclusive(file: string, holder: LockHolder): boolean {
  try {
    writeFileSync(file, `${JSON.stringify(holder)}\n`, { flag: 'wx' });
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

/**
 * Under `.lock.takeover`: removes `file` if its holder is (still) stale. Returns false when
 * the takeover lock is busy (another run is settling it; try again).
 */
function removeIfStale(file: string): boolean {
  const takeover = `${file}.takeover`;
  if (!createExclusive(takeover, { pid: process.pid, runId: 'takeover', startedAt: new Date().toISOString() })) {
    if (ageMs(takeover) > TAKEOVER_STALE_MS) rmSync(takeover, { force: true });
    return false;
  }
  try {
    const current = readHolder(file);
    // Unreadable: a run is between creating and writing it (or died there, long ago).
    if (current ? isStale(current) : ageMs(file) > TAKEOVER_STALE_MS) rmSync(file, { force: true });
    return true;
  } finally {
    rmSync(takeover, { force: true });
  }
}

function isStale(holder: LockHolder): boolean {
  return holder.pid === process.pid || !isAlive(holder.pid);
}

function readHolder(file: string): LockHolder | null {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as LockHolder;
  } catch {
    return null;
  }
}

function ageMs(file: string): number {
  try {
    return Date.now() - statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
