// `roque stack up|down|status`: the local Prometheus (and Alertmanager) as background
// processes on 127.0.0.1, remembered in .roque/stack/state.json. See chaos/stack/.
import { InvalidArgumentError, Option, type Command } from 'commander';
import { assertLoopback } from '../local/network';
import { jsonOption, quietOption, targetOption, type CommonOptions } from './options';
import { DEFAULT_DATA_DIR, DEFAULT_PORTS, downDetached, readState, statusDetached, upDetached } from '../stack';

const port = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 65_535)
    throw new InvalidArgumentError(`"${value}" is not a TCP port (1..65535)`);
  return n;
};

/** host:port on this machine, or the app's base URL as other commands take it; repeated flags accumulate. */
const target = (value: string, previous: string[] | undefined): string[] => {
  let hostPort: string;
  try {
    const url = assertLoopback(/^https?:\/\//.test(value) ? value : `http://${value}`, '--target');
    if (!url.port) throw new Error(`--target "${value}" needs a port, e.g. 127.0.0.1:8080`);
    hostPort = url.host;
  } catch (error) {
    throw new InvalidArgumentError(error instanceof Error ? error.message : String(error));
  }
  // The default is replaced, not extended, by the first --target.
  return previous === DEFAULT_TARGETS ? [hostPort] : [...(previous ?? []), hostPort];
};
const DEFAULT_TARGETS = ['127.0.0.1:8080'];

export function registerStackCommands(program: Command): void {
  const stack = program
    .command('stack')
    .description('the local Prometheus and Alertmanager, as background processes on 127.0.0.1');
  const dataDirOption = () =>
    new Option('--data-dir <dir>', 'data, logs and state.json').env('ROQUE_STACK_DIR').default(DEFAULT_DATA_DIR);

  stack
    .command('up')
    .description('start them and print their URLs; when they already run, only re-point the scrape targets')
    .addOption(
      new Option('--prometheus-port <port>', 'Prometheus port')
        .env('ROQUE_PROMETHEUS_PORT')
        .default(DEFAULT_PORTS.prometheus)
        .argParser(port),
    )
    .addOption(
      new Option('--alertmanager-port <port>', 'Alertmanager port')
        .env('ROQUE_ALERTMANAGER_PORT')
        .default(DEFAULT_PORTS.alertmanager)
        .argParser(port),
    )
    .option('--no-alertmanager', 'start Prometheus only')
    .addOption(
      targetOption('an app instance to scrape as job target-app, host:port or URL (repeatable)')
        .default(DEFAULT_TARGETS)
        .argParser(target),
    )
    .addOption(dataDirOption())
    .addOption(quietOption())
    .action(
      async (opts: {
        prometheusPort: number;
        alertmanagerPort: number;
        alertmanager: boolean;
        target: string[];
        dataDir: string;
        quiet?: boolean;
      }) => {
        const { state, started } = await upDetached({
          dataDir: opts.dataDir,
          prometheusPort: opts.prometheusPort,
          alertmanagerPort: opts.alertmanager ? opts.alertmanagerPort : null,
          appTargets: opts.target,
        });
        if (opts.quiet) return;
        console.log(started ? 'stack: started' : 'stack: already running');
        console.log(`  prometheus    ${state.prometheus.url}  (pid ${state.prometheus.pid})`);
        console.log(
          state.alertmanager
            ? `  alertmanager  ${state.alertmanager.url}  (pid ${state.alertmanager.pid})`
            : '  alertmanager  not started (not installed, or --no-alertmanager)',
        );
        if (state.blackbox)
          console.log(
            `  blackbox      ${state.blackbox.url}  (pid ${state.blackbox.pid}), probing /health/ready and /health/live`,
          );
        console.log(`  scraping      ${opts.target.join(', ')} as job target-app`);
        console.log(`  data, logs    ${state.dataDir}`);
        console.log('Stop with: roque stack down');
      },
    );

  stack
    .command('down')
    .description('stop what `stack up` started')
    .addOption(dataDirOption())
    .addOption(quietOption())
    .action(async (opts: { dataDir: string } & CommonOptions) => {
      const stopped = await downDetached(opts.dataDir);
      if (!opts.quiet)
        console.log(stopped.length > 0 ? `stack: stopped ${stopped.join(', ')}` : 'stack: nothing was running');
    });

  stack
    .command('status')
    .description('what runs; exit code 1 unless every recorded process is up and ready')
    .addOption(dataDirOption())
    .addOption(jsonOption())
    .action(async (opts: { dataDir: string } & CommonOptions) => {
      const services = await statusDetached(opts.dataDir);
      if (!services.every((s) => s.ready) || services.length === 0) process.exitCode = 1;
      if (opts.json) {
        console.log(JSON.stringify({ startedAt: readState(opts.dataDir)?.startedAt ?? null, services }, null, 2));
        return;
      }
      if (services.length === 0) {
        console.log('stack: not running (start it with: roque stack up)');
        return;
      }
      console.log(`stack: started ${readState(opts.dataDir)?.startedAt ?? '?'}`);
      for (const s of services) {
        const how = s.ready ? 'ready' : s.running ? 'running, not ready' : 'gone';
        console.log(`  ${s.name.padEnd(13)} ${s.url}  pid ${s.pid}  ${how}`);
      }
    });
}
