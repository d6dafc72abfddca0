#!/usr/bin/env node
// `npx roque …`: runs the built CLI on Node 24, building dist/ first when it is missing.
// On an older Node it hands over to Node 24 and stays as its launcher: it forwards SIGINT,
// SIGTERM and SIGHUP, and exits with the child's code. If the launcher dies (SIGKILL
// included), the child sees its parent change and ends as on SIGHUP.
'use strict';
const { spawn, spawnSync } = require('node:child_process');
const { existsSync } = require('node:fs');
const { constants } = require('node:os');
const { join } = require('node:path');

const root = join(__dirname, '..', '..');
const node24 = join(root, 'node_modules', '.bin', 'node');
const major = Number(process.versions.node.split('.')[0]);
/** How often the Node 24 child checks that its launcher is still its parent. */
const PARENT_POLL_MS = 250;

if (major < 24) {
  if (!existsSync(node24)) {
    console.error(`roque: Node ${process.versions.node} is too old (24+ needed). Run \`npm run setup\` first.`);
    process.exit(2);
  }
  const child = spawn(node24, [__filename, ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, ROQUE_LAUNCHER_PID: String(process.pid) },
  });
  // A terminal's Ctrl-C reaches both; the child handles a repeated signal like one.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  child.on('error', (error) => {
    console.error(`roque: could not start ${node24}: ${error.message}`);
    process.exit(2);
  });
  child.on('exit', (code, signal) => process.exit(code ?? 128 + (constants.signals[signal] ?? 0)));
  return;
}

const launcher = Number(process.env.ROQUE_LAUNCHER_PID);
delete process.env.ROQUE_LAUNCHER_PID;
if (launcher && process.ppid === launcher) {
  const watch = setInterval(() => {
    if (process.ppid === launcher) return;
    clearInterval(watch);
    process.kill(process.pid, 'SIGHUP');
  }, PARENT_POLL_MS);
  watch.unref();
}

const entry = join(root, 'dist', 'chaos', 'cli', 'main.js');
if (!existsSync(entry)) {
  const res = spawnSync(process.execPath, [join(root, 'webpack-free-build.mjs'), '--only', 'node'], {
    stdio: 'inherit',
  });
  if (res.status !== 0) process.exit(2);
}
process.setSourceMapsEnabled(true);
require(entry);
