// Stack traces point into target-app's TypeScript, not into node_modules' sources: Node's
// `--enable-source-maps` also loads the maps every dependency ships (about 19 MB of resident
// memory, a tenth of the app's) for frames that would name a package's compiled file anyway.
// Imported first by tracing.ts, the module `node --import` loads before anything else.
import * as nodeModule from 'node:module';

// Node 22.14 and 23.7 on; older ones keep their plain traces.
(
  nodeModule as { setSourceMapsSupport?: (enabled: boolean, options: { nodeModules: boolean }) => void }
).setSourceMapsSupport?.(true, { nodeModules: false });
