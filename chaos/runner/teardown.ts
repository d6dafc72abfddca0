// What a target started, stopped in reverse order however far its start got; and who hears
// when one of those processes dies before that.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export class Teardown {
  private readonly stops: (() => Promise<unknown>)[] = [];
  private onLost: ((reason: string) => void) | null = null;

  /** A fresh folder under the system's temporary one, removed last. */
  tempDir(prefix: string): string {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    this.add(async () => rmSync(dir, { recursive: true, force: true }));
    return dir;
  }

  add(stop: () => Promise<unknown>): void {
    this.stops.push(stop);
  }

  /** Tells the watch() listener when `child` exits before stop(): "`what` exited mid-run (…)`after`". */
  lostIf(child: ChildProcess, what: string, after = ''): void {
    child.once('exit', (code, signal) =>
      this.onLost?.(`${what} exited mid-run (${signal ?? `exit code ${code}`})${after}`),
    );
  }

  readonly watch = (listener: (reason: string) => void): void => {
    this.onLost = listener;
  };

  /** Stops everything added, last first; a stop that fails does not keep the others from running. */
  readonly stop = async (): Promise<void> => {
    this.onLost = null;
    for (const stop of this.stops.splice(0).reverse()) await stop().catch(() => {});
  };
}
