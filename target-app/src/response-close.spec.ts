import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import { onResponseClose } from './response-close';

describe('onResponseClose', () => {
  it('runs every listener once, in the order added, on one close listener', () => {
    const response = new EventEmitter() as unknown as ServerResponse;
    const calls: string[] = [];
    onResponseClose(response, () => calls.push('span'));
    onResponseClose(response, () => calls.push('metrics'));
    onResponseClose(response, () => calls.push('log'));
    expect(response.listenerCount('close')).toBe(1);
    response.emit('close');
    expect(calls).toEqual(['span', 'metrics', 'log']);
  });

  it('keeps the listeners of different responses apart', () => {
    const first = new EventEmitter() as unknown as ServerResponse;
    const second = new EventEmitter() as unknown as ServerResponse;
    const calls: string[] = [];
    onResponseClose(first, () => calls.push('first'));
    onResponseClose(second, () => calls.push('second'));
    second.emit('close');
    expect(calls).toEqual(['second']);
  });
});
