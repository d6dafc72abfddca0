// A local HTTP server as a child process, ready when GET / answers: the seed, benchmark peers.
import { type ChildProcess } from 'node:child_process';
import { startProcess } from './processes';

export interface HttpProcess {
  url: string;
  child: ChildProcess;
  /** SIGTERM (SIGKILL 5 s later), resolved once the process has exited. */
  stop(): Promise<unknown>;
}

/** Starts `argv` with PORT=`port` (and `env`), waits until GET / answers 200, else kills it and throws with its stderr. */
export async function spawnHttpServer(
  argv: string[],
  port: number,
  env: Record<string, string> = {},
): Promise<HttpProcess> {
  const url = `http://127.0.0.1:${port}`;
  const server = await startProcess(argv.join(' '), argv, {
    env: { ...process.env, PORT: String(port), ...env },
    output: { keepChars: 4000, streams: 'stderr' },
    ready: `${url}/`,
    readyTimeoutMs: 20_000,
  });
  return { url, child: server.child, stop: () => server.stop() };
}
