// The exit codes of `roque run` (docs/contract.md), one place for the runner and the CLI,
// and errors that carry theirs so whoever catches one exits with the right code.

export const EXIT = {
  /** Every check of the experiment held. */
  passed: 0,
  /** A check failed, an abort condition stopped the run, or the final kill switch failed. */
  failed: 1,
  /** The evidence is incomplete: k6 or the stack stopped early. */
  aborted: 2,
  /** Bad input, or a stack or target that could not start (the same code as `aborted`). */
  badInput: 2,
  SIGHUP: 129,
  SIGINT: 130,
  SIGTERM: 143,
} as const;

/** The signals a run handles like Ctrl-C, with the exit code each gives. */
export const SIGNAL_EXIT = { SIGINT: EXIT.SIGINT, SIGTERM: EXIT.SIGTERM, SIGHUP: EXIT.SIGHUP } as const;
export type HandledSignal = keyof typeof SIGNAL_EXIT;

/**
 * An error that ends the command, or the run, with `exitCode`: thrown by setup, or recorded as
 * the reason a run stopped early (an abort condition, a lost stack, a signal).
 */
export class RunError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Bad input, or a stack or target that could not start: nothing was measured (exit 2). */
export class BadInputError extends RunError {
  constructor(message: string) {
    super(message, EXIT.badInput);
  }
}

/** The exit code for `error`: its own when it carries one, else 2 (the run could not go on). */
export function exitCodeOf(error: unknown): number {
  return error instanceof RunError ? error.exitCode : EXIT.badInput;
}

/** The run could not start: bad input, unreachable target, a stack that did not come up (exit 2). */
export class RunSetupError extends BadInputError {}

/** `make()`, its error a RunSetupError. */
export function asSetupError<T>(make: () => T): T {
  try {
    return make();
  } catch (error) {
    throw new RunSetupError((error as Error).message);
  }
}
