// `roque run --upstream URL` (or an experiment with `upstream.seed`): the user's service behind
// the fault proxy. k6 loads the proxy, the admin client sets faults on the proxy, and the local
// Prometheus scrapes the proxy as job `target-app` (so Roque's own rules read it as the
// ingress view) and the service's own /metrics as job `upstream`, with the user's rule files.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { startStack } from '../stack';
import type { Upstream } from '../experiment/schema';
import { startFlaskSeed } from '../local/flask-seed';
import { assertLoopback, freePort } from '../local/network';
import { startFaultProxy } from '../proxy/fault-proxy';
import type { Journal } from './journal';
import type { Progress } from './progress';
import type { Target } from './stage-target';
import { PrometheusClient } from './prometheus';
import { Teardown } from './teardown';

/** The proxy is the target's app (its one replica); `upstream` is the service behind it. */
export type UpstreamTarget = Target & { upstream: string };

/** The rule files an experiment names, relative to its file; each must exist. */
export function upstreamRuleFiles(upstream: Upstream | undefined, experimentFile: string): string[] {
  return (upstream?.rules ?? []).map((file) => {
    const path = resolve(dirname(experimentFile), file);
    if (!existsSync(path)) throw new Error(`upstream.rules: ${file} does not exist (looked at ${path})`);
    return path;
  });
}

/** Starts (the seed if asked, then) the proxy and the local Prometheus; everything started is stopped on failure. */
export async function prepareUpstreamTarget(
  upstream: Upstream | undefined,
  options: { upstreamUrl?: string; experimentFile: string },
  journal: Journal,
  progress: Progress,
): Promise<UpstreamTarget> {
  const ruleFiles = upstreamRuleFiles(upstream, options.experimentFile);
  if (!options.upstreamUrl && !upstream?.seed)
    throw new Error(
      'upstream: give --upstream URL (a running service on loopback), or upstream.seed in the experiment',
    );
  if (options.upstreamUrl) assertLoopback(options.upstreamUrl, 'upstream');
  const teardown = new Teardown();
  const dataDir = teardown.tempDir('roque-stack-');
  try {
    let upstreamUrl = options.upstreamUrl;
    if (!upstreamUrl) {
      progress.message("roque: starting the seed's Flask app on loopback…");
      const seed = await startFlaskSeed(await freePort(), { log: (line) => progress.message(line) });
      teardown.add(() => seed.stop());
      teardown.lostIf(seed.child, `the upstream (Flask seed, PID ${seed.child.pid})`);
      upstreamUrl = seed.url;
    }
    const adminToken = randomBytes(24).toString('base64url');
    const proxy = await startFaultProxy({
      upstream: upstreamUrl,
      routes: upstream?.routes,
      env: { ...process.env, CHAOS_ADMIN_TOKEN: adminToken },
      logLevel: 'warn',
    });
    teardown.add(() => proxy.close());
    const hostOf = (url: string) => new URL(url).host;
    progress.message('roque: starting Prometheus on loopback…');
    const stack = await startStack({
      dataDir,
      prometheusPort: await freePort(),
      alertmanagerPort: null,
      // The blackbox probes ask for the dice app's /health/ready and /health/live; a user's
      // service has its own health paths, or none (the seed answers 404 there).
      blackboxPort: null,
      appTargets: [hostOf(proxy.url)],
      upstreamTargets: [hostOf(upstreamUrl)],
      rules: { roque: true, extra: ruleFiles },
    });
    teardown.add(() => stack.stop());
    const prometheus = new PrometheusClient(stack.prometheusUrl);
    await prometheus.waitForUp('target-app');
    await prometheus.waitForUp('upstream');
    journal.write('target.started', {
      app: proxy.url,
      upstream: upstreamUrl,
      prometheus: stack.prometheusUrl,
      dataDir,
      ruleFiles,
      pids: { prometheus: stack.pids.prometheus },
    });
    return {
      app: proxy.url,
      replicas: [proxy.url],
      prometheus,
      adminToken,
      startedLocally: true,
      upstream: upstreamUrl,
      watch: teardown.watch,
      stop: teardown.stop,
    };
  } catch (error) {
    await teardown.stop();
    throw error;
  }
}
