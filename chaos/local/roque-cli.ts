// Runs the `roque` command line as a child process, for end-to-end tests of the CLI.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from '../tools';

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliRun {
  child: ChildProcess;
  /** Output so far (both streams), for waiting on a line. */
  output(): string;
  done: Promise<CliResult>;
}

/** Starts `roque <args>` on this Node (24) with `env` added; `timeoutMs` bounds it (SIGKILL). */
export function startRoque(args: string[], env: Record<string, string> = {}, timeoutMs = 60_000): CliRun {
  const child = spawn(process.execPath, [join(REPO_ROOT, 'chaos', 'bin', 'roque.cjs'), ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const done = new Promise<CliResult>((resolve) =>
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    }),
  );
  return { child, output: () => stdout + stderr, done };
}

export function roque(args: string[], env: Record<string, string> = {}, timeoutMs?: number): Promise<CliResult> {
  return startRoque(args, env, timeoutMs).done;
}
