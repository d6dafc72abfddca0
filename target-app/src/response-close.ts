import type { ServerResponse } from 'node:http';

const LISTENERS = Symbol('roque.responseClose');
type Tracked = ServerResponse & { [LISTENERS]?: Array<() => void> };

/**
 * Calls `listener` once the response is done or its connection went away first (`close`
 * fires once either way), after those added before it. The span, metrics and log hooks each
 * want this for every request: they share one `close` listener instead of adding (and
 * `once` wrapping, and removing) one each.
 */
export function onResponseClose(response: ServerResponse, listener: () => void): void {
  const tracked = response as Tracked;
  const listeners = tracked[LISTENERS];
  if (listeners) {
    listeners.push(listener);
    return;
  }
  const list = [listener];
  tracked[LISTENERS] = list;
  response.on('close', () => {
    for (const run of list) run();
  });
}
