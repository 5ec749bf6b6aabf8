/**
 * Whether the effect of one grid parameter (A) changes with the level of
 * another (B), read from a two-way table. The question is the blog post's:
 * lr 0.001 works at 32 px but fails at 64 px, so the best learning rate
 * depends on the image size.
 *
 * The method, in plain words:
 * - At each level of B, rank A's levels by their mean (ties share a place),
 *   and take A's effect there as its best mean minus its worst.
 * - If the best A level differs between levels of B, the best A depends on
 *   B. If the whole ranking is the same everywhere, there is no interaction
 *   in the ranking, though the size of A's effect may still differ.
 * - For two levels each, the classic contrast m11 - m12 - m21 + m22: the
 *   effect of A (first level minus second) at B's first level, minus that
 *   effect at B's second level. Zero means A's effect does not depend on B.
 * - Noise: from the spread of trials inside each cell (repeats, and the
 *   other grid parameters), the standard error of a difference between two
 *   cell means. Differences under about two of these could be chance.
 */
import type { Level, PairCell, PairTable } from './effects.js';
import { showLevel } from './params.js';

export interface LevelRanking {
  /** The level of B. */
  level: Level;
  /** A's levels from best to worst; levels with equal means share a group. */
  ranking: Level[][];
  /** Best mean minus worst mean of A at this level: A's effect here. */
  spread: number;
  /** How far the best group leads the next; null with one group. */
  lead: number | null;
}

export interface Contrast {
  /** Effect of A's first level minus its second, at each level of B. */
  effects: [number, number];
  /** effects[0] - effects[1], that is m11 - m12 - m21 + m22. */
  value: number;
  /** Null unless every cell has n >= 2. */
  standardError: number | null;
}

export interface Interaction {
  byLevel: LevelRanking[];
  bestChanges: boolean;
  rankingChanges: boolean;
  /** Standard error of a difference of two cell means; null without spread. */
  noise: number | null;
  /** Only for a 2 x 2 table. */
  contrast: Contrast | null;
  /** The answer in one sentence. */
  sentence: string;
  /** The numbers behind it, in words. */
  notes: string[];
}

/** Means closer than this are a tie (the same trials give the same mean). */
const TIE = 1e-9;

export function describeInteraction(table: PairTable): Interaction {
  const compared = levelsEverywhere(table);
  const byLevel = table.levelsB.map((b) => rankAt(table, b, compared));
  const bestChanges = bestEverywhere(byLevel).length === 0;
  const rankingChanges = byLevel.some(
    (level) => JSON.stringify(level.ranking) !== JSON.stringify(byLevel[0]!.ranking),
  );
  const noise = differenceNoise(table.cells);
  const contrast = classicContrast(table, compared);

  return {
    byLevel,
    bestChanges,
    rankingChanges,
    noise,
    contrast,
    sentence: sentence(table, byLevel, bestChanges, rankingChanges, compared),
    notes: notes(table, byLevel, noise, contrast, compared),
  };
}

/** A's levels that have a result at every level of B: fair to compare. */
function levelsEverywhere(table: PairTable): Level[] {
  return table.levelsA.filter((a) =>
    table.levelsB.every((b) => cellAt(table, a, b) !== undefined),
  );
}

function cellAt(table: PairTable, a: Level, b: Level): PairCell | undefined {
  return table.cells.find((cell) => cell.a === a && cell.b === b);
}

function rankAt(table: PairTable, b: Level, compared: Level[]): LevelRanking {
  const better = table.metric.higherIsBetter ? -1 : 1;
  const cells = compared
    .map((a) => cellAt(table, a, b)!)
    .sort((x, y) => better * (x.mean - y.mean));

  const ranking: Level[][] = [];
  const means: number[] = [];
  for (const cell of cells) {
    const last = means.at(-1);
    if (last !== undefined && Math.abs(cell.mean - last) <= TIE) {
      ranking.at(-1)!.push(cell.a);
    } else {
      ranking.push([cell.a]);
      means.push(cell.mean);
    }
  }

  return {
    level: b,
    ranking,
    spread: means.length > 0 ? Math.abs(means[0]! - means.at(-1)!) : 0,
    lead: means.length > 1 ? Math.abs(means[0]! - means[1]!) : null,
  };
}

/** A's levels that are best (or tied best) at every level of B. */
function bestEverywhere(byLevel: LevelRanking[]): Level[] {
  const first = byLevel[0]?.ranking[0] ?? [];
  return first.filter((level) =>
    byLevel.every((other) => other.ranking[0]?.includes(level)),
  );
}

/**
 * Pooled within-cell standard deviation, turned into the standard error
 * of a difference between two cell means of average size.
 */
function differenceNoise(cells: PairCell[]): number | null {
  const spread = cells.filter((cell) => cell.sd !== null && cell.n > 1);
  if (spread.length === 0) return null;
  const freedom = spread.reduce((sum, cell) => sum + cell.n - 1, 0);
  const squares = spread.reduce((sum, cell) => sum + (cell.n - 1) * cell.sd! ** 2, 0);
  const meanN = cells.reduce((sum, cell) => sum + cell.n, 0) / cells.length;
  return Math.sqrt(squares / freedom) * Math.sqrt(2 / meanN);
}

