// Shared by the end-to-end specs: the real app on a free loopback port, real HTTP.
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { type Agent, request as httpRequest } from 'node:http';
import type { FaultSpecInput } from '../../chaos/contract/faults';
import { createApp, type AppOptions } from '../src/app.factory';
import { configFrom } from '../src/config/app-config';

export const ADMIN_TOKEN = 'e2e-admin-token';

export type RunningApp = { app: NestFastifyApplication; url: string; close: () => Promise<void> };

/** Starts the app on 127.0.0.1, port 0, with the admin API on unless the env says otherwise. */
export async function startApp(
  env: Record<string, string | undefined> = {},
  options: AppOptions = {},
): Promise<RunningApp> {
  const app = await createApp(
    configFrom({ LOG_LEVEL: 'silent', CHAOS_ADMIN_TOKEN: ADMIN_TOKEN, ...env, PORT: '0' }),
    options,
  );
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address();
  if (address === null || typeof address === 'string') throw new Error('app is not listening on TCP');
  return { app, url: `http://127.0.0.1:${address.port}`, close: () => app.close() };
}

export type Answer = { status: number; body: string; json: <T = unknown>() => T };

/** One request over node:http (through `agent` when given), answered or rejected with the socket error. */
export function get(
  url: string,
  options: { agent?: Agent; method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      { method: options.method ?? 'GET', agent: options.agent, headers: options.headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, body, json: <T>() => JSON.parse(body) as T });
        });
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/** Runs `total` calls of `task`, at most `concurrency` at a time, results in call order. */
export async function inBatches<T>(
  total: number,
  concurrency: number,
  task: (index: number) => Promise<T>,
): Promise<T[]> {
  const results: T[] = new Array(total);
  let next = 0;
  const worker = async () => {
    while (next < total) {
      const index = next++;
      results[index] = await task(index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, total) }, worker));
  return results;
}

/** The admin API, as a client with the token. */
export function admin(base: string, token: string = ADMIN_TOKEN) {
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  return {
    add: (spec: FaultSpecInput | Record<string, unknown>) =>
      get(`${base}/admin/faults`, { method: 'POST', headers, body: JSON.stringify(spec) }),
    addRaw: (body: string) => get(`${base}/admin/faults`, { method: 'POST', headers, body }),
    list: () => get(`${base}/admin/faults`, { headers }),
    remove: (id: string) => get(`${base}/admin/faults/${id}`, { method: 'DELETE', headers }),
    clear: () => get(`${base}/admin/faults`, { method: 'DELETE', headers }),
  };
}

/** The value of one series in Prometheus text, or undefined; `labels` must match exactly as printed. */
export function metricValue(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const labelText = line.slice(name.length).split(' ')[0];
    if (Object.entries(labels).every(([key, value]) => labelText.includes(`${key}="${value}"`))) {
      return Number(line.slice(line.lastIndexOf(' ') + 1));
    }
  }
  return undefined;
}

export async function scrape(base: string): Promise<string> {
  return (await get(`${base}/metrics`)).body;
}

/** The q-quantile of a list of numbers, interpolated between ranks. */
export function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (sorted.length - 1) * q;
  const below = Math.floor(rank);
  return sorted[below] + (sorted[Math.min(below + 1, sorted.length - 1)] - sorted[below]) * (rank - below);
}

export const median = (values: number[]) => quantile(values, 0.5);

/** Wilson score interval for a share of successes, at the given z (2.576 for 99%). */
export function wilsonInterval(successes: number, trials: number, z = 2.576): [number, number] {
  const p = successes / trials;
  const denominator = 1 + (z * z) / trials;
  const centre = (p + (z * z) / (2 * trials)) / denominator;
  const halfWidth = (z * Math.sqrt((p * (1 - p)) / trials + (z * z) / (4 * trials * trials))) / denominator;
  return [centre - halfWidth, centre + halfWidth];
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
