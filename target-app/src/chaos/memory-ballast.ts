import { Worker } from 'node:worker_threads';

/**
 * Runs in a worker thread: allocates the memory and fills it so every page is resident
 * (fresh zeroed pages would stay virtual), then waits. Holding it in a worker keeps the
 * allocation off the event loop, and terminating the worker frees it at once; Buffers
 * dropped on the main thread would wait for a GC that idle V8 may not run for minutes.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const CHUNK_MB = 16;
const held = [];
for (let left = workerData.megabytes; left > 0; left -= CHUNK_MB) {
  held.push(Buffer.allocUnsafeSlow(Math.min(CHUNK_MB, left) * 1048576).fill(0xa5));
}
parentPort.postMessage(held.length);
setInterval(() => {}, 1 << 30);
`;

/** Memory held for `memory` faults, one worker per fault. */
export class MemoryBallast {
  private readonly holders = new Map<string, { worker: Worker; megabytes: number }>();

  /** Megabytes held now, over every fault. */
  get heldMegabytes(): number {
    let total = 0;
    for (const holder of this.holders.values()) total += holder.megabytes;
    return total;
  }

  /** Starts holding `megabytes` for a fault; resolves once the memory is resident. */
  hold(id: string, megabytes: number): Promise<void> {
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { megabytes } });
    worker.unref();
    this.holders.set(id, { worker, megabytes });
    return new Promise((resolve, reject) => {
      worker.once('message', () => resolve());
      worker.once('error', reject);
      worker.once('exit', () => resolve());
    });
  }

  /** Frees a fault's memory; resolves when its worker has ended. */
  async release(id: string): Promise<void> {
    const holder = this.holders.get(id);
    if (!holder) return;
    this.holders.delete(id);
    await holder.worker.terminate();
  }

  async releaseAll(): Promise<void> {
    await Promise.all([...this.holders.keys()].map((id) => this.release(id)));
  }
}
