#!/usr/bin/env node
// The one build script.
//   node:  SWC compiles target-app/ and chaos/ file by file into dist/, keeping decorator
//          metadata (NestJS needs it; esbuild does not emit it). Specs are not built.
//   k6:    esbuild bundles each scenario (scenarios/*.ts) with the code it imports into
//          dist/scenarios/<name>.js; k6's own modules stay external.
// Usage: node webpack-free-build.mjs [--only node|scenarios]
import { transformFile } from '@swc/core';
import { build } from 'esbuild';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = dirname(fileURLToPath(import.meta.url));
const DIST = join(ROOT, 'dist');
const NODE_SOURCES = ['target-app/src', 'chaos', 'bench'];
const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : null;

async function* tsFiles(dir) {
  for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules' && entry.name !== 'experiments') yield* tsFiles(path);
    } else if (entry.name.endsWith('.ts') && !/\.(e2e-)?spec\.ts$|\.d\.ts$/.test(entry.name)) {
      yield path;
    }
  }
}

export async function buildNode() {
  const swcrc = JSON.parse(await readFile(join(ROOT, '.swcrc'), 'utf8'));
  delete swcrc.$schema;
  let count = 0;
  for (const source of NODE_SOURCES) {
    for await (const file of tsFiles(join(ROOT, source))) {
      const out = join(DIST, relative(ROOT, file)).replace(/\.ts$/, '.js');
      const { code, map } = await transformFile(file, {
        ...swcrc,
        swcrc: false,
        sourceFileName: relative(dirname(out), file),
      });
      await mkdir(dirname(out), { recursive: true });
      await writeFile(out, `${code}\n//# sourceMappingURL=${out.split('/').pop()}.map\n`);
      await writeFile(`${out}.map`, map);
      count++;
    }
  }
  return count;
}

export async function buildScenarios() {
  const dir = join(ROOT, 'scenarios');
  const entries = (await readdir(dir).catch(() => []))
    .filter((f) => f.endsWith('.ts') && !/\.(e2e-)?spec\.ts$|\.d\.ts$/.test(f))
    .map((f) => join(dir, f));
  if (entries.length === 0) return 0;
  await build({
    entryPoints: entries,
    outdir: join(DIST, 'scenarios'),
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    mainFields: ['module', 'main'],
    external: ['k6', 'k6/*'],
    sourcemap: 'inline',
    logLevel: 'warning',
  });
  return entries.length;
}

const started = performance.now();
const parts = [];
if (!only || only === 'node') parts.push(`${await buildNode()} node files`);
if (!only || only === 'scenarios') {
  const t = performance.now();
  const n = await buildScenarios();
  parts.push(`${n} scenarios (${Math.round(performance.now() - t)} ms)`);
}
console.log(`build: ${parts.join(', ')} in ${Math.round(performance.now() - started)} ms`);
