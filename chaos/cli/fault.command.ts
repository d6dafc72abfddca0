import type { Command } from 'commander';

// TODO(owner of this command): replace with the real command.
export function registerFaultCommands(program: Command): void {
  program.command('fault').description('not built yet').action(() => {
    throw new Error('fault: not built yet');
  });
}
