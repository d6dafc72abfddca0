import type { Command } from 'commander';

// TODO(owner of this command): replace with the real command.
export function registerK6Command(program: Command): void {
  program.command('k6').description('not built yet').action(() => {
    throw new Error('k6: not built yet');
  });
}
