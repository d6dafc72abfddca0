// Starts the real target-app as a child process on loopback, the way `npm run app` does,
// for the experiment runner and for end-to-end tests.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { guardChild } from '../local/processes';
import { REPO_ROOT } from '../tools';
import { freePort, waitForHttp } from './network';

export interface AppProcess {
  url: string;
  port: number;
  adminToken: string;
  child: ChildProcess;
  /** Output the app wrote so far (JSON log lines), for error messages and reports. */
  output(): string;
  /** Sends `signal` (default SIGTERM) and resolves with the exit code once it is gone. */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<number | null>;
}

export interface StartAppOptions {
  port?: number;
  adminToken?: string;
  env?: Record<string, string>;
  readyTimeoutMs?: number;
  /** A command the app is started through, e.g. `['taskset', '-c', '0']` to pin it to a core. */
  wrapper?: string[];
}

const DIST_APP = join(REPO_ROOT, 'dist', 'target-app', 'src');

export async function startApp(options: StartAppOptions = {}): Promise<AppProcess> {
  const main = join(DIST_APP, 'main.js');
  if (!existsSync(main)) throw new Error(`${main} is missing: run \`node webpack-free-build.mjs\` first`);
  const port = options.port ?? (await freePort());
  const adminToken = options.adminToken ?? randomBytes(16).toString('hex');
  const [command, ...args] = [
    ...(options.wrapper ?? []),
    process.execPath,
    '--enable-source-maps',
    '--import',
    join(DIST_APP, 'tracing.js'),
    main,
  ];
  const child = spawn(command, args, {
    cwd: REPO_ROOT,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', CHAOS_ADMIN_TOKEN: adminToken, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group: a terminal's Ctrl-C reaches only the harness, which reverts
    // faults through this app before stopping it.
    detached: true,
  });
  guardChild(child);
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-200_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const stop = async (signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 10_000) => {
    if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    const code = await exited;
    clearTimeout(timer);
    return code;
  };

  const url = `http://127.0.0.1:${port}`;
  try {
    await Promise.race([
      waitForHttp(`${url}/health/ready`, { timeoutMs: options.readyTimeoutMs ?? 20_000 }),
      exited.then((code) => {
        throw new Error(`target-app exited with code ${code} before it was ready`);
      }),
    ]);
  } catch (error) {
    await stop('SIGKILL');
    const tail = output.trim().split('\n').slice(-5).join('\n');
    throw new Error(`${error instanceof Error ? error.message : error}\n${tail}`);
  }
  return { url, port, adminToken, child, output: () => output, stop };
}
