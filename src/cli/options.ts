/**
 * Options that several commands share, declared once so that their names,
 * types and help text cannot drift apart.
 */
import { InputError } from '../errors.js';
import { MAX_TRIALS } from '../experiment/rules.js';

export const experimentFileArgument = {
  type: 'string',
  describe: 'Experiment file (.yaml, .yml or .json)',
  demandOption: true,
} as const;

export const allowLargeOption = {
  type: 'boolean',
  default: false,
  describe: `Accept a grid of more than ${MAX_TRIALS} trials`,
} as const;

/** For commands that read a sweep database. */
export const readDbOption = {
  type: 'string',
  describe: 'SQLite file (default: the only results/*.sqlite)',
} as const;

export const sweepOption = {
  type: 'string',
  describe: 'Sweep id, id prefix or name (default: the latest in the file)',
} as const;

/** For the commands that use a BullMQ queue on Redis. */
export const queueOption = {
  type: 'string',
  describe:
    'Redis URL of the trial queue: redis://[:PASSWORD@]HOST[:PORT][/DB], or rediss:// for TLS',
} as const;

/** Why `value` is not a whole number >= min, or undefined when it is. */
export function wholeNumberProblem(
  flag: string,
  value: number | undefined,
  min: number,
): string | undefined {
  if (value === undefined || (Number.isInteger(value) && value >= min)) return undefined;
  return `${flag}: expected a whole number >= ${min}, received ${value}`;
}

/** A yargs check that `--top` is a whole number >= 1. */
export function checkTop(args: { top: number }): true {
  const problem = wholeNumberProblem('--top', args.top, 1);
  if (problem) throw new InputError('E_ARGUMENT', problem);
  return true;
}
