// Paths of the external programs Roque drives, as `chaos/setup/setup.mjs` found them.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The repository root, whether this runs from source (tests) or from dist/. */
export const REPO_ROOT = findRoot(__dirname);

function findRoot(dir: string): string {
  for (let d = dir; d !== dirname(d); d = dirname(d)) {
    if (existsSync(join(d, 'package-lock.json'))) return d;
  }
  throw new Error(`roque: no repository root above ${dir}`);
}

export interface Tools {
  k6: string;
  prometheus: string;
  promtool: string;
  alertmanager: string | null;
  /** Debian's prometheus-blackbox-exporter: probes the health endpoints from outside. */
  blackboxExporter: string | null;
  chromium: string | null;
}

/** Every path setup wrote to .tools/tools.json (test-only tools too: redisServer, kustomize); {} before setup ran. */
export function foundTools(): Record<string, string | null | undefined> {
  const file = join(REPO_ROOT, '.tools', 'tools.json');
  return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
}

/** Reads .tools/tools.json; environment variables (ROQUE_K6, ROQUE_PROMETHEUS…) win. */
export function tools(): Tools {
  const found: Partial<Tools> = foundTools();
  const pick = (env: string, value: string | null | undefined, fallback: string) =>
    process.env[env] || value || fallback;
  return {
    k6: pick('ROQUE_K6', found.k6, 'k6'),
    prometheus: pick('ROQUE_PROMETHEUS', found.prometheus, 'prometheus'),
    promtool: pick('ROQUE_PROMTOOL', found.promtool, 'promtool'),
    alertmanager: process.env.ROQUE_ALERTMANAGER || found.alertmanager || null,
    blackboxExporter: process.env.ROQUE_BLACKBOX_EXPORTER || found.blackboxExporter || null,
    chromium: process.env.ROQUE_CHROMIUM || found.chromium || null,
  };
}
