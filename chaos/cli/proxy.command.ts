// `roque proxy --upstream URL [--port N]`: the fault proxy in front of a loopback service,
// until SIGINT/SIGTERM. Exit 2 for bad input (non-loopback upstream, bad port or pattern).
import { type Command, InvalidArgumentError } from 'commander';
import { startFaultProxy } from '../proxy/fault-proxy';
import { DEFAULT_PROXY_ROUTES, parseRoutePatterns } from '../proxy/route-patterns';

interface ProxyFlags {
  upstream: string;
  port: number;
  routes: string;
  adminToken?: string;
}

const port = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65_535) throw new InvalidArgumentError(`"${value}" is not a port (0-65535)`);
  return n;
};

export function registerProxyCommand(program: Command): void {
  program
    .command('proxy')
    .description(
      'a fault proxy on 127.0.0.1 in front of a loopback HTTP service: latency, error and abort faults per request, the admin API on /admin/faults, metrics on /metrics',
    )
    .requiredOption('--upstream <url>', 'the service to put faults in front of (loopback), e.g. http://127.0.0.1:5000')
    .option('--port <n>', 'port to listen on (0: any free one)', port, 8081)
    .option(
      '--routes <patterns>',
      'comma-separated route patterns that label requests and that faults name, e.g. "/,/api/*"',
      DEFAULT_PROXY_ROUTES.join(','),
    )
    .option('--admin-token <token>', 'admin API token (env CHAOS_ADMIN_TOKEN); without one the admin API is off')
    .action(async (flags: ProxyFlags) => {
      const routes = parseRoutePatterns(flags.routes);
      const token = flags.adminToken ?? process.env.CHAOS_ADMIN_TOKEN;
      if (!token)
        console.error('roque proxy: no CHAOS_ADMIN_TOKEN: the admin API is off (404), so no fault can be set');
      const proxy = await startFaultProxy({
        upstream: flags.upstream,
        port: flags.port,
        routes: routes.patterns,
        env: { ...process.env, CHAOS_ADMIN_TOKEN: token },
      });
      console.log(
        `roque proxy: ${proxy.url} → ${proxy.upstream} (admin API ${token ? 'on' : 'off'}; metrics ${proxy.url}/metrics)`,
      );
      await new Promise<NodeJS.Signals>((resolve) => {
        process.once('SIGINT', () => resolve('SIGINT'));
        process.once('SIGTERM', () => resolve('SIGTERM'));
      }).then(async (signal) => {
        await proxy.close();
        process.exitCode = signal === 'SIGINT' ? 130 : 143;
      });
    });
}
