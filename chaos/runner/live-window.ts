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
  private readonly buffer = Buffer.alloc(1 << 20);
  private readonly followed: { file: string; reader: K6CsvReader; offset: number }[];
  private recent: RequestSample[] = [];

  /** `files`: one per k6 runner (a split load writes one raw file each). */
  constructor(
    files: string[],
    private readonly keepMs = 60_000,
  ) {
    this.followed = files.map((file) => ({ file, reader: new K6CsvReader(), offset: 0 }));
  }

  /** Reads what k6 appended since the last call. */
  poll(now = Date.now()): void {
    const into = { requests: [] as RequestSample[], dropped: [] };
    for (const followed of this.followed) {
      if (!existsSync(followed.file)) continue;
      const fd = openSync(followed.file, 'r');
      try {
        for (
          let n = readSync(fd, this.buffer, 0, this.buffer.length, followed.offset);
          n > 0;
          n = readSync(fd, this.buffer, 0, this.buffer.length, followed.offset)
        ) {
          followed.offset += n;
          followed.reader.feed(this.buffer.toString('utf8', 0, n), into);
        }
      } finally {
        closeSync(fd);
      }
    }
    this.recent = this.recent.filter((r) => r.t >= now - this.keepMs).concat(into.requests);
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
