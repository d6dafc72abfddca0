// `roque fault add|list|rm|clear`: the admin API from a shell.
// Exit codes: 0 done, 1 the server refused (401, 400, unknown id), 2 bad input or unreachable.
import Table from 'cli-table3';
import type { Command } from 'commander';
import pc from 'picocolors';
import { AdminClient, AdminError } from '../admin/admin-client';
import { faultSpecFromOptions, FaultInputError, type FaultAddOptions } from '../admin/fault-options';
import { FAULT_TYPES, type Fault } from '../contract/faults';
import {
  ADMIN_TOKEN_HELP,
  adminTokenOption,
  DEFAULT_TARGET_URL,
  jsonOption,
  quietOption,
  targetOption,
  type CommonOptions,
} from './options';

interface ConnectionOptions extends CommonOptions {
  target: string;
  token?: string;
}

export function registerFaultCommands(program: Command): void {
  const fault = program
    .command('fault')
    .description('switch faults on the target app on and off (its admin API)')
    .addOption(targetOption().default(DEFAULT_TARGET_URL))
    .addOption(jsonOption())
    .addOption(quietOption())
    .addOption(adminTokenOption('--token <token>'))
    .addHelpText('after', ADMIN_TOKEN_HELP);

  fault
    .command('add')
    .argument('<type>', FAULT_TYPES.join(' | '))
    .description('add a fault, e.g. `fault add latency --delay 200ms --jitter 20ms --ttl 2m`')
    .option('--delay <duration>', 'latency: added delay (200ms, 1.5s)')
    .option('--jitter <duration>', 'latency: jitter around the delay')
    .option('--distribution <kind>', 'latency: fixed | uniform | normal')
    .option('--status <code>', 'error: HTTP status to answer with (default 500)')
    .option('--utilization <0..1>', 'cpu: share of one core kept busy')
    .option(
      '--slice <duration>',
      'cpu: hold the event loop this long in one go (default a few ms; past 4 s the app is unscrapable)',
    )
    .option('--megabytes <n>', 'memory: megabytes held')
    .option('--probe <probe>', 'health: readiness | liveness')
    .option('--routes <list>', 'comma-separated route templates (default: every dice route)')
    .option('--probability <0..1>', 'share of requests affected (default 1)')
    .option('--ttl <duration>', 'lifetime; the fault removes itself after it (default 5m)')
    .option(
      '--replicas <n|share>',
      'blast radius with replicas sharing faults: how many live replicas (1) or what share (34%); default all',
    )
    .action((type: string, options: FaultAddOptions, command: Command) =>
      withClient(command, async (client, print) => {
        const created = await client.add(faultSpecFromOptions(type, options));
        print(created, () => `${pc.green('added')} ${created.id}\n${faultTable([created])}`);
      }),
    );

  fault
    .command('list')
    .alias('ls')
    .description('list the active faults')
    .action((_options: unknown, command: Command) =>
      withClient(command, async (client, print) => {
        const faults = await client.list();
        print({ faults }, () => (faults.length ? faultTable(faults) : pc.dim('no active faults')));
      }),
    );

  fault
    .command('rm')
    .alias('remove')
    .argument('<id>', 'fault id (from `fault list`)')
    .description('remove one fault')
    .action((id: string, _options: unknown, command: Command) =>
      withClient(command, async (client, print) => {
        await client.remove(id);
        print({ removed: id }, () => `${pc.green('removed')} ${id}`);
      }),
    );

  fault
    .command('clear')
    .description('remove every fault at once (the kill switch)')
    .action((_options: unknown, command: Command) =>
      withClient(command, async (client, print) => {
        await client.clear();
        print({ cleared: true }, () => `${pc.green('cleared')} every fault`);
      }),
    );
}

type Print = (value: unknown, human: () => string) => void;

async function withClient(command: Command, work: (client: AdminClient, print: Print) => Promise<void>): Promise<void> {
  const options = command.optsWithGlobals<ConnectionOptions>();
  const print: Print = (value, human) => {
    if (options.json) console.log(JSON.stringify(value, null, 2));
    else if (!options.quiet) console.log(human());
  };
  try {
    const client = new AdminClient({ target: options.target, token: options.token ?? '' });
    await work(client, print);
  } catch (error) {
    console.error(`roque fault: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = exitCodeOf(error);
  }
}

function exitCodeOf(error: unknown): number {
  if (error instanceof FaultInputError) return 2;
  if (error instanceof AdminError)
    return error.kind === 'unreachable' || (error.kind === 'invalid' && error.status === undefined) ? 2 : 1;
  return 2; // e.g. a non-loopback target
}

function faultTable(faults: Fault[]): string {
  const table = new Table({
    head: ['id', 'type', 'parameters', 'routes', 'probability', 'expires in'].map((h) => pc.bold(h)),
    style: { head: [], border: [] },
  });
  for (const f of faults) {
    const seconds = Math.max(0, Math.round((Date.parse(f.expiresAt) - Date.now()) / 1000));
    const where = f.actsOn ? `\non ${f.actsOn.map((r) => r.instance).join(', ')}` : '';
    table.push([
      f.id,
      pc.cyan(f.type),
      `${parametersOf(f)}${where}`,
      f.routes?.join(', ') ?? pc.dim('all'),
      String(f.probability),
      `${seconds}s`,
    ]);
  }
  return table.toString();
}

function parametersOf(f: Fault): string {
  switch (f.type) {
    case 'latency':
      return `${f.delayMs}ms ± ${f.jitterMs}ms (${f.distribution})`;
    case 'error':
      return `status ${f.status}`;
    case 'cpu':
      return `${f.utilization * 100}% of a core`;
    case 'memory':
      return `${f.megabytes} MB`;
    case 'health':
      return `${f.probe} down`;
    case 'abort':
      return 'connection reset';
  }
}
