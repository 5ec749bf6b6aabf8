/**
 * `gridsweep effects PARAM [PARAM2]`: a metric's mean ± sd and n per level
 * of one grid parameter, or per pair of levels of two, and for a pair
 * whether the best level of the first depends on the second.
 */
import type { Argv, CommandModule } from 'yargs';

import type { MarginalTable, PairTable, Summary } from '../../query/effects.js';
import type { Interaction } from '../../query/interaction.js';
import { METRIC_NAMES } from '../../query/metrics.js';
import { showLevel } from '../../query/params.js';
import type { SweepInfo } from '../../query/sweep-choice.js';
import { InputError } from '../../errors.js';
import { resolveDbPath } from '../db-path.js';
import { formatTable } from '../table.js';
import { readDbOption, sweepOption } from '../options.js';

interface EffectsArgs {
  param: string;
  param2?: string;
  db?: string;
  sweep?: string;
  metric: string;
  json: boolean;
}

export const effectsCommand: CommandModule<object, EffectsArgs> = {
  command: 'effects <param> [param2]',
  describe: 'Mean ± sd of a metric per level of a grid parameter, or of a pair',
  builder: (yargs: Argv) =>
    yargs
      .positional('param', {
        type: 'string',
        describe: 'Grid parameter: learningRate or learning_rate, imageSize, …',
        demandOption: true,
      })
      .positional('param2', {
        type: 'string',
        describe: 'A second parameter: show the two-way table and the interaction',
      })
      .option('db', readDbOption)
      .option('sweep', sweepOption)
      .option('metric', {
        type: 'string',
        default: 'best_val_acc',
        describe: `Per-trial summary to average: ${METRIC_NAMES.join(', ')}`,
      })
      .option('json', {
        type: 'boolean',
        default: false,
        describe: 'Print the table (and interaction) as JSON',
      })
      .example(
        '$0 effects learningRate imageSize',
        'Does the best learning rate depend on the image size?',
      ) as unknown as Argv<EffectsArgs>,
  handler: async (args) => {
    const { findMetric } = await import('../../query/metrics.js');
    const { findParam } = await import('../../query/params.js');
    const { openSweep } = await import('../../query/open-sweep.js');
    const effects = await import('../../query/effects.js');
    const { describeInteraction } = await import('../../query/interaction.js');

    const metric = findMetric(args.metric);
    const a = findParam(String(args.param));
    const b = args.param2 === undefined ? undefined : findParam(String(args.param2));
    if (b && b.column === a.column) {
      throw new InputError(
        'E_ARGUMENT',
        `effects: the two parameters must differ, received ${a.name} twice`,
      );
    }

    const { db, sweep, remarks } = openSweep(resolveDbPath(args.db), args.sweep);
    try {
      for (const remark of remarks) process.stderr.write(`note: ${remark}\n`);
      let text: string;
      if (b === undefined) {
        const table = effects.marginalTable(db, sweep.id, a, metric);
        text = args.json ? marginalJson(sweep, table) : marginalText(sweep, table);
      } else {
        const table = effects.pairTable(db, sweep.id, a, b, metric);
        const interaction = describeInteraction(table);
        text = args.json
          ? pairJson(sweep, table, interaction)
          : pairText(sweep, table, interaction);
      }
      process.stdout.write(`${text}\n`);
    } finally {
      db.close();
    }
  },
};

function heading(sweep: SweepInfo, what: string): string {
  const chance = sweep.chance === null ? '' : ` (chance accuracy ${round(sweep.chance)})`;
  return `${sweep.name} (sweep ${sweep.id}): ${what}${chance}`;
}

function marginalText(sweep: SweepInfo, table: MarginalTable): string {
  const { param, metric, levels } = table;
  if (levels.length === 0) return `${sweep.name}: no trial has a result yet`;

  const rows = levels.map((level) => [
    showLevel(param, level.level),
    level.n,
    round(level.mean),
    level.sd === null ? null : round(level.sd),
    round(level.min),
    round(level.max),
  ]);
  const sorted = [...levels].sort((x, y) =>
    metric.higherIsBetter ? y.mean - x.mean : x.mean - y.mean,
  );
  const best = sorted[0]!;
  const worst = sorted.at(-1)!;
  const verdict =
    levels.length < 2
      ? `${param.name} has one level in this sweep; there is nothing to compare`
      : `best ${param.name}: ${showLevel(param, best.level)} (mean ${round(best.mean)}); ` +
        `best minus worst mean: ${round(Math.abs(best.mean - worst.mean))}`;
  return [
    heading(sweep, `${metric.name} by ${param.name}, over repeats and the other parameters`),
    '',
    formatTable([param.name, 'n', 'mean', 'sd', 'min', 'max'], rows),
    '',
    verdict,
  ].join('\n');
}

function pairText(sweep: SweepInfo, table: PairTable, interaction: Interaction): string {
  const { a, b, metric } = table;
  if (table.cells.length === 0) return `${sweep.name}: no trial has a result yet`;

  const rows = table.levelsA.map((levelA) => [
    showLevel(a, levelA),
    ...table.levelsB.map((levelB) => {
      const cell = table.cells.find((c) => c.a === levelA && c.b === levelB);
      return cell ? cellText(cell) : '-';
    }),
  ]);
  return [
    heading(
      sweep,
      `mean ${metric.name} ± sd (n) by ${a.name} (rows) and ${b.name} (columns)`,
    ),
    '',
    formatTable(
      [`${a.name} \\ ${b.name}`, ...table.levelsB.map((level) => showLevel(b, level))],
      rows,
    ),
    '',
    interaction.sentence,
    ...interaction.notes.map((note) => `  - ${note}`),
  ].join('\n');
}

function cellText(cell: Summary): string {
  const sd = cell.sd === null ? '-' : String(round(cell.sd, 2));
  return `${round(cell.mean)} ± ${sd} (${cell.n})`;
}

function marginalJson(sweep: SweepInfo, table: MarginalTable): string {
  return JSON.stringify(
    {
      sweep: sweepJson(sweep),
      metric: table.metric.name,
      param: table.param,
      levels: table.levels,
    },
    null,
    2,
  );
}

function pairJson(sweep: SweepInfo, table: PairTable, interaction: Interaction): string {
  return JSON.stringify(
    {
      sweep: sweepJson(sweep),
      metric: table.metric.name,
      a: table.a,
      b: table.b,
      cells: table.cells,
      interaction,
    },
    null,
    2,
  );
}

function sweepJson(sweep: SweepInfo) {
  return { id: sweep.id, name: sweep.name, chance: sweep.chance };
}

function round(value: number, digits = 3): number {
  return Number(value.toPrecision(digits));
}
