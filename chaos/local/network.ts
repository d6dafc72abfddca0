// Loopback-only networking helpers: Roque sends load to this machine and nowhere else.
import { createServer } from 'node:net';

/** A free TCP port on 127.0.0.1, chosen by the kernel. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

const LOOPBACK_HOSTS = /^(localhost|127(\.\d{1,3}){3}|\[::1\]|::1)$/i;

/** Throws unless `url` points at this machine: load and faults never leave loopback. */
export function assertLoopback(url: string, what = 'target'): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`${what} "${url}" is not a URL (expected e.g. http://127.0.0.1:8080)`);
  }
  if (!LOOPBACK_HOSTS.test(parsed.hostname)) {
    throw new Error(
      `${what} "${url}" is not a loopback address: Roque only sends load to 127.0.0.0/8, localhost or [::1]`,
    );
  }
  return parsed;
}

/** Polls `url` until it answers `status` (default 200) or the deadline passes. */
export async function waitForHttp(
  url: string,
  {
    timeoutMs = 15_000,
    status = 200,
    intervalMs = 100,
    signal,
  }: { timeoutMs?: number; status?: number; intervalMs?: number; signal?: AbortSignal } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (signal?.aborted) throw new Error(`${url}: no longer waited for`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      await res.arrayBuffer();
      if (res.status === status) return;
      last = `HTTP ${res.status}`;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`${url} did not answer ${status} within ${timeoutMs} ms (last: ${last})`);
}
