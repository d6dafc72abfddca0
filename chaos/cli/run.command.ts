import type { Command } from 'commander';

// TODO(owner of this command): replace with the real command.
export function registerRunCommand(program: Command): void {
  program.command('run').description('not built yet').action(() => {
    throw new Error('run: not built yet');
  });
}
