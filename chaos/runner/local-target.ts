// The app (one or more replicas, sharing faults through Redis) and Prometheus started on
// loopback: the target of a `roque run` without one, and the stack a `roque matrix` shares
// between its runs. Whatever was started is stopped again if the start fails.
import { randomBytes } from 'node:crypto';
import { startApp, type AppProcess } from '../local/app-process';
import { freePort } from '../local/network';
import { startRedis, type RedisProcess } from '../local/redis-process';
import { startStack, type Stack } from '../stack';
import type { RuleSelection } from '../stack/prometheus-config';
import { PrometheusClient } from './prometheus';
import { Teardown } from './teardown';

export interface LocalTargetOptions {
  replicas: number;
  /** The rule files the local Prometheus loads (default: Roque's). */
  rules?: RuleSelection;
  /** Prefix of the stack's temporary data folder. */
  dataDirPrefix: string;
}

export interface LocalTarget {
  apps: AppProcess[];
  redis: RedisProcess | null;
  stack: Stack;
  prometheus: PrometheusClient;
  adminToken: string;
  dataDir: string;
  /** Calls `onLost` if a process started here dies before stop(). */
  watch(onLost: (reason: string) => void): void;
  stop(): Promise<void>;
}

export async function startLocalTarget(options: LocalTargetOptions): Promise<LocalTarget> {
  const { replicas } = options;
  const teardown = new Teardown();
  const dataDir = teardown.tempDir(options.dataDirPrefix);
  try {
    // Replicas share their faults through Redis (the engine's sync), as pods of one Deployment do.
    const redis = replicas > 1 ? await startRedis() : null;
    if (redis) {
      teardown.add(() => redis.stop());
      teardown.lostIf(redis.child, `Redis (PID ${redis.child.pid})`, '; the replicas no longer share their faults');
    }
    const adminToken = randomBytes(16).toString('hex');
    const syncEnv: Record<string, string> = redis
      ? { CHAOS_SYNC_REDIS_URL: redis.url, CHAOS_SYNC_NAMESPACE: `roque-${redis.port}` }
      : {};
    const apps = await Promise.all(
      Array.from({ length: replicas }, async () => {
        const app = await startApp({ adminToken, env: { SHUTDOWN_READINESS_DELAY_MS: '0', ...syncEnv } });
        // Stopped even when another replica fails to start.
        teardown.add(() => app.stop());
        teardown.lostIf(app.child, `the app (PID ${app.child.pid})`, '; the faults it held ended with it');
        return app;
      }),
    );
    const stack = await startStack({
      dataDir,
      prometheusPort: await freePort(),
      alertmanagerPort: null,
      appTargets: apps.map((app) => `127.0.0.1:${app.port}`),
      rules: options.rules,
    });
    teardown.add(() => stack.stop());
    const prometheus = new PrometheusClient(stack.prometheusUrl);
    // Every replica scraped once, so the first baseline is measured server-side too.
    await prometheus.waitForUp('target-app', replicas);
    return { apps, redis, stack, prometheus, adminToken, dataDir, watch: teardown.watch, stop: teardown.stop };
  } catch (error) {
    await teardown.stop();
    throw error;
  }
}
