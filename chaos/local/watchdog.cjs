#!/usr/bin/env node
// The watchdog of one `roque` process (see watchdog.ts): started detached, in its own
// session, it reads orders from its stdin, one JSON object a line. Its stdin closes when
// that process ends, however it ends (SIGKILL included). It then clears the faults it was
// told are still active, stops every process group still registered (SIGTERM, SIGKILL 4 s
// later), writes what it did to the run's journal, and exits. After a clean end there is
// nothing left registered and it exits at once.
'use strict';
const { appendFileSync } = require('node:fs');
const { createInterface } = require('node:readline');

const GRACE_MS = 4_000;
const groups = new Set();
/** Admin API base URL → token, for targets that may hold faults. */
const faultTargets = new Map();
let journal = null;

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => {});

createInterface({ input: process.stdin })
  .on('line', (line) => {
    let order;
    try {
      order = JSON.parse(line);
    } catch {
      return;
    }
    if (order.guard) groups.add(order.guard);
    if (order.release) groups.delete(order.release);
    if (order.faults) faultTargets.set(order.faults.url, order.faults.token);
    if (order.faultsCleared) faultTargets.delete(order.faultsCleared);
    if (order.journal) journal = order.journal;
  })
  .on('close', () => void reap());

function alive(group) {
  try {
    process.kill(-group, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

function signalGroup(group, signal) {
  try {
    process.kill(-group, signal);
  } catch {
    // gone meanwhile
  }
}

/** DELETE /admin/faults on every registered target; returns what happened per target. */
async function clearFaults() {
  const outcomes = {};
  await Promise.all(
    [...faultTargets].map(async ([url, token]) => {
      try {
        const res = await fetch(`${url}/admin/faults`, {
          method: 'DELETE',
          headers: { authorization: `Bearer ${token}` },
          signal: AbortSignal.timeout(2_000),
        });
        outcomes[url] = res.status;
        if (res.status === 204) faultTargets.delete(url);
      } catch (error) {
        outcomes[url] = error.cause?.code ?? error.message;
      }
    }),
  );
  return outcomes;
}

function record(event, data) {
  if (!journal) return;
  try {
    appendFileSync(journal, `${JSON.stringify({ t: new Date().toISOString(), event, ...data })}\n`);
  } catch {
    // the run's folder is gone: nothing to tell
  }
}

async function reap() {
  const startedAt = Date.now();
  const left = [...groups].filter(alive);
  if (!left.length && !faultTargets.size) process.exit(0);
  // Faults first, while the app still answers; again after the groups are gone, for a
  // target this run did not start (k6 may have added one while dying).
  const cleared = await clearFaults();
  for (const group of left) signalGroup(group, 'SIGTERM');
  const deadline = Date.now() + GRACE_MS;
  while (left.some(alive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  const killed = left.filter(alive);
  for (const group of killed) signalGroup(group, 'SIGKILL');
  const clearedAfter = faultTargets.size ? await clearFaults() : {};
  record('watchdog.reaped', {
    groups: left,
    killed,
    faultsCleared: cleared,
    faultsClearedAfter: clearedAfter,
    ms: Date.now() - startedAt,
  });
  process.exit(0);
}
