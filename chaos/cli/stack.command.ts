import type { Command } from 'commander';

// TODO(owner of this command): replace with the real command.
export function registerStackCommands(program: Command): void {
  program.command('stack').description('not built yet').action(() => {
    throw new Error('stack: not built yet');
  });
}
