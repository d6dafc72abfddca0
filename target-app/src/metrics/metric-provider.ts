import type { Provider } from '@nestjs/common';
import { getToken } from '@willsoto/nestjs-prometheus';
import { Registry } from 'prom-client';

/**
 * A provider for one metric on the app's own Registry, injectable with
 * `@InjectMetric(name)` as with @willsoto/nestjs-prometheus's own providers (those
 * register on prom-client's global registry, which breaks when tests build the app twice).
 */
export function metricProvider<T>(name: string, create: (registry: Registry) => T): Provider {
  return { provide: getToken(name), inject: [Registry], useFactory: create };
}
