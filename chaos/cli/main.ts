// `roque`: one command line for experiments, faults, k6 and the local stack.
import { Command } from 'commander';
import { registerFaultCommands } from './fault.command';
import { registerK6Command } from './k6.command';
import { registerRunCommand } from './run.command';
import { registerStackCommands } from './stack.command';

const program = new Command('roque')
  .description('Chaos load harness: inject faults under k6 load and check the monitoring saw them.')
  .showHelpAfterError()
  .configureOutput({ outputError: (text, write) => write(`roque: ${text.replace(/^error: /, '')}`) });

registerRunCommand(program);
registerFaultCommands(program);
registerK6Command(program);
registerStackCommands(program);

program.parseAsync(process.argv).catch((error: unknown) => {
  console.error(`roque: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 2;
});
