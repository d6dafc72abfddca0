import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';

const WINDOW_MS = 60_000;
/** Clients remembered at most; past it the oldest window is forgotten, so a flood of addresses cannot grow memory. */
const MAX_CLIENTS = 10_000;

/**
 * Counts failed admin token attempts per client IP in fixed one-minute windows. Past the
 * limit a client is told to wait; a right token is never limited.
 */
@Injectable()
export class FailedAuthLimiter {
  private readonly windows = new Map<string, { startedAt: number; failures: number }>();
  private readonly limit: number;

  constructor(config: AppConfig) {
    this.limit = config.adminAuthFailuresPerMinute;
  }

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
