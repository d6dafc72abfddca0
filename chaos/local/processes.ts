// Child processes of the local stack and of every `roque` command: a port check before
// spawning, spawning with output to a log file, readiness, and stopping by handle or by
// PID (for `roque stack down`, which is not the parent of what `up` started). A child that
// must not outlive this process is guarded: the watchdog stops it if this process dies.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { waitForHttp } from './network';
import { guardGroup, releaseGroup } from './watchdog';

/** A port the stack needs is taken; `port` and `service` say which. */
export class PortBusyError extends Error {
  constructor(
    readonly service: string,
    readonly port: number,
    howToChange: string,
  ) {
    super(
      `${service} cannot start: 127.0.0.1:${port} is already in use. Stop whatever listens there ` +
        `(\`roque stack status\` tells whether it is Roque's own stack; \`ss -ltnp 'sport = :${port}'\` names the process), ` +
        `or choose another port: ${howToChange}.`,
    );
    this.name = 'PortBusyError';
  }
}

/** Resolves when 127.0.0.1:`port` can be bound, throws PortBusyError when it cannot. */
export function assertPortFree(service: string, port: number, howToChange: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EADDRINUSE' ? new PortBusyError(service, port, howToChange) : error),
    );
    probe.listen({ port, host: '127.0.0.1', exclusive: true }, () => probe.close(() => resolve()));
  });
}

export interface Service {
  name: string;
  child: ChildProcess;
  logFile: string;
}

/**
 * Starts `bin` in its own process group, so a terminal's Ctrl-C reaches only the harness,
 * which then reverts faults and stops its children in order. `detached` lets it outlive
 * this process (`roque stack up`); otherwise it is guarded.
 */
export function spawnService(name: string, bin: string, args: string[], logFile: string, detached: boolean): Service {
  const log = openSync(logFile, 'a');
  const child = spawn(bin, args, { stdio: ['ignore', log, log], detached: true });
  closeSync(log);
  if (detached) child.unref();
  else guardChild(child);
  return { name, child, logFile };
}

const guarded = new Set<ChildProcess>();

/**
 * `child` (spawned with `detached: true`, so it leads its own process group) goes when this
 * process goes: stopped by stopGuardedChildren(), or by the watchdog if this process dies.
 */
export function guardChild(child: ChildProcess): void {
  const pid = child.pid;
  if (pid === undefined) return;
  guarded.add(child);
  guardGroup(pid);
  child.once('exit', () => {
    guarded.delete(child);
    releaseGroup(pid);
  });
}

/** The guarded children running now: what stopGuardedChildren() must leave alone for a caller that started them earlier. */
export function guardedChildren(): ReadonlySet<ChildProcess> {
  return new Set(guarded);
}

/**
 * Stops every guarded child still running but those in `keep` (what a run was still starting
 * when it was interrupted; not the stack a `roque matrix` shares between its runs).
 */
export async function stopGuardedChildren(
  keep: ReadonlySet<ChildProcess> = new Set(),
  timeoutMs = 2_000,
): Promise<void> {
  await Promise.all([...guarded].filter((child) => !keep.has(child)).map((child) => stopChild(child, timeoutMs)));
}

const logTail = (file: string) =>
  existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').slice(-5).join('\n') : '';

/** Waits until `url` answers 200, failing early (with the log's tail) if the process dies. */
export async function waitUntilReady(service: Service, url: string, timeoutMs: number): Promise<void> {
  const { child, name, logFile } = service;
  let onExit!: (code: number | null) => void;
  let onError!: (error: Error) => void;
  const died = new Promise<never>((_, reject) => {
    onExit = (code) => reject(new Error(`${name} exited with code ${code} before it was ready`));
    onError = (error) =>
      reject(new Error(`${name} could not start: ${error.message} (is it installed? \`npm run setup\` installs it)`));
    child.once('exit', onExit).once('error', onError);
  });
  try {
    await Promise.race([waitForHttp(url, { timeoutMs, intervalMs: 50 }), died]);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`${message}\n--- last lines of ${logFile} ---\n${logTail(logFile)}`);
  } finally {
    child.off('exit', onExit).off('error', onError);
  }
}

/** Stops a child of this process: SIGTERM, then SIGKILL after `timeoutMs`. */
export async function stopChild(child: ChildProcess, timeoutMs = 5_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  await exited;
  clearTimeout(timer);
}

/** True when `pid` runs and its command line contains `marker` (guards against PID reuse). */
export function isRunning(pid: number, marker: string): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const cmdline = `/proc/${pid}/cmdline`;
  if (!existsSync(cmdline)) return true; // no /proc: trust the PID
  return readFileSync(cmdline, 'utf8').split('\0').join(' ').includes(marker);
}

/** Stops a process this one did not start, by PID: SIGTERM, then SIGKILL after `timeoutMs`. */
export async function stopPid(pid: number, marker: string, timeoutMs = 5_000): Promise<void> {
  if (!isRunning(pid, marker)) return;
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + timeoutMs;
  while (isRunning(pid, marker)) {
    if (Date.now() > deadline) {
      process.kill(pid, 'SIGKILL');
      await new Promise((r) => setTimeout(r, 200));
      if (isRunning(pid, marker)) throw new Error(`process ${pid} did not stop, even after SIGKILL`);
      return;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}
