import { Command } from 'commander';
import {
  addLegacyAlias,
  adminTokenOption,
  applyFlagEnv,
  DEFAULT_REPORTS_DIR,
  jsonOption,
  oneOrMoreOf,
  prometheusOption,
  quietOption,
  reportsOption,
  targetOption,
  type CommonOptions,
} from './options';

const VARIABLES = [
  'ROQUE_TARGET_URL',
  'ROQUE_PROMETHEUS_URL',
  'ROQUE_REPORTS_DIR',
  'ROQUE_JSON',
  'ROQUE_QUIET',
  'CHAOS_ADMIN_TOKEN',
  'BASE_URL',
];
const saved = Object.fromEntries(VARIABLES.map((name) => [name, process.env[name]]));

function withEnv(env: Record<string, string>): void {
  for (const name of VARIABLES) delete process.env[name];
  Object.assign(process.env, env);
}

afterEach(() => {
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

/** A command as the CLI builds one: the shared options, the old spellings, the flag hook. */
function parse(args: string[], env: Record<string, string> = {}): CommonOptions & { adminToken?: string } {
  withEnv(env);
  const command = new Command('probe').exitOverride();
  const target = targetOption().default('http://127.0.0.1:8080');
  const prometheus = prometheusOption();
  command
    .addOption(target)
    .addOption(prometheus)
    .addOption(reportsOption())
    .addOption(jsonOption())
    .addOption(quietOption())
    .addOption(adminTokenOption())
    .hook('preAction', (_, action) => applyFlagEnv(action))
    .action(() => {});
  addLegacyAlias(command, '--base-url <url>', target, 'BASE_URL');
  addLegacyAlias(command, '--prometheus-url <url>', prometheus);
  command.parse(args, { from: 'user' });
  return command.opts();
}

describe('the shared CLI options', () => {
  it('take the flag first, then the ROQUE_* variable, then the default', () => {
    expect(parse([]).target).toBe('http://127.0.0.1:8080');
    expect(parse([], { ROQUE_TARGET_URL: 'http://127.0.0.1:9000' }).target).toBe('http://127.0.0.1:9000');
    expect(parse(['--target', 'http://127.0.0.1:7000'], { ROQUE_TARGET_URL: 'http://127.0.0.1:9000' }).target).toBe(
      'http://127.0.0.1:7000',
    );
    expect(parse([], { ROQUE_PROMETHEUS_URL: 'http://127.0.0.1:9090' }).prometheus).toBe('http://127.0.0.1:9090');
    expect(parse([]).reports).toBe(DEFAULT_REPORTS_DIR);
    expect(parse([], { ROQUE_REPORTS_DIR: '/tmp/r' }).reports).toBe('/tmp/r');
  });

  it('read the admin token from CHAOS_ADMIN_TOKEN, and keep the hidden flag for old scripts', () => {
    expect(parse([], { CHAOS_ADMIN_TOKEN: 'from-env' }).adminToken).toBe('from-env');
    expect(parse(['--admin-token', 'flag'], { CHAOS_ADMIN_TOKEN: 'from-env' }).adminToken).toBe('flag');
  });

  it('turn flags on from their variable unless it says 0, false, no or off', () => {
    expect(parse([]).json).toBeUndefined();
    expect(parse([], { ROQUE_JSON: '1' }).json).toBe(true);
    expect(parse([], { ROQUE_JSON: 'yes', ROQUE_QUIET: 'true' })).toMatchObject({ json: true, quiet: true });
    for (const off of ['0', 'false', 'NO', 'off', '']) expect(parse([], { ROQUE_QUIET: off }).quiet).toBe(false);
    expect(parse(['--quiet'], { ROQUE_QUIET: '0' }).quiet).toBe(true);
    expect(parse(['-q']).quiet).toBe(true);
  });

  it('keep the old spellings working: a flag beats the variables, the new variable beats the old one', () => {
    expect(parse(['--base-url', 'http://127.0.0.1:7001']).target).toBe('http://127.0.0.1:7001');
    expect(parse(['--base-url', 'http://127.0.0.1:7001'], { ROQUE_TARGET_URL: 'http://127.0.0.1:9000' }).target).toBe(
      'http://127.0.0.1:7001',
    );
    expect(parse(['--prometheus-url', 'http://127.0.0.1:9091']).prometheus).toBe('http://127.0.0.1:9091');
    expect(parse([], { BASE_URL: 'http://127.0.0.1:7002' }).target).toBe('http://127.0.0.1:7002');
    expect(parse([], { BASE_URL: 'http://127.0.0.1:7002', ROQUE_TARGET_URL: 'http://127.0.0.1:9000' }).target).toBe(
      'http://127.0.0.1:9000',
    );
  });

  it('show the new spellings in help and hide the old ones and the token flag', () => {
    withEnv({});
    const command = new Command('probe').addOption(targetOption()).addOption(adminTokenOption());
    addLegacyAlias(command, '--base-url <url>', command.options[0]!);
    const help = command.helpInformation();
    expect(help).toContain('--target <url>');
    expect(help).toContain('env: ROQUE_TARGET_URL');
    expect(help).not.toContain('--base-url');
    expect(help).not.toContain('--admin-token');
  });
});

describe('a list of known names (--suite a,b)', () => {
  const suite = oneOrMoreOf('suite', ['throughput', 'fidelity']);

  it('takes the names in the order given, trimmed', () => {
    expect(suite('fidelity, throughput')).toEqual(['fidelity', 'throughput']);
  });

  it('names what it does not know, and what it does', () => {
    expect(() => suite('throughput,speed')).toThrow('unknown suite "speed"; known: throughput, fidelity');
    expect(() => suite(' , ')).toThrow('no suite named; known: throughput, fidelity');
  });
});
