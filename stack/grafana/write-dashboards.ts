// Writes stack/grafana/dashboards/*.json from dashboards.ts:
//   node webpack-free-build.mjs --only node && node dist/stack/grafana/write-dashboards.js
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../chaos/tools';
import { DASHBOARDS } from './dashboards';

export const DASHBOARDS_DIR = join(REPO_ROOT, 'stack', 'grafana', 'dashboards');

export const dashboardText = (dashboard: unknown) => `${JSON.stringify(dashboard, null, 2)}\n`;

if (require.main === module) {
  mkdirSync(DASHBOARDS_DIR, { recursive: true });
  for (const [file, dashboard] of Object.entries(DASHBOARDS)) {
    writeFileSync(join(DASHBOARDS_DIR, file), dashboardText(dashboard));
    console.log(`wrote ${join('stack/grafana/dashboards', file)}`);
  }
}
