// Top frames of a V8 .cpuprofile (`node --cpu-prof`): self and inclusive time by function,
// self time by module, optionally as µs per request and as the difference from a second
// profile (what one server does that another does not).
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
}

/** Samples that are not the server's request work: idle time, and start-up (module loading). */
const NOT_WORK = new Set(['(idle)', '(program)']);
const START_UP = new Set(['evaluate', 'wrapModuleLoad', 'compileSourceTextModule']);

export interface FrameTimes {
  /** Busy samples (neither idle nor start-up). */
  busy: number;
  /** By `function file:line`, each as a share of the busy samples. */
  self: Map<string, number>;
  inclusive: Map<string, number>;
  /** Self time by package (node_modules), file (the app's own) or Node built-in module. */
  module: Map<string, number>;
}

function frameName(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  return `${functionName || '(anonymous)'} ${shortUrl(url)}:${lineNumber + 1}`;
}

function shortUrl(url: string): string {
  return url.replace(/^.*\/node_modules\//, '').replace(/^.*\/dist\//, 'dist/');
}

function moduleName(node: ProfileNode): string {
  const { url, functionName } = node.callFrame;
  if (!url) return functionName;
  const pkg = /\/node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1];
  return url.startsWith('node:') ? url.split('/').slice(0, 2).join('/') : shortUrl(url);
}

export function frameTimes(profile: CpuProfile): FrameTimes {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const startUp = new Map<number, boolean>();
  const isStartUp = (id: number): boolean => {
    let known = startUp.get(id);
    if (known === undefined) {
      const up = parent.get(id);
      known = START_UP.has(byId.get(id)!.callFrame.functionName) || (up !== undefined && isStartUp(up));
      startUp.set(id, known);
    }
    return known;
  };
  const counts = new Map<number, number>();
  let busy = 0;
  for (const id of profile.samples) {
    if (NOT_WORK.has(byId.get(id)!.callFrame.functionName) || isStartUp(id)) continue;
    busy++;
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  const times: FrameTimes = { busy, self: new Map(), inclusive: new Map(), module: new Map() };
  const add = (map: Map<string, number>, key: string, share: number) => map.set(key, (map.get(key) ?? 0) + share);
  for (const [id, count] of counts) {
    const share = count / Math.max(busy, 1);
    const node = byId.get(id)!;
    add(times.self, frameName(node), share);
    add(times.module, moduleName(node), share);
    // A recursive frame counts once per sample.
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const name = frameName(byId.get(at)!);
      if (!seen.has(name)) add(times.inclusive, name, share);
      seen.add(name);
    }
  }
  return times;
}

/**
 * The top `limit` rows of `map` (shares of busy time), scaled by `scale` (µs per request, or
 * 100 for percent); with `base`, by the largest difference from it, as `base  this  this−base`.
 */
export function topRows(map: Map<string, number>, scale: number, limit: number, base?: Map<string, number>): string[] {
  const fmt = (v: number) => (v * scale).toFixed(2).padStart(7);
  if (!base) {
    return [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, limit)
      .map(([key, share]) => `${fmt(share)}  ${key}`);
  }
  const keys = [...new Set([...map.keys(), ...base.keys()])];
  const rows = keys.map((key) => [key, base.get(key) ?? 0, map.get(key) ?? 0] as const);
  return rows
    .sort((a, b) => Math.abs(b[2] - b[1]) - Math.abs(a[2] - a[1]))
    .slice(0, limit)
    .map(([key, was, is]) => `${fmt(was)}${fmt(is)}${fmt(is - was)}  ${key}`);
}

export function readProfile(file: string): CpuProfile {
  return JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
}
