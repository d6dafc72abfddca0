// The run's journal (journal.ndjson): one JSON line per event, written synchronously as
// the run goes, so it tells what happened even when the run dies half-way.
import { appendFileSync } from 'node:fs';

export class Journal {
  constructor(readonly file: string) {}

  write(event: string, data: Record<string, unknown> = {}): void {
    appendFileSync(this.file, `${JSON.stringify({ t: new Date().toISOString(), event, ...data })}\n`);
  }
}
