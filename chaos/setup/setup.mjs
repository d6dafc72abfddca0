#!/usr/bin/env node
// Sets Roque up on a fresh machine, then gets out of the way on every later call.
// It runs on whatever Node the machine has (Node 20 here), so it uses no dependencies:
//   1. npm install from the lockfile (left as committed), which also brings Node 24 (the npm registry's `node` package lands in
//      node_modules/.bin, and npm scripts put that first on PATH);
//   2. k6 v2.2.0, built with Go into .tools/bin unless that version is already on PATH;
//   3. Prometheus 3.16 and promtool, built with Go into .tools/bin (Debian's 2.42 where Go is
//      missing), and Alertmanager and the blackbox exporter from Debian's packages (when root),
//      else exact instructions;
//   4. with --tests: Debian's chromium, for the report's rendering test; Debian's redis-server, for
//      the fault propagation test; kustomize v5 built with Go into .tools/bin, for the manifests' test;
//   5. with --bench: Debian's wrk, the throughput benchmark's load generator, and oha 1.16.0 built with
//      cargo into .tools/bin, its open-model generator for the latency figure (k6 cannot hold that rate).
// What it found is written to .tools/tools.json, which the CLI and the tests read.
import { execFileSync, spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  statSync,
  writeFileSync,
  rmSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = dirname(dirname(dirname(fileURLToPath(import.meta.url))));
const TOOLS = join(ROOT, '.tools');
const K6_VERSION = 'v2.2.0';
const K6_MODULE = 'go.k6.io/k6/v2';
// v5.8.3 needs Go 1.27; v5.8.2 builds with Go 1.25+.
const KUSTOMIZE_VERSION = 'v5.8.2';
const KUSTOMIZE_MODULE = 'sigs.k8s.io/kustomize/kustomize/v5';
// The Go module's v0.3xx.y tags are the Prometheus 3.xx.y releases.
const PROMETHEUS_VERSION = 'v0.316.0';
const PROMETHEUS_RELEASE = '3.16.0';
const PROMETHEUS_MODULE = 'github.com/prometheus/prometheus';
const OHA_VERSION = '1.16.0';
const args = new Set(process.argv.slice(2));
const quiet = args.has('--quiet');
const forTests = args.has('--tests');
const forBench = args.has('--bench');

const say = (msg) => {
  if (!quiet) console.log(`setup: ${msg}`);
};
const fail = (msg) => {
  console.error(`setup: ${msg}`);
  process.exit(2);
};
const run = (cmd, argv, opts = {}) => {
  const res = spawnSync(cmd, argv, { stdio: quiet ? ['ignore', 'ignore', 'inherit'] : 'inherit', ...opts });
  return res.status === 0;
};
const which = (name) => {
  const res = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  return res.status === 0 ? res.stdout.trim() : null;
};
const versionOf = (bin, argv = ['version']) => {
  try {
    return execFileSync(bin, argv, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch {
    return '';
  }
};

function npmDependencies() {
  const lock = join(ROOT, 'package-lock.json');
  const installed = join(ROOT, 'node_modules', '.package-lock.json');
  const node24 = join(ROOT, 'node_modules', '.bin', 'node');
  if (existsSync(installed) && existsSync(node24) && statSync(installed).mtimeMs >= statSync(lock).mtimeMs) return;
  console.log('setup: installing npm dependencies, Node 24 among them…');
  // `npm install`, not `npm ci`: a registry mirror may lack other platforms' optional
  // binaries (@swc/core-darwin-*), which npm ci counts as a lockfile mismatch. npm install
  // resolves the lockfile's versions but would write those binaries back into it; --no-save
  // keeps the committed lockfile byte for byte (node_modules/.package-lock.json still records
  // what was installed, which the check above reads).
  const argv = ['install', '--no-save', '--no-audit', '--no-fund'];
  if (!run('npm', argv, { cwd: ROOT, stdio: 'inherit' })) fail('npm install failed; see the output above.');
}

function k6() {
  const local = join(TOOLS, 'bin', 'k6');
  if (existsSync(local) && versionOf(local).includes(K6_VERSION)) return local;
  const onPath = which('k6');
  if (onPath && versionOf(onPath).includes(K6_VERSION)) return onPath;
  if (!which('go')) {
    fail(
      `k6 ${K6_VERSION} is needed and Go is not installed to build it. Install k6 ${K6_VERSION} ` +
        '(https://grafana.com/docs/k6/latest/set-up/install-k6/: apt, brew, winget, or the grafana/k6 image) ' +
        'and put it on PATH, or install Go ≥ 1.25 and run `npm run setup` again.',
    );
  }
  return builtOrFail('k6', K6_VERSION, goBuild('k6', K6_MODULE, K6_VERSION));
}

/** kustomize v5 for the manifests' test: one on PATH, else built like k6 (cached in .tools/bin). */
function kustomize() {
  const local = join(TOOLS, 'bin', 'kustomize');
  if (existsSync(local) && versionOf(local).includes(KUSTOMIZE_VERSION)) return local;
  const onPath = which('kustomize');
  if (onPath && /v5\./.test(versionOf(onPath))) return onPath;
  if (!which('go')) {
    say(
      `kustomize is missing and Go is not installed to build it: the manifests' test will say so. Install kustomize ${KUSTOMIZE_VERSION} on PATH.`,
    );
    return null;
  }
  return builtOrFail('kustomize', KUSTOMIZE_VERSION, goBuild('kustomize', KUSTOMIZE_MODULE, KUSTOMIZE_VERSION));
}

/**
 * Prometheus 3.16 and promtool built with Go into .tools/bin, as local and compose then run
 * the same major version; null (Debian's 2.42 is used) where Go is missing. The module holds
 * no built web UI (its assets come from an npm build): the API and receivers are what Roque
 * needs. The version is stamped as Prometheus' own release build does.
 */
function prometheus() {
  const binaries = { prometheus: `${PROMETHEUS_MODULE}/cmd/prometheus`, promtool: `${PROMETHEUS_MODULE}/cmd/promtool` };
  const paths = Object.keys(binaries).map((name) => join(TOOLS, 'bin', name));
  const current = () =>
    paths.every((bin) => existsSync(bin) && versionOf(bin, ['--version']).includes(`version ${PROMETHEUS_RELEASE} `));
  if (current()) return paths;
  if (!which('go')) {
    console.log(
      `setup: Go is missing, so Prometheus ${PROMETHEUS_RELEASE} is not built: using Debian's Prometheus 2.42 (no OTLP receiver; install Go ≥ 1.26 for 3.16).`,
    );
    return null;
  }
  const stamp = ['Version', PROMETHEUS_RELEASE, 'Revision', PROMETHEUS_VERSION, 'Branch', 'HEAD'];
  const ldflags = [
    '-s',
    '-w',
    ...[0, 2, 4].map((i) => `-X github.com/prometheus/common/version.${stamp[i]}=${stamp[i + 1]}`),
  ];
  const ok = goBuild('prometheus', PROMETHEUS_MODULE, PROMETHEUS_VERSION, binaries, [`-ldflags=${ldflags.join(' ')}`]);
  if (!ok || !current()) fail(`building Prometheus ${PROMETHEUS_RELEASE} failed; see the Go output above.`);
  return paths;
}

/** oha, the bench's open-model generator: .tools/bin/oha, built from crates.io with cargo (about 10 min). */
function oha() {
  const local = join(TOOLS, 'bin', 'oha');
  if (existsSync(local) && versionOf(local, ['--version']).includes(OHA_VERSION)) return local;
  if (!which('cargo')) fail(`oha ${OHA_VERSION} is needed by the bench and cargo (Rust) is not installed to build it.`);
  const root = mkdtempSync(join(tmpdir(), 'roque-oha-'));
  say(`building oha ${OHA_VERSION} with cargo (about 10 minutes on 2 cores)…`);
  const ok = run('cargo', ['install', 'oha', '--locked', '--version', OHA_VERSION, '--root', root]);
  if (ok) copyFileSync(join(root, 'bin', 'oha'), local);
  rmSync(root, { recursive: true, force: true });
  if (!ok || !versionOf(local, ['--version']).includes(OHA_VERSION))
    fail(`building oha ${OHA_VERSION} failed; see the cargo output above.`);
  return local;
}

function builtOrFail(name, version, ok) {
  const local = join(TOOLS, 'bin', name);
  if (!ok || !versionOf(local).includes(version)) fail(`building ${name} ${version} failed; see the Go output above.`);
  return local;
}

/**
 * Builds Go module `module` at `version`: each of `binaries` (name → package) into
 * .tools/bin/<name>; true when every build succeeded. A throwaway module pins the version:
 * `go install mod@version` would also ask the proxy for the module's deprecation notice,
 * which fails where only the proxy is reachable.
 */
function goBuild(name, module, version, binaries = { [name]: module }, flags = []) {
  console.log(`setup: building ${name} ${version} with Go into .tools/bin (once; minutes on a cold Go cache)…`);
  const work = mkdtempSync(join(tmpdir(), `roque-${name}-`));
  const env = {
    ...process.env,
    GOFLAGS: '-mod=mod',
    GOPROXY: process.env.GOPROXY || 'https://proxy.golang.org,direct',
  };
  const ok =
    run('go', ['mod', 'init', `roque-${name}-build`], { cwd: work, env, stdio: 'ignore' }) &&
    run('go', ['get', `${module}@${version}`], { cwd: work, env }) &&
    Object.entries(binaries).every(([bin, pkg]) =>
      run('go', ['build', '-trimpath', ...flags, '-o', join(TOOLS, 'bin', bin), pkg], { cwd: work, env }),
    );
  rmSync(work, { recursive: true, force: true });
  return ok;
}

function debianPackages(binaries, packages, why) {
  if (binaries.every((b) => which(b))) return;
  const isRoot = process.getuid?.() === 0;
  if (!isRoot || !which('apt-get')) {
    fail(
      `${why} Install them with: sudo apt-get install ${packages.join(' ')} (or put ${binaries.join(', ')} on PATH).`,
    );
  }
  console.log(`setup: installing ${packages.join(', ')} from Debian's packages…`);
  // Debian's packages would start their own daemons on the default ports; the harness
  // starts its own on loopback, so keep the package scripts from starting services.
  const policy = '/usr/sbin/policy-rc.d';
  const ownPolicy = !existsSync(policy);
  if (ownPolicy) writeFileSync(policy, '#!/bin/sh\nexit 101\n', { mode: 0o755 });
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  let ok = run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...packages], { env });
  if (!ok)
    ok =
      run('apt-get', ['update', '-qq'], { env }) &&
      run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...packages], { env });
  if (ownPolicy) rmSync(policy, { force: true });
  if (!ok || !binaries.every((b) => which(b)))
    fail(`installing ${packages.join(' ')} failed; see the apt output above.`);
}