function classicContrast(table: PairTable, compared: Level[]): Contrast | null {
  if (compared.length !== 2 || table.levelsB.length !== 2) return null;
  const [a1, a2] = compared as [Level, Level];
  const [b1, b2] = table.levelsB as [Level, Level];
  const m = (a: Level, b: Level) => cellAt(table, a, b)!;
  const effects: [number, number] = [
    m(a1, b1).mean - m(a2, b1).mean,
    m(a1, b2).mean - m(a2, b2).mean,
  ];
  const cells = [m(a1, b1), m(a1, b2), m(a2, b1), m(a2, b2)];
  const standardError = cells.every((cell) => cell.sd !== null)
    ? Math.sqrt(cells.reduce((sum, cell) => sum + cell.sd! ** 2 / cell.n, 0))
    : null;
  return { effects, value: effects[0] - effects[1], standardError };
}

function sentence(
  table: PairTable,
  byLevel: LevelRanking[],
  bestChanges: boolean,
  rankingChanges: boolean,
  compared: Level[],
): string {
  const { a, b } = table;
  if (compared.length < 2) {
    return `${a.name} has fewer than two levels with results at every ` +
      `${b.name}; there is nothing to compare`;
  }
  if (table.levelsB.length < 2) {
    return `${b.name} has one level in this sweep; there is no interaction ` +
      'to look for';
  }
  const best = (level: LevelRanking) => showGroup(table, level.ranking[0]!);
  if (bestChanges) {
    const where = byLevel.map((level) => `${best(level)} at ${showLevel(b, level.level)}`);
    return `the best ${a.name} depends on ${b.name}: ${where.join(', ')}`;
  }
  const bestText = bestEverywhere(byLevel).map((level) => showLevel(a, level)).join(' and ');
  if (!rankingChanges) {
    return `no interaction in the ranking: the ranking of ${a.name} is the ` +
      `same at every ${b.name} (best ${bestText})`;
  }
  return `the best ${a.name} is ${bestText} at every ${b.name}, but the ` +
    `order of its other levels changes with ${b.name}`;
}

function showGroup(table: PairTable, group: Level[]): string {
  const text = group.map((level) => showLevel(table.a, level)).join(' and ');
  return group.length > 1 ? `${text} (tied)` : text;
}

function notes(
  table: PairTable,
  byLevel: LevelRanking[],
  noise: number | null,
  contrast: Contrast | null,
  compared: Level[],
): string[] {
  const { a, b, metric } = table;
  const lines: string[] = [];
  const left = table.levelsA.filter((level) => !compared.includes(level));
  if (left.length > 0) {
    lines.push(
      `left out of the comparison, having no result at some ${b.name}: ` +
        left.map((level) => showLevel(a, level)).join(', '),
    );
  }
  if (compared.length < 2 || byLevel.length < 2) return lines;

  lines.push(
    `effect of ${a.name} (best minus worst mean ${metric.name}) at each ` +
      `${b.name}: ` +
      byLevel.map((l) => `${num(l.spread)} at ${showLevel(b, l.level)}`).join(', '),
  );
  if (contrast) lines.push(contrastWords(table, compared, contrast));
  lines.push(noiseWords(b, byLevel, noise));
  return lines;
}

function contrastWords(table: PairTable, compared: Level[], contrast: Contrast): string {
  const { a, b } = table;
  const [b1, b2] = table.levelsB.map((level) => showLevel(b, level));
  const words =
    `interaction contrast: ${a.name} ${showLevel(a, compared[0])} rather than ` +
    `${showLevel(a, compared[1])} changes ${table.metric.name} by ` +
    `${signed(contrast.effects[0])} at ${b1} and ${signed(contrast.effects[1])} ` +
    `at ${b2}; the difference, m11 - m12 - m21 + m22, is ${signed(contrast.value)}`;
  if (contrast.standardError === null) {
    return `${words} (some cell has one trial, so no standard error)`;
  }
  if (contrast.standardError === 0) {
    return `${words} (the trials of each cell agree exactly, so no standard error)`;
  }
  const ratio = Math.abs(contrast.value) / contrast.standardError;
  const verdict =
    ratio >= 2
      ? `larger than the noise: the effect of ${a.name} changes with ${b.name}`
      : 'within the noise';
  return `${words}, ${num(ratio)} standard errors (${num(contrast.standardError)}): ${verdict}`;
}

function noiseWords(
  b: PairTable['b'],
  byLevel: LevelRanking[],
  noise: number | null,
): string {
  if (noise === null) {
    return 'each cell holds one trial, so its noise is unknown; repeats would tell';
  }
  const close = byLevel.filter((level) => level.lead !== null && level.lead < 2 * noise);
  const text =
    `noise: two cell means differing by less than ${num(2 * noise)} ` +
    `(2 standard errors, from the spread of trials inside cells) may not differ`;
  if (close.length === 0) return text;
  return `${text}; the best leads by less than that at ` +
    close.map((level) => showLevel(b, level.level)).join(', ');
}

function num(value: number): string {
  return String(Number(value.toPrecision(3)));
}

function signed(value: number): string {
  return value >= 0 ? `+${num(value)}` : num(value);
}
