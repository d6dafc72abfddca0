// The one way Roque runs child processes (the stack's services, the app, Redis, k6, the
// benchmark peers): a port check before spawning, spawning in its own process group with its
// output kept, readiness, and stopping gracefully then forcibly, by handle or by PID (for
// `roque stack down`, which is not the parent of what `up` started; the PID's command line
// must still name the process, so a recycled PID is never signalled). A child that must not
// outlive this process is guarded: the watchdog stops it if this process dies.
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

/** Where a child's stdout and stderr go. */
export type ChildOutput =
  /** Appended to a file (the stack's services: the file outlives the process). */
  | { logFile: string }
  /** The last `keepChars` characters kept in memory, for error messages and reports. */
  | { keepChars: number; streams?: 'both' | 'stderr' }
  /** Left as pipes for the caller to read (k6's lines). */
  | 'pipe';

export interface SpawnOptions {
  output: ChildOutput;
  cwd?: string;
  /** The whole environment (default: this process'). */
  env?: NodeJS.ProcessEnv;
  /** Let it outlive this process (`roque stack up`): not guarded, not waited for. */
  outlive?: boolean;
}

/** Ready when this URL answers 200, or when this check (polled every 50 ms) returns true. */
export type Readiness = string | (() => Promise<boolean>);

/** A child started by spawnProcess: one way to read its output and to stop it. */
export interface ManagedProcess {
  name: string;
  child: ChildProcess;
  /** What it wrote so far (the kept tail, or the log file's last lines). */
  output(): string;
  /** The file its output goes to, if it goes to one. */
  logFile?: string;
  /** Resolves with its exit code (null when a signal ended it) once it has exited. */
  exited: Promise<number | null>;
  /** `signal` (default SIGTERM), then SIGKILL after `graceMs`; resolves with the exit code once it is gone. */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<number | null>;
}

/**
 * Starts `argv` in its own process group, so a terminal's Ctrl-C reaches only the harness,
 * which then reverts faults and stops its children in order. Unless `outlive`, the child is
 * guarded: the watchdog stops it if this process dies.
 */
export function spawnProcess(name: string, argv: string[], options: SpawnOptions): ManagedProcess {
  const [command, ...args] = argv;
  const { output } = options;
  const log = typeof output === 'object' && 'logFile' in output ? openSync(output.logFile, 'a') : undefined;
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env,
    stdio: log === undefined ? ['ignore', 'pipe', 'pipe'] : ['ignore', log, log],
    detached: true,
  });
  if (log !== undefined) closeSync(log);
  if (options.outlive) child.unref();
  else guardChild(child);
  let kept = '';
  if (typeof output === 'object' && 'keepChars' in output) {
    const keep = (chunk: Buffer) => (kept = (kept + chunk.toString()).slice(-output.keepChars));
    if (output.streams !== 'stderr') child.stdout?.on('data', keep);
    else child.stdout?.resume();
    child.stderr?.on('data', keep);
  }
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  // A child that could not be spawned emits 'error' and never 'exit'; waitUntilReady reports it.
  child.on('error', () => {});
  return {
    name,
    child,
    logFile: log === undefined ? undefined : (output as { logFile: string }).logFile,
    output: () => (typeof output === 'object' && 'logFile' in output ? logTail(output.logFile) : kept),
    exited,
    stop: (signal, graceMs) => stopChild(child, graceMs, signal),
  };
}

/**
 * Waits until `ready` holds: the URL answers 200, or the check returns true. Fails early if the
 * process dies or cannot be spawned, and always with the last lines it wrote.
 */
export async function waitUntilReady(service: ManagedProcess, ready: Readiness, timeoutMs: number): Promise<void> {
  const { child, name } = service;
  let onExit!: (code: number | null) => void;
  let onError!: (error: Error) => void;
  const died = new Promise<never>((_, reject) => {
    onExit = (code) => reject(new Error(`${name} exited with code ${code} before it was ready`));
    onError = (error) =>
      reject(new Error(`${name} could not start: ${error.message} (is it installed? \`npm run setup\` installs it)`));
    child.once('exit', onExit).once('error', onError);
  });
  const settled = new AbortController(); // the poll stops with the child's death too
  // Without a PID the spawn failed: only its 'error' event, on the next tick, can settle this.
  const probe =
    child.pid === undefined
      ? died
      : typeof ready === 'string'
        ? waitForHttp(ready, { timeoutMs, intervalMs: 50, signal: settled.signal })
        : pollUntil(ready, timeoutMs, name, settled.signal);
  try {
    await Promise.race([probe, died]);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const tail = service.output().trim().split('\n').slice(-5).join('\n');
    throw new Error(`${message}\n--- last lines of ${service.logFile ?? `${name}'s output`} ---\n${tail}`);
  } finally {
    settled.abort();
    child.off('exit', onExit).off('error', onError);
  }
}

/** spawnProcess, then waitUntilReady; a child that does not get ready is killed before the error is thrown. */
export async function startProcess(
  name: string,
  argv: string[],
  options: SpawnOptions & { ready: Readiness; readyTimeoutMs: number },
): Promise<ManagedProcess> {
  const started = spawnProcess(name, argv, options);
  try {
    await waitUntilReady(started, options.ready, options.readyTimeoutMs);
  } catch (error) {
    await started.stop('SIGKILL');
    throw error;
  }
  return started;
}

async function pollUntil(
  check: () => Promise<boolean>,
  timeoutMs: number,
  name: string,
  signal: AbortSignal,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!signal.aborted && !(await check())) {
    if (Date.now() > deadline) throw new Error(`${name} was not ready after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
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

const hasExited = (child: ChildProcess) => child.exitCode !== null || child.signalCode !== null;

/**
 * Stops a child of this process: `signal` (default SIGTERM), then SIGKILL after `graceMs`.
 * Resolves with its exit code once it is gone. By handle, never by PID: an exited child's
 * PID is never signalled, so a recycled one is safe.
 */
export async function stopChild(
  child: ChildProcess,
  graceMs = 5_000,
  signal: NodeJS.Signals = 'SIGTERM',
): Promise<number | null> {
  if (hasExited(child) || child.pid === undefined) return child.exitCode;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill(signal);
  const timer = setTimeout(() => {
    if (!hasExited(child)) child.kill('SIGKILL');
  }, graceMs);
  const code = await exited;
  clearTimeout(timer);
  return code;
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
