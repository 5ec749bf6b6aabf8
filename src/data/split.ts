/**
 * The stratified train/validation split: the same fraction held out of every
 * class, chosen by a seeded shuffle so that it is the same on every machine.
 */
import type { Problem } from '../errors.js';
import { createRandom } from '../random.js';

export interface SplitItem {
  label: number;
  /**
   * Items with the same group go to the same side: the boxes of one photo
   * must not be split between training and validation.
   */
  group: string;
}

export interface SplitResult<T> {
  train: T[];
  validation: T[];
  problems: Problem[];
}

/**
 * Holds out round(groups × fraction) groups of each class. Each class is
 * shuffled by its own generator, seeded from the split seed and the class
 * name, so adding a class or a file elsewhere does not move this class's
 * split. Items keep their input order on both sides.
 */
export function stratifiedSplit<T extends SplitItem>(
  items: readonly T[],
  classes: readonly string[],
  fraction: number,
  seed: number,
): SplitResult<T> {
  const held = new Set<string>();
  const problems: Problem[] = [];

  classes.forEach((name, label) => {
    const groups = [...new Set(items.filter((i) => i.label === label).map((i) => i.group))];
    const count = Math.round(groups.length * fraction);
    const problem = splitProblem(name, groups.length, count, fraction);
    if (problem) problems.push(problem);

    const random = createRandom(seed ^ hashString(name));
    for (const group of random.shuffle(groups).slice(0, count)) held.add(groupKey(label, group));
  });

  const isHeld = (item: T) => held.has(groupKey(item.label, item.group));
  return {
    train: items.filter((item) => !isHeld(item)),
    validation: items.filter(isHeld),
    problems,
  };
}

function splitProblem(
  name: string,
  groups: number,
  held: number,
  fraction: number,
): Problem | undefined {
  if (groups === 0 || (held >= 1 && held < groups)) return undefined;
  const side = held === 0 ? 'validation' : 'training';
  return {
    path: 'dataset.validationSplit',
    message:
      `a split of ${fraction} leaves class "${name}" (${groups} images) with ` +
      `no ${side} image; add images or change validationSplit`,
  };
}

function groupKey(label: number, group: string): string {
  return `${label}\u0000${group}`;
}

/** FNV-1a: a stable 32-bit hash of a string, to derive per-class seeds. */
export function hashString(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
