import type { IncomingMessage } from 'node:http';

/** Marks a raw request a fault answered, so the request log can leave it out. */
const INJECTED = Symbol('roque.injected');

type MarkableRequest = IncomingMessage & { [INJECTED]?: true };

export function markInjected(request: IncomingMessage): void {
  (request as MarkableRequest)[INJECTED] = true;
}

export function isInjected(request: IncomingMessage): boolean {
  return (request as MarkableRequest)[INJECTED] === true;
}
