/**
 * `gridsweep dataset synth` and `gridsweep dataset inspect`: make the
 * built-in logo set, and look at a dataset before sweeping over it.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { Argv, CommandModule } from 'yargs';

import type { DatasetReport } from '../../data/inspect.js';
import { InputError } from '../../errors.js';
import { stderrLogger } from '../logger.js';
import { formatTable } from '../table.js';

interface SynthArgs {
  out: string;
  classes: number;
  perClass: number;
  size: number;
  seed: number;
}

interface InspectArgs {
  target: string;
  json: boolean;
}

const synthCommand: CommandModule<object, SynthArgs> = {
  command: 'synth',
  describe:
    'Render the built-in logo set (simple-icons marks on cluttered scenes) ' +
    'into class folders',
  builder: (yargs: Argv) =>
    yargs
      .option('out', {
        type: 'string',
        demandOption: true,
        describe: 'Folder to write (empty or missing)',
      })
      .option('classes', {
        type: 'number',
        default: 10,
        describe: 'Brands, 2 to 200; the Flickr27 ones first',
      })
      .option('per-class', { type: 'number', default: 40, describe: 'Images per brand' })
      .option('size', { type: 'number', default: 96, describe: 'Side of each image, in pixels' })
      .option('seed', {
        type: 'number',
        default: 7,
        describe: 'Same seed, same images',
      }) as unknown as Argv<SynthArgs>,
  handler: async (args) => {
    checkSynthArgs(args);
    const { synthesizeDataset } = await import('../../data/synth.js');
    const manifest = await synthesizeDataset({
      out: path.resolve(args.out),
      classes: args.classes,
      perClass: args.perClass,
      size: args.size,
      seed: args.seed,
      logger: stderrLogger(),
    });
    const names = manifest.classes.map((c) => c.title).join(', ');
    process.stdout.write(
      `wrote ${manifest.images} images (${manifest.size} px) of ${manifest.classes.length} ` +
        `brands to ${path.resolve(args.out)} in ${manifest.seconds} s\nbrands: ${names}\n`,
    );
  },
};

const inspectCommand: CommandModule<object, InspectArgs> = {
  command: 'inspect <target>',
  describe: 'Classes, counts per class and split, image sizes and problems of a dataset',
  builder: (yargs: Argv) =>
    yargs
      .positional('target', {
        type: 'string',
        demandOption: true,
        describe:
          'A dataset folder (class folders or a Flickr27 distribution) or an ' +
          'experiment file',
      })
      .option('json', {
        type: 'boolean',
        default: false,
        describe: 'Print the report as JSON',
      }) as unknown as Argv<InspectArgs>,
  handler: async (args) => {
    const { detectDatasetSpec, inspectDataset } = await import('../../data/inspect.js');
    const target = path.resolve(args.target);
    const kind = await stat(target).catch(() => undefined);
    if (!kind) {
      throw new InputError('E_ARGUMENT', 'nothing to inspect', [
        { path: 'target', message: `no such file or folder ${JSON.stringify(args.target)}` },
      ]);
    }

    let report: DatasetReport;
    if (kind.isDirectory()) {
      report = await inspectDataset(await detectDatasetSpec(target), process.cwd());
    } else {
      const { loadExperimentFile } = await import('../../experiment/load.js');
      const { experiment, baseDir } = await loadExperimentFile(target);
      report = await inspectDataset(experiment.dataset, baseDir);
    }

    process.stdout.write(args.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
    if (report.problems.length > 0) {
      const summary = `the dataset in ${report.root} has ${report.problems.length} problem(s)`;
      throw new InputError('E_DATASET', summary, report.problems);
    }
  },
};

export const datasetCommand: CommandModule = {
  command: 'dataset <command>',
  describe: 'Make the built-in logo set (synth) or inspect a dataset (inspect)',
  builder: (yargs: Argv) =>
    yargs
      .command(synthCommand as unknown as CommandModule)
      .command(inspectCommand as unknown as CommandModule)
      .demandCommand(1, 'name a dataset command: synth or inspect'),
  handler: () => {},
};

function checkSynthArgs(args: SynthArgs): void {
  const rules: [keyof SynthArgs, number, number][] = [
    ['classes', 2, 200],
    ['perClass', 2, 10_000],
    ['size', 16, 1024],
  ];
  const problems = rules.flatMap(([key, min, max]) => {
    const value = args[key] as number;
    if (Number.isInteger(value) && value >= min && value <= max) return [];
    const flag = key === 'perClass' ? '--per-class' : `--${key}`;
    const message = `expected an integer from ${min} to ${max}, received ${value}`;
    return [{ path: flag, message }];
  });
  if (!Number.isInteger(args.seed)) {
    problems.push({ path: '--seed', message: `expected an integer, received ${args.seed}` });
  }
  if (problems.length > 0) {
    throw new InputError('E_ARGUMENT', 'bad dataset synth arguments', problems);
  }
}

/** The report as a person reads it: the table, then sizes and warnings. */
export function formatReport(report: DatasetReport): string {
  const rows = report.classes.map((c) => [c.name, c.train, c.validation, c.train + c.validation]);
  rows.push(['(all)', report.train, report.validation, report.train + report.validation]);
  const lines = [
    `${report.kind} dataset in ${report.root}`,
    `${report.classes.length} classes`,
    '',
    formatTable(['class', 'train', 'validation', 'total'], rows),
    '',
  ];
  const size = report.imageSize;
  if (size) {
    const widths = `${size.minWidth}-${size.maxWidth}`;
    lines.push(`image sizes: width ${widths}, height ${size.minHeight}-${size.maxHeight} px`);
  }
  if (report.notGenerated) {
    lines.push('not generated yet: the first run (or dataset synth) makes it');
  }
  if (report.fingerprint) lines.push(`fingerprint: ${report.fingerprint}`);
  if (report.warnings.length > 0) {
    lines.push(`${report.warnings.length} warning(s):`, ...report.warnings.map((w) => `  ${w}`));
  }
  if (report.problems.length === 0) lines.push('no problems found');
  return `${lines.join('\n')}\n`;
}
