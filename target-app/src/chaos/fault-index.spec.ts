import { FaultSpec, type FaultSpecInput } from '../../../chaos/contract/faults';
import { coversRoute } from '../../../chaos/contract/routes';
import { RequestFaultIndex } from './fault-index';
import type { RequestFault } from './fault-rules';

let nextId = 0;
function requestFault(input: FaultSpecInput): RequestFault {
  return { ...FaultSpec.parse(input), id: `f${++nextId}`, createdAt: '', expiresAt: '' } as RequestFault;
}

/** A fault that counts every read of its fields, to prove the index never looks at it. */
function watched(fault: RequestFault): { fault: RequestFault; reads: () => number } {
  let reads = 0;
  let counting = false;
  const proxy = new Proxy(fault, {
    get(target, key, receiver) {
      if (counting) reads += 1;
      return Reflect.get(target, key, receiver) as unknown;
    },
  });
  return {
    fault: proxy,
    reads: () => {
      const seen = reads;
      counting = true;
      reads = 0;
      return seen;
    },
  };
}

describe('RequestFaultIndex', () => {
  it('never consults a fault on /fail for /, however many there are', () => {
    const onFail = Array.from({ length: 100 }, () =>
      watched(requestFault({ type: 'latency', delayMs: 10, routes: ['/fail'] })),
    );
    const onRoot = requestFault({ type: 'error', routes: ['/'] });
    const index = new RequestFaultIndex([...onFail.map((w) => w.fault), onRoot]);
    for (const w of onFail) w.reads(); // start counting after the index was built
    for (let i = 0; i < 1_000; i++)
      expect(index.forRoute('/')).toEqual({ aborts: [], errors: [onRoot], latencies: [] });
    expect(onFail.reduce((sum, w) => sum + w.reads(), 0)).toBe(0);
    expect(index.forRoute('/fail').latencies).toHaveLength(100);
  });

  it('splits by type, keeps creation order, and lists a fault once even when two patterns match', () => {
    const a = requestFault({ type: 'latency', delayMs: 1, routes: ['/', '/*'] });
    const b = requestFault({ type: 'abort', routes: ['/*'] });
    const c = requestFault({ type: 'latency', delayMs: 2 });
    const d = requestFault({ type: 'error', routes: ['/f*'] });
    const index = new RequestFaultIndex([a, b, c, d]);
    expect(index.forRoute('/')).toEqual({ aborts: [b], errors: [], latencies: [a, c] });
    expect(index.forRoute('/fail')).toEqual({ aborts: [b], errors: [d], latencies: [a, c] });
  });

  it('answers what coversRoute answers, for every template and pattern', () => {
    const faults = [
      requestFault({ type: 'abort' }),
      requestFault({ type: 'abort', routes: ['/fail'] }),
      requestFault({ type: 'abort', routes: ['/*'] }),
      requestFault({ type: 'abort', routes: ['/f*', '/metrics'] }),
      requestFault({ type: 'abort', routes: ['/admin*'] }),
      requestFault({ type: 'abort', routes: ['/other/:id'] }),
    ];
    const index = new RequestFaultIndex(faults);
    for (const template of ['/', '/fail', '/metrics', '/health/ready', '/admin/faults', '/other/:id', '/unknown']) {
      expect(index.forRoute(template).aborts).toEqual(faults.filter((fault) => coversRoute(fault, template)));
    }
  });
});
