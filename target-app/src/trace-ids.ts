import { randomFillSync } from 'node:crypto';

/** Random bytes drawn at once: 256 trace ids, or 512 span ids. */
const POOL_BYTES = 4096;
const INVALID_TRACE_ID = '0'.repeat(32);
const INVALID_SPAN_ID = '0'.repeat(16);

/**
 * Trace and span ids cut from a pool of random hex, for the SDK's tracer provider. Its own
 * generator writes Math.random into a buffer and hex-encodes it for each id, twice for every
 * request, sampled or not (the ratio sampler decides on the trace id): a third of what an
 * unsampled request cost in the profile. Here one draw of the system's CSPRNG and one hex
 * encoding serve hundreds of ids.
 */
export class PooledIdGenerator {
  private hex = '';
  private offset = 0;

  constructor(private readonly fill: (buffer: Buffer) => Buffer = randomFillSync) {}

  generateTraceId(): string {
    return this.next(32, INVALID_TRACE_ID);
  }

  generateSpanId(): string {
    return this.next(16, INVALID_SPAN_ID);
  }

  private next(chars: number, invalid: string): string {
    for (;;) {
      if (this.offset + chars > this.hex.length) {
        this.hex = this.fill(Buffer.allocUnsafe(POOL_BYTES)).toString('hex');
        this.offset = 0;
      }
      const id = this.hex.slice(this.offset, this.offset + chars);
      this.offset += chars;
      // All zeros is no id (W3C Trace Context); the next slice is as random.
      if (id !== invalid) return id;
    }
  }
}
