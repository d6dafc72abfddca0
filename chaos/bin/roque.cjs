#!/usr/bin/env node
// `npx roque …`: runs the built CLI on Node 24, building dist/ first when it is missing.
'use strict';
const { spawnSync } = require('node:child_process');
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..', '..');
const node24 = join(root, 'node_modules', '.bin', 'node');
const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  if (!existsSync(node24)) {
    console.error(`roque: Node ${process.versions.node} is too old (24+ needed). Run \`npm run setup\` first.`);
    process.exit(2);
  }
  const res = spawnSync(node24, [__filename, ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(res.status ?? 1);
}
const entry = join(root, 'dist', 'chaos', 'cli', 'main.js');
if (!existsSync(entry)) {
  const res = spawnSync(process.execPath, [join(root, 'webpack-free-build.mjs'), '--only', 'node'], { stdio: 'inherit' });
  if (res.status !== 0) process.exit(2);
}
process.setSourceMapsEnabled(true);
require(entry);
