// `roque`: one command line for experiments, faults, k6 and the local stack.
import { Command, CommanderError } from 'commander';
import { registerFaultCommands } from './fault.command';
import { registerK6Command } from './k6.command';
import { registerMatrixCommand } from './matrix.command';
import { registerRunCommand } from './run.command';
import { registerStackCommands } from './stack.command';

const program = new Command('roque')
  .description('Chaos load harness: inject faults under k6 load and check the monitoring saw them.')
  .showHelpAfterError()
  // Throw instead of exiting, so bad usage gets the contract's exit code 2 (commander uses 1).
  .exitOverride()
  .configureOutput({ outputError: (text, write) => write(`roque: ${text.replace(/^error: /, '')}`) });

registerRunCommand(program);
registerMatrixCommand(program);
registerFaultCommands(program);
registerK6Command(program);
registerStackCommands(program);

program.parseAsync(process.argv).catch((error: unknown) => {
  if (error instanceof CommanderError) {
    // Commander has printed the message (or the help) already.
    process.exitCode = error.exitCode === 0 ? 0 : 2;
    return;
  }
  console.error(`roque: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 2;
});
