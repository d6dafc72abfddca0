// The admin API's token rule, framework-free: `Authorization: Bearer <CHAOS_ADMIN_TOKEN>`,
// compared in constant time, and 429 for a client that failed too often this minute.
import { createHash, timingSafeEqual } from 'node:crypto';

const WINDOW_MS = 60_000;
/** Clients remembered at most; past it the oldest window is forgotten, so a flood of addresses cannot grow memory. */
const MAX_CLIENTS = 10_000;

/**
 * Counts failed admin token attempts per client IP in fixed one-minute windows. Past the
 * limit a client is told to wait; a right token is never limited.
 */
export class FailedAuthCounter {
  private readonly windows = new Map<string, { startedAt: number; failures: number }>();

  constructor(private readonly limit: number) {}

  /** Records one failure; returns the seconds the client must wait, or 0 while it is within the limit. */
  fail(client: string, now = Date.now()): number {
    let window = this.windows.get(client);
    if (!window || now - window.startedAt >= WINDOW_MS) {
      this.windows.delete(client);
      if (this.windows.size >= MAX_CLIENTS) this.windows.delete(this.windows.keys().next().value!);
      window = { startedAt: now, failures: 0 };
      this.windows.set(client, window);
    }
    window.failures += 1;
    if (window.failures <= this.limit) return 0;
    return Math.max(1, Math.ceil((window.startedAt + WINDOW_MS - now) / 1000));
  }
}

/** SHA-256 digests have one length, so comparing them in constant time leaks neither content nor length. */
function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

export type AdminAuthRefusal = { status: 401 | 429; headers: Record<string, string>; message: string };

export class AdminAuth {
  private readonly expected: Buffer;

  constructor(
    token: string,
    private readonly failures: Pick<FailedAuthCounter, 'fail'>,
  ) {
    this.expected = digest(token);
  }

  /** undefined when the header carries the token; else the refusal to answer with. */
  refusal(authorization: string | undefined, client: string): AdminAuthRefusal | undefined {
    const presented = /^Bearer (.+)$/i.exec(authorization ?? '')?.[1] ?? '';
    if (presented && timingSafeEqual(digest(presented), this.expected)) return undefined;
    const retryAfterSeconds = this.failures.fail(client);
    if (retryAfterSeconds > 0) {
      return {
        status: 429,
        headers: { 'Retry-After': String(retryAfterSeconds) },
        message: `too many failed admin token attempts; retry after ${retryAfterSeconds} s`,
      };
    }
    return {
      status: 401,
      headers: { 'WWW-Authenticate': 'Bearer realm="roque-admin"' },
      message: 'a valid "Authorization: Bearer <CHAOS_ADMIN_TOKEN>" header is required',
    };
  }
}
