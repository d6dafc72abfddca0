// The throughput suite's load generator: wrk (C, one thread, epoll), pinned to the load core.
// It drives a Node server on one core several times faster than k6 can (k6 runs JavaScript
// per request), so what it reads is the server's ceiling, not its own.
import { spawnSync } from 'node:child_process';
import { runLoadGenerator } from './load-generator';

export interface WrkResult {
  rps: number;
  requests: number;
  p50Ms: number;
  p99Ms: number;
  /** Requests answered with a status outside 2xx/3xx, plus connect/read/write/timeout errors. */
  errors: number;
}

/** `wrk -v`'s first line, e.g. `wrk debian/4.1.0-3+b2 [epoll]`; throws when wrk is missing. */
export function wrkVersion(): string {
  const result = spawnSync('wrk', ['-v'], { encoding: 'utf8' });
  if (result.error)
    throw new Error('wrk is not installed: run `node chaos/setup/setup.mjs --bench` (Debian package wrk)');
  return `${result.stdout}${result.stderr}`
    .split('\n')[0]
    .replace(/ Copyright.*/, '')
    .trim();
}

const UNIT_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000 };

function durationMs(text: string): number {
  const match = /^([\d.]+)(us|ms|s|m)$/.exec(text);
  if (!match) throw new Error(`wrk: unreadable duration ${text}`);
  return Number(match[1]) * UNIT_MS[match[2]];
}

/** Reads wrk's report (with --latency). */
export function parseWrk(output: string): WrkResult {
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(output);
  const requests = /(\d+) requests in/.exec(output);
  const p50 = /^\s+50%\s+(\S+)/m.exec(output);
  const p99 = /^\s+99%\s+(\S+)/m.exec(output);
  if (!rps || !requests || !p50 || !p99) throw new Error(`wrk: unreadable report:\n${output}`);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(output);
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(output)?.[1] ?? 0);
  const socketErrors = socket ? socket.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0;
  return {
    rps: Number(rps[1]),
    requests: Number(requests[1]),
    p50Ms: durationMs(p50[1]),
    p99Ms: durationMs(p99[1]),
    errors: non2xx + socketErrors,
  };
}

/** Runs wrk against `url` for `seconds` with `connections` keep-alive connections (one thread). */
export async function runWrk(url: string, seconds: number, connections = 32): Promise<WrkResult> {
  const argv = ['wrk', '-t1', `-c${connections}`, `-d${seconds}s`, '--latency', url];
  return parseWrk(await runLoadGenerator('wrk', argv, seconds));
}
