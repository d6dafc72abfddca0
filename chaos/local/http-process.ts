// A local HTTP server as a child process, ready when GET / answers: the seed, benchmark peers.
import { spawn, type ChildProcess } from 'node:child_process';
import { guardChild } from '../local/processes';
import { waitForHttp } from './network';

export interface HttpProcess {
  url: string;
  child: ChildProcess;
  /** SIGTERM, resolved once the process has exited. */
  stop(): Promise<unknown>;
}

/** Starts `argv` with PORT=`port` (and `env`), waits until GET / answers 200, else kills it and throws with its stderr. */
export async function spawnHttpServer(
  argv: string[],
  port: number,
  env: Record<string, string> = {},
): Promise<HttpProcess> {
  const [command, ...args] = argv;
  // Its own process group, guarded: the run's watchdog stops it if this process dies.
  const child = spawn(command, args, {
    env: { ...process.env, PORT: String(port), ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
    detached: true,
  });
  guardChild(child);
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => (stderr = (stderr + c).slice(-4000)));
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForHttp(`${url}/`, { timeoutMs: 20_000 });
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`${argv.join(' ')}: ${(error as Error).message}\n${stderr}`);
  }
  const exited = new Promise((r) => child.once('exit', r));
  return {
    url,
    child,
    stop: () => (child.exitCode === null && child.signalCode === null ? (child.kill('SIGTERM'), exited) : exited),
  };
}
