// `roque`: one command line for experiments, faults, k6 and the local stack.
import { Command, CommanderError } from 'commander';
import { EXIT, exitCodeOf } from '../runner/exit-codes';
import { registerFaultCommands } from './fault.command';
import { registerK6Command } from './k6.command';
import { applyFlagEnv, roqueVersion } from './options';
import { registerProxyCommand } from './proxy.command';
import { registerRunCommand } from './run.command';
import { registerStackCommands } from './stack.command';

const program = new Command('roque')
  .description('Chaos load harness: inject faults under k6 load and check the monitoring saw them.')
  .version(roqueVersion())
  .showHelpAfterError()
  // Throw instead of exiting, so bad usage gets the contract's exit code 2 (commander uses 1).
  .exitOverride()
  .configureOutput({ outputError: (text, write) => write(`roque: ${text.replace(/^error: /, '')}`) })
  .hook('preAction', (_program, action) => {
    for (let command: Command | null = action; command; command = command.parent) applyFlagEnv(command);
  });

registerRunCommand(program);
registerFaultCommands(program);
registerK6Command(program);
registerStackCommands(program);
registerProxyCommand(program);

// Exit as soon as the command is done: a run interrupted while it was still starting
// something leaves no timer to wait for; the watchdog stops whatever is left.
program.parseAsync(process.argv).then(
  () => process.exit(process.exitCode ?? EXIT.passed),
  (error: unknown) => {
    if (error instanceof CommanderError) {
      // Commander has printed the message (or the help) already.
      process.exit(error.exitCode === 0 ? EXIT.passed : EXIT.badInput);
    }
    console.error(`roque: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(exitCodeOf(error));
  },
);
