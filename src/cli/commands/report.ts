/**
 * `gridsweep report`: learning curves faceted by the grid, the interaction
 * plot and the best cells, as a self-contained HTML page, SVG or PNG files.
 */
import type { Argv, CommandModule } from 'yargs';

import { METRIC_NAMES } from '../../query/metrics.js';
import { REPORT_FORMATS, type ReportFormat } from '../../report/formats.js';
import { InputError } from '../../errors.js';
import { resolveDbPath } from '../db-path.js';
import { stderrLogger } from '../logger.js';
import { checkTop, readDbOption, sweepOption } from '../options.js';

interface ReportArgs {
  db?: string;
  sweep?: string;
  out?: string;
  format: ReportFormat[];
  metric: string;
  xAxis?: string;
  lines?: string;
  top: number;
  train: boolean;
  loss: boolean;
}

export const reportCommand: CommandModule<object, ReportArgs> = {
  command: 'report',
  describe: 'Draw learning curves and the interaction plot; write an HTML report',
  builder: (yargs: Argv) =>
    yargs
      .option('db', readDbOption)
      .option('sweep', sweepOption)
      .option('out', {
        type: 'string',
        describe: 'Folder to write into (default: <sweep name>-report beside the database)',
      })
      .option('format', {
        choices: REPORT_FORMATS,
        array: true,
        default: ['html'],
        describe:
          'html: one self-contained page; svg, png: one file per chart. ' +
          'Repeat for several (--format html --format png)',
      })
      .option('metric', {
        type: 'string',
        default: 'best_val_acc',
        describe: `Summary for the interaction plot and the best cells: ${METRIC_NAMES.join(', ')}`,
      })
      .option('x-axis', {
        type: 'string',
        describe: 'Interaction plot: the parameter along x (default learningRate)',
      })
      .option('lines', {
        type: 'string',
        describe: 'Interaction plot: one line per level of this (default imageSize)',
      })
      .option('top', {
        type: 'number',
        default: 10,
        describe: 'Rows of the best-cells table',
      })
      .option('train', {
        type: 'boolean',
        default: false,
        describe: 'Also draw training accuracy (and loss), dashed',
      })
      .option('loss', {
        type: 'boolean',
        default: false,
        describe: 'Also draw validation loss per epoch',
      })
      .check(checkTop)
      .example('$0 report --db results/quickstart.sqlite', 'HTML report beside the file')
      .example(
        '$0 report --format png --out docs --train',
        'PNG charts, with training curves',
      ) as unknown as Argv<ReportArgs>,
  handler: async (args) => {
    const { findMetric } = await import('../../query/metrics.js');
    const { findParam } = await import('../../query/params.js');
    const { writeReport } = await import('../../report/index.js');

    const metric = findMetric(args.metric);
    const x = args.xAxis === undefined ? undefined : findParam(args.xAxis);
    const lines = args.lines === undefined ? undefined : findParam(args.lines);
    if (x !== undefined && lines !== undefined && x.column === lines.column) {
      throw new InputError(
        'E_ARGUMENT',
        `--x-axis and --lines must differ, received ${x.name} twice`,
      );
    }

    const report = await writeReport({
      db: resolveDbPath(args.db),
      ...(args.sweep === undefined ? {} : { sweep: args.sweep }),
      ...(args.out === undefined ? {} : { out: args.out }),
      formats: args.format,
      metric,
      top: args.top,
      ...(x === undefined ? {} : { x }),
      ...(lines === undefined ? {} : { lines }),
      train: args.train,
      loss: args.loss,
      logger: stderrLogger(),
    });
    for (const remark of report.remarks) process.stderr.write(`note: ${remark}\n`);
    for (const notice of report.notices) process.stderr.write(`note: ${notice}\n`);
    for (const file of report.files) process.stdout.write(`${file}\n`);
  },
};
