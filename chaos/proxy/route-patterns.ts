// The proxy cannot know its upstream's route templates, so it labels each request with the
// pattern it matches from a short list the user gives (`--routes "/,/api/*"`): bounded labels,
// never raw paths.
import { UNMATCHED_ROUTE } from '../contract/metrics';
import { wildcardPrefix } from '../contract/routes';

/** Every path, as one label, when no patterns are given. */
export const DEFAULT_PROXY_ROUTES = ['/*'] as const;

export class RoutePatterns {
  private readonly exact: Set<string>;
  /** Longest prefix first, so "/api/v2/*" wins over "/api/*". */
  private readonly wildcards: { prefix: string; pattern: string }[];

  constructor(readonly patterns: readonly string[]) {
    for (const pattern of patterns) {
      if (!/^\/[A-Za-z0-9_\-/:.]*\*?$/.test(pattern))
        throw new Error(`route pattern "${pattern}": expected a path starting with "/", optionally ending in "*"`);
    }
    this.exact = new Set(patterns.filter((p) => wildcardPrefix(p) === undefined));
    this.wildcards = patterns
      .flatMap((pattern) => {
        const prefix = wildcardPrefix(pattern);
        return prefix === undefined ? [] : [{ prefix, pattern }];
      })
      .sort((a, b) => b.prefix.length - a.prefix.length);
  }

  /** The label of a path (without its query): the exact pattern, else the longest wildcard that matches, else `unmatched`. */
  label(path: string): string {
    if (this.exact.has(path)) return path;
    for (const { prefix, pattern } of this.wildcards) if (path.startsWith(prefix)) return pattern;
    return UNMATCHED_ROUTE;
  }
}

/** "/,/api/*" → ["/", "/api/*"]. */
export function parseRoutePatterns(list: string): RoutePatterns {
  const patterns = list
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  if (patterns.length === 0) throw new Error('--routes: give at least one pattern, e.g. "/,/api/*"');
  return new RoutePatterns(patterns);
}
