/**
 * The few error classes gridsweep raises on purpose. Each carries a stable
 * `code` that callers branch on; the CLI entry maps them to exit codes and
 * to the words a person reads (see src/cli/failure.ts).
 */

/** One thing wrong with an input, located by a dotted path. */
export interface Problem {
  /** Where: `grid.learningRate[2]`, `dataset.path`, `cars/img_01.jpg:3`. */
  path: string;
  /** What was wrong, including the value received where there is one. */
  message: string;
}

export type ErrorCode =
  | 'E_EXPERIMENT'
  | 'E_ARGUMENT'
  | 'E_DATASET'
  | 'E_DATABASE'
  | 'E_TRIAL'
  | 'E_CHECKPOINT'
  | 'E_REPORT'
  | 'E_INTERRUPTED';

export class GridsweepError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    options: { cause?: unknown; hint?: string } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.hint = options.hint;
  }
}

/**
 * Bad input from the person: an experiment file, a command-line argument, a
 * dataset. Carries every problem found, not only the first. Exit code 2.
 */
export class InputError extends GridsweepError {
  readonly problems: Problem[];

  constructor(
    code: 'E_EXPERIMENT' | 'E_ARGUMENT' | 'E_DATASET' | 'E_DATABASE',
    message: string,
    problems: Problem[] = [],
    options: { cause?: unknown; hint?: string } = {},
  ) {
    super(code, message, options);
    this.problems = problems;
  }
}

/** Something failed while working: a database, a worker, a trial. Exit 1. */
export class RuntimeError extends GridsweepError {}

/** Formats a value for an error message: short, and unambiguous about type. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') {
    const shown = value.length > 60 ? `${value.slice(0, 57)}...` : value;
    return JSON.stringify(shown);
  }
  if (typeof value === 'number' || typeof value === 'boolean') {
    return String(value);
  }
  if (value === null) return 'null';
  if (Array.isArray(value)) return `a list of ${value.length}`;
  return 'an object';
}
