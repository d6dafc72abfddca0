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
  /** The trace id the next root span gets, drawn early by peekTraceId. */
  private peeked: string | undefined;

  constructor(private readonly fill: (buffer: Buffer) => Buffer = randomFillSync) {}

  generateTraceId(): string {
    const id = this.peeked ?? this.next(32, INVALID_TRACE_ID);
    this.peeked = undefined;
    return id;
  }

  /**
   * The trace id the next root span will get, so its sampling can be decided before the
   * span is made (the ratio sampler decides on the trace id).
   */
  peekTraceId(): string {
    return (this.peeked ??= this.next(32, INVALID_TRACE_ID));
  }

  /** Forgets the peeked id: its request makes no span, and the next one is asked about a new id. */
  dropPeekedTraceId(): void {
    this.peeked = undefined;
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
