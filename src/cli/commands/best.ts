/**
 * `gridsweep best`: the best cells of a sweep by a metric, averaged over
 * repeats, with the grid values that produced them.
 */
import type { Argv, CommandModule } from 'yargs';

import type { BestCells } from '../../query/best.js';
import { METRIC_NAMES } from '../../query/metrics.js';
import { showLevel } from '../../query/params.js';
import type { SweepInfo } from '../../query/sweep-choice.js';
import { resolveDbPath } from '../db-path.js';
import { formatTable } from '../table.js';
import { checkTop, readDbOption, sweepOption } from '../options.js';

interface BestArgs {
  db?: string;
  sweep?: string;
  metric: string;
  top: number;
  json: boolean;
}

export const bestCommand: CommandModule<object, BestArgs> = {
  command: 'best',
  describe: 'Show the best grid cells of a sweep, averaged over repeats',
  builder: (yargs: Argv) =>
    yargs
      .option('db', readDbOption)
      .option('sweep', sweepOption)
      .option('metric', {
        type: 'string',
        default: 'best_val_acc',
        describe: `What to rank by: ${METRIC_NAMES.join(', ')}`,
      })
      .option('top', {
        type: 'number',
        default: 5,
        describe: 'How many cells to show',
      })
      .option('json', {
        type: 'boolean',
        default: false,
        describe: 'Print the cells as JSON',
      })
      .check(checkTop) as unknown as Argv<BestArgs>,
  handler: async (args) => {
    const { findMetric } = await import('../../query/metrics.js');
    const { openSweep } = await import('../../query/open-sweep.js');
    const { findBestCells } = await import('../../query/best.js');

    const metric = findMetric(args.metric);
    const { db, sweep, remarks } = openSweep(resolveDbPath(args.db), args.sweep);
    try {
      for (const remark of remarks) process.stderr.write(`note: ${remark}\n`);
      const best = findBestCells(db, sweep, metric, args.top);
      const text = args.json ? bestJson(sweep, best) : bestText(sweep, best);
      process.stdout.write(`${text}\n`);
    } finally {
      db.close();
    }
  },
};

function bestText(sweep: SweepInfo, best: BestCells): string {
  const { metric, varying, cells } = best;
  if (cells.length === 0) return `${sweep.name}: no trial has a result yet`;

  const chance = sweep.chance === null ? '' : `; chance accuracy ${round(sweep.chance)}`;
  const heading =
    `${sweep.name} (sweep ${sweep.id}): top ${cells.length} of ${best.total} ` +
    `cells by mean ${metric.name} over repeats` +
    `${metric.higherIsBetter ? '' : ' (lower is better)'}${chance}`;
  const rows = cells.map((cell) => [
    cell.rank,
    ...varying.map((param) => showLevel(param, cell.params[param.name])),
    cell.n,
    round(cell.mean),
    cell.sd === null ? null : round(cell.sd),
    round(cell.min),
    round(cell.max),
  ]);
  const table = formatTable(
    ['rank', ...varying.map((param) => param.name), 'n', 'mean', 'sd', 'min', 'max'],
    rows,
  );
  const fixed = Object.entries(cells[0]!.params)
    .filter(([name]) => !varying.some((param) => param.name === name))
    .map(([name, value]) => `${name} ${value}`);
  const lines = [heading, '', table];
  if (fixed.length > 0) lines.push('', `same in every cell: ${fixed.join(', ')}`);
  return lines.join('\n');
}

function bestJson(sweep: SweepInfo, best: BestCells): string {
  return JSON.stringify(
    {
      sweep: { id: sweep.id, name: sweep.name, chance: sweep.chance },
      metric: best.metric.name,
      higherIsBetter: best.metric.higherIsBetter,
      cellsWithResults: best.total,
      cells: best.cells,
    },
    null,
    2,
  );
}

function round(value: number): number {
  return Number(value.toPrecision(4));
}
