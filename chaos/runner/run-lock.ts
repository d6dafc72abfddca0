// One run at a time per reports folder: `<reports>/.lock` holds the PID and run id of the
// run that owns it. A second run is refused naming the holder; a lock whose process is
// gone (a run killed with SIGKILL) is taken over.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface LockHolder {
  pid: number;
  runId: string;
  startedAt: string;
}

export class RunLockedError extends Error {}

export class RunLock {
  private constructor(
    readonly file: string,
    private readonly holder: LockHolder,
  ) {}

  /** Takes `<reportsDir>/.lock` for `runId`, or throws RunLockedError naming the run that holds it. */
  static acquire(reportsDir: string, runId: string): RunLock {
    const file = join(reportsDir, '.lock');
    const holder: LockHolder = { pid: process.pid, runId, startedAt: new Date().toISOString() };
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        writeFileSync(file, `${JSON.stringify(holder)}\n`, { flag: 'wx' });
        return new RunLock(file, holder);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const current = readHolder(file);
      if (current && isAlive(current.pid)) {
        throw new RunLockedError(
          `another run holds ${file}: ${current.runId} (PID ${current.pid}, since ${current.startedAt}); wait for it to end, or stop it (kill ${current.pid})`,
        );
      }
      // Its process is gone: the lock is stale.
      rmSync(file, { force: true });
    }
    throw new RunLockedError(`could not take ${file}: another run took it at the same moment`);
  }

  /** Removes the lock if it is still this run's. */
  release(): void {
    if (readHolder(this.file)?.runId === this.holder.runId) rmSync(this.file, { force: true });
  }
}

function readHolder(file: string): LockHolder | null {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as LockHolder;
  } catch {
    return null;
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
