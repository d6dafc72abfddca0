// k6's raw per-request output (`--out csv=…`, timestamps in ms via K6_CSV_TIME_FORMAT) read
// into one record per request: the input of every client-side statistic. The reader takes
// the file in chunks, so the runner can follow it while k6 writes (live progress, aborts).
import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { finished } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { K6_TAGS } from '../contract/metrics';

/** Environment that makes k6's CSV output carry millisecond timestamps. */
export const K6_CSV_ENV = { K6_CSV_TIME_FORMAT: 'unix_milli' } as const;

export interface RequestSample {
  /** When k6 recorded the request (its end), ms since the epoch. */
  t: number;
  phase: string;
  durationMs: number;
  /** 0 when no response came (reset, timeout). */
  status: number;
  /** k6's expected_response=false: an error status or no response. */
  failed: boolean;
  /** The runner that sent it (instance_id), when the load was split. */
  instance?: string;
}

export interface DroppedSample {
  t: number;
  phase: string;
  count: number;
  instance?: string;
}

/** Incremental parser of k6's CSV: feed it text as it arrives, get whole records back. */
export class K6CsvReader {
  private columns: Map<string, number> | null = null;
  private rest = '';

  /** Parses every complete line in `text` (plus what was left over from before). */
  feed(text: string, into: { requests: RequestSample[]; dropped: DroppedSample[] }): void {
    const lines = (this.rest + text).split('\n');
    this.rest = lines.pop() ?? '';
    for (const line of lines) this.line(line, into);
  }

  private line(line: string, into: { requests: RequestSample[]; dropped: DroppedSample[] }): void {
    if (!line) return;
    const fields = splitCsvLine(line);
    if (!this.columns) {
      this.columns = new Map(fields.map((name, i) => [name, i]));
      return;
    }
    const field = (name: string) => fields[this.columns!.get(name) ?? -1] ?? '';
    const metric = fields[0];
    if (metric !== 'http_req_duration' && metric !== 'dropped_iterations') return;
    const phase = tagOf(field('extra_tags'), K6_TAGS.phase);
    if (!phase || phase === 'control') return;
    const t = Number(field('timestamp'));
    const value = Number(field('metric_value'));
    const instance = tagOf(field('extra_tags'), K6_TAGS.instance);
    const runner = instance === undefined ? {} : { instance };
    if (metric === 'dropped_iterations') {
      into.dropped.push({ t, phase, count: value, ...runner });
      return;
    }
    const status = Number(field('status')) || 0;
    into.requests.push({
      t,
      phase,
      durationMs: value,
      status,
      failed: field('expected_response') === 'false' || status === 0,
      ...runner,
    });
  }
}

/** Every request and dropped iteration of a finished run's raw file (.csv or .csv.gz). */
export async function readRawResults(file: string): Promise<{ requests: RequestSample[]; dropped: DroppedSample[] }> {
  const into = { requests: [] as RequestSample[], dropped: [] as DroppedSample[] };
  const reader = new K6CsvReader();
  const stream = file.endsWith('.gz') ? createReadStream(file).pipe(createGunzip()) : createReadStream(file);
  stream.setEncoding('utf8');
  for await (const chunk of stream) reader.feed(chunk as string, into);
  reader.feed('\n', into);
  return into;
}

/**
 * The raw files of a split load's runners as one: the lines of each after one shared header
 * (every runner runs the same script, so k6 writes the same columns). Each sample keeps its
 * runner's instance_id tag.
 */
export async function mergeRawFiles(files: string[], into: string): Promise<void> {
  const out = createWriteStream(into);
  let header: string | null = null;
  try {
    for (const file of files) {
      let first = true;
      for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
        if (first) {
          first = false;
          if (header === null) out.write(`${(header = line)}\n`);
          else if (line !== header) throw new Error(`${file} has other columns than ${files[0]}: ${line} vs ${header}`);
          continue;
        }
        if (line && !out.write(`${line}\n`)) await once(out, 'drain');
      }
    }
  } finally {
    out.end();
    await finished(out);
  }
}

/** `phase=bad&testid=x` → value of `name` (k6 URL-encodes tag values). */
function tagOf(extraTags: string, name: string): string | undefined {
  for (const pair of extraTags.split('&')) {
    const eq = pair.indexOf('=');
    if (pair.slice(0, eq) === name) return decodeURIComponent(pair.slice(eq + 1));
  }
  return undefined;
}

/** One CSV line as Go's encoding/csv writes it: fields quoted when they hold , or ", with "" inside. */
export function splitCsvLine(line: string): string[] {
  const fields: string[] = [];
  let i = 0;
  while (i <= line.length) {
    if (line[i] === '"') {
      let value = '';
      i++;
      while (i < line.length) {
        if (line[i] === '"' && line[i + 1] === '"') {
          value += '"';
          i += 2;
        } else if (line[i] === '"') {
          i++;
          break;
        } else value += line[i++];
      }
      fields.push(value);
      i++; // the comma
    } else {
      const end = line.indexOf(',', i);
      const stop = end === -1 ? line.length : end;
      fields.push(line.slice(i, stop));
      i = stop + 1;
    }
  }
  return fields;
}
