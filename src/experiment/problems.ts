/**
 * Turns zod's issues into the problems a person reads: a dotted path, what
 * was expected, and the value actually received, e.g.
 * `grid.learningRate[2]: expected a number > 0, received -0.1`.
 */
import type { z } from 'zod';

import { describeValue, type Problem } from '../errors.js';

type Issue = z.core.$ZodIssue;
type PathKey = PropertyKey;

export function formatPath(path: readonly PathKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out === '' ? '(top level)' : out;
}

export function valueAt(root: unknown, path: readonly PathKey[]): unknown {
  let node = root;
  for (const key of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node;
}

/** Every zod issue as problems, in the order zod found them. */
export function problemsFromIssues(
  issues: readonly Issue[],
  input: unknown,
  knownKeys: (path: readonly PathKey[]) => readonly string[] = () => [],
  base: readonly PathKey[] = [],
): Problem[] {
  return issues.flatMap((issue) =>
    problemsFromIssue(issue, input, knownKeys, base),
  );
}

function problemsFromIssue(
  issue: Issue,
  input: unknown,
  knownKeys: (path: readonly PathKey[]) => readonly string[],
  base: readonly PathKey[],
): Problem[] {
  const path = [...base, ...issue.path];
  const received = valueAt(input, path);

  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((key) => ({
        path: formatPath([...path, key]),
        message: unknownKeyMessage(key, knownKeys(path)),
      }));
    case 'invalid_union':
      return unionProblems(issue, input, knownKeys, path, received);
    default:
      return [{ path: formatPath(path), message: describeIssue(issue, received) }];
  }
}

/**
 * A field that takes "a value or a list" fails both branches; report the
 * branch the person evidently meant (a list if they wrote a list).
 */
function unionProblems(
  issue: Extract<Issue, { code: 'invalid_union' }>,
  input: unknown,
  knownKeys: (path: readonly PathKey[]) => readonly string[],
  path: readonly PathKey[],
  received: unknown,
): Problem[] {
  if ('discriminator' in issue && issue.discriminator !== undefined) {
    const options = (issue as { options?: unknown[] }).options ?? [];
    return [
      {
        path: formatPath(path),
        message:
          `expected one of ${options.map(String).join(' | ')}, ` +
          `received ${describeValue(received)}`,
      },
    ];
  }
  const branches = issue.errors;
  const wantsList = Array.isArray(received);
  const chosen =
    branches.find((branch) => !branch.some(isListTypeMismatch(wantsList))) ??
    branches[0] ??
    [];
  if (chosen.length === 0) {
    return [{ path: formatPath(path), message: issue.message }];
  }
  return problemsFromIssues(chosen, input, knownKeys, path);
}

function isListTypeMismatch(wantsList: boolean) {
  return (branchIssue: Issue): boolean =>
    branchIssue.code === 'invalid_type' &&
    branchIssue.path.length === 0 &&
    (wantsList
      ? branchIssue.expected !== 'array'
      : branchIssue.expected === 'array');
}

function describeIssue(issue: Issue, received: unknown): string {
  const got = `received ${describeValue(received)}`;
  switch (issue.code) {
    case 'invalid_type':
      if (received === undefined) return `required, but missing`;
      return `expected ${typeWords(issue.expected)}, ${got}`;
    case 'too_small':
      return `expected ${boundWords(issue.origin, '>', issue.minimum, issue.inclusive)}, ${got}`;
    case 'too_big':
      return `expected ${boundWords(issue.origin, '<', issue.maximum, issue.inclusive)}, ${got}`;
    case 'invalid_value':
      return `expected ${issue.values.map((v) => JSON.stringify(v)).join(' | ')}, ${got}`;
    case 'not_multiple_of':
      return `expected a multiple of ${String(issue.divisor)}, ${got}`;
    case 'invalid_format':
      return `${issue.message}, ${got}`;
    default:
      return `${issue.message}, ${got}`;
  }
}

function typeWords(expected: string): string {
  switch (expected) {
    case 'int':
      return 'a whole number';
    case 'number':
      return 'a number';
    case 'string':
      return 'text';
    case 'array':
      return 'a list';
    case 'object':
      return 'a mapping of keys to values';
    case 'boolean':
      return 'true or false';
    default:
      return expected;
  }
}

function boundWords(
  origin: string,
  direction: '>' | '<',
  bound: number | bigint,
  inclusive: boolean | undefined,
): string {
  const op = `${direction}${inclusive ? '=' : ''}`;
  switch (origin) {
    case 'array':
      return direction === '>'
        ? `a list of at least ${bound} item${bound === 1 ? '' : 's'}`
        : `a list of at most ${bound} items`;
    case 'string':
      return direction === '>'
        ? `text of at least ${bound} character${bound === 1 ? '' : 's'}`
        : `text of at most ${bound} characters`;
    default:
      return `a number ${op} ${bound}`;
  }
}

function unknownKeyMessage(key: string, known: readonly string[]): string {
  const suggestion = closest(key, known);
  const hint = suggestion ? ` (did you mean "${suggestion}"?)` : '';
  const allowed = known.length > 0 ? `; known keys: ${known.join(', ')}` : '';
  return `unknown key "${key}"${hint}${suggestion ? '' : allowed}`;
}

/** The known key nearest to a typo, if it is near enough to be the one. */
function closest(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const distance = editDistance(key.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  const tolerance = Math.max(1, Math.floor(key.length / 3));
  return bestDistance <= tolerance ? best : undefined;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution);
    }
    previous = current;
  }
  return previous[b.length]!;
}
