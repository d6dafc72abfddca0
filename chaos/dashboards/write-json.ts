// Writes stack/grafana/dashboards/*.json from definitions.ts:
//   node webpack-free-build.mjs --only node && node dist/chaos/dashboards/write-json.js
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../tools';
import { DASHBOARDS } from './definitions';

export const DASHBOARDS_DIR = join(REPO_ROOT, 'stack', 'grafana', 'dashboards');

export const dashboardText = (dashboard: unknown) => `${JSON.stringify(dashboard, null, 2)}\n`;

if (require.main === module) {
  mkdirSync(DASHBOARDS_DIR, { recursive: true });
  for (const [name, dashboard] of Object.entries(DASHBOARDS)) {
    writeFileSync(join(DASHBOARDS_DIR, `${name}.json`), dashboardText(dashboard));
    console.log(`wrote stack/grafana/dashboards/${name}.json`);
  }
}
