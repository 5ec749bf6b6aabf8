/**
 * The one place that turns an error into what a person reads and the exit
 * code a script sees: 0 success, 1 a runtime failure, 2 bad input, 130 a
 * run stopped by Ctrl-C or SIGTERM (128 + SIGINT, as shells report it).
 */
import { GridsweepError, InputError } from '../errors.js';

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_BAD_INPUT = 2;
export const EXIT_INTERRUPTED = 130;

export function reportFailure(
  error: unknown,
  write: (line: string) => void,
  options: { debug?: boolean } = {},
): number {
  if (error instanceof InputError) {
    write(`gridsweep: ${error.message}`);
    for (const problem of error.problems) {
      write(`  ${problem.path}: ${problem.message}`);
    }
    if (error.hint) write(`hint: ${error.hint}`);
    return EXIT_BAD_INPUT;
  }

  if (error instanceof GridsweepError) {
    write(`gridsweep: ${error.message}`);
    const cause = causeText(error.cause);
    if (cause) write(`  caused by: ${cause}`);
    if (error.hint) write(`hint: ${error.hint}`);
    if (options.debug && error.stack) write(error.stack);
    return error.code === 'E_INTERRUPTED' ? EXIT_INTERRUPTED : EXIT_FAILURE;
  }

  write(`gridsweep: unexpected error: ${causeText(error) ?? String(error)}`);
  if (error instanceof Error && error.stack) {
    write(options.debug ? error.stack : 'run with GRIDSWEEP_DEBUG=1 for the stack');
  }
  return EXIT_FAILURE;
}

function causeText(cause: unknown): string | undefined {
  if (cause instanceof Error) return cause.message;
  if (cause === undefined) return undefined;
  return String(cause);
}
