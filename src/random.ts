/**
 * A small seeded pseudo-random generator (mulberry32). Same seed, same
 * sequence, on every machine: splits, shuffles and the synthetic images
 * depend on it, and Math.random would make them unrepeatable.
 */

export interface Random {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [0, n). */
  int(n: number): number;
  /** A float in [min, max). */
  range(min: number, max: number): number;
  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T;
  /** Shuffles the array in place (Fisher-Yates) and returns it. */
  shuffle<T>(array: T[]): T[];
}

export function createRandom(seed: number): Random {
  let state = seed >>> 0;

  function next(): number {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  function int(n: number): number {
    return Math.floor(next() * n);
  }

  return {
    next,
    int,
    range: (min, max) => min + next() * (max - min),
    pick: (items) => {
      if (items.length === 0) throw new RangeError('pick: received an empty list');
      return items[int(items.length)]!;
    },
    shuffle: (array) => {
      for (let i = array.length - 1; i > 0; i -= 1) {
        const j = int(i + 1);
        [array[i], array[j]] = [array[j]!, array[i]!];
      }
      return array;
    },
  };
}