npmDependencies();
mkdirSync(join(TOOLS, 'bin'), { recursive: true });
const k6Bin = k6();
const builtPrometheus = prometheus();
if (!builtPrometheus)
  debianPackages(['prometheus', 'promtool'], ['prometheus'], 'Prometheus 2.42+ and promtool are needed.');
// Alertmanager's module does not build from the proxy (its UI's built assets are not in it).
debianPackages(
  ['prometheus-alertmanager'],
  ['prometheus-alertmanager'],
  'Alertmanager is needed for the alerting path.',
);
debianPackages(
  ['prometheus-blackbox-exporter'],
  ['prometheus-blackbox-exporter'],
  'The blackbox exporter probes /health/ready and /health/live for the health alerts.',
);
if (forTests) debianPackages(['chromium'], ['chromium'], 'Chromium renders the report in the tests.');
if (forTests)
  debianPackages(
    ['redis-server'],
    ['redis-server'],
    'redis-server carries faults between replicas in the propagation test.',
  );
if (forBench) debianPackages(['wrk'], ['wrk'], 'wrk drives the servers in the throughput benchmark.');
const builtKustomize = join(TOOLS, 'bin', 'kustomize');
const kustomizeBin = forTests ? kustomize() : existsSync(builtKustomize) ? builtKustomize : which('kustomize');
const builtOha = join(TOOLS, 'bin', 'oha');
const ohaBin = forBench ? oha() : existsSync(builtOha) ? builtOha : null;

const tools = {
  k6: k6Bin,
  prometheus: builtPrometheus?.[0] ?? which('prometheus'),
  promtool: builtPrometheus?.[1] ?? which('promtool'),
  alertmanager: which('prometheus-alertmanager') || which('alertmanager'),
  blackboxExporter: which('prometheus-blackbox-exporter') || which('blackbox_exporter'),
  chromium: which('chromium'),
  redisServer: which('redis-server'),
  kustomize: kustomizeBin,
  ...(ohaBin ? { oha: ohaBin } : {}),
};
const file = join(TOOLS, 'tools.json');
const previous = existsSync(file) ? readFileSync(file, 'utf8') : '';
const next = JSON.stringify(tools, null, 2) + '\n';
if (previous !== next) writeFileSync(file, next);
say(
  `ready: ${Object.entries(tools)
    .map(([k, v]) => `${k}=${v ?? '-'}`)
    .join(' ')}`,
);
