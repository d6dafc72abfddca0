// Follows k6's raw output while it is written and keeps the last seconds of requests:
// the figures of the live progress line and of the abort conditions.
import { closeSync, existsSync, openSync, readSync } from 'node:fs';
import { quantileSorted, sortedCopy } from '../stats';
import { K6CsvReader, type RequestSample } from './raw-results';

export interface WindowFigures {
  requests: number;
  rps: number;
  p95Ms: number | null;
  errorShare: number | null;
}

/** k6 flushes its CSV output every second; what ended in the last 2 s may not be written yet. */
const FLUSH_LAG_MS = 2_000;

export class LiveWindow {
  private readonly reader = new K6CsvReader();
  private readonly buffer = Buffer.alloc(1 << 20);
  private offset = 0;
  private recent: RequestSample[] = [];

  constructor(
    private readonly file: string,
    private readonly keepMs = 60_000,
  ) {}

  /** Reads what k6 appended since the last call. */
  poll(now = Date.now()): void {
    if (!existsSync(this.file)) return;
    const fd = openSync(this.file, 'r');
    try {
      const into = { requests: [] as RequestSample[], dropped: [] };
      for (let n = readSync(fd, this.buffer, 0, this.buffer.length, this.offset); n > 0; n = readSync(fd, this.buffer, 0, this.buffer.length, this.offset)) {
        this.offset += n;
        this.reader.feed(this.buffer.toString('utf8', 0, n), into);
      }
      this.recent = this.recent.filter((r) => r.t >= now - this.keepMs).concat(into.requests);
    } finally {
      closeSync(fd);
    }
  }

  /**
   * Figures over the requests that ended in a `windowMs` window. The window ends a little
   * before `now`: k6 writes its output about once a second, so the last second is incomplete.
   */
  figures(windowMs: number, now = Date.now()): WindowFigures {
    const end = now - FLUSH_LAG_MS;
    const inWindow = this.recent.filter((r) => r.t > end - windowMs && r.t <= end);
    const latencies = sortedCopy(inWindow.filter((r) => r.status !== 0).map((r) => r.durationMs));
    return {
      requests: inWindow.length,
      rps: inWindow.length / (windowMs / 1000),
      p95Ms: latencies.length ? quantileSorted(latencies, 0.95) : null,
      errorShare: inWindow.length ? inWindow.filter((r) => r.failed).length / inWindow.length : null,
    };
  }
}
