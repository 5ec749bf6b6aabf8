#!/usr/bin/env node
/**
 * The gridsweep command line. Commands load their heavy modules inside
 * their handlers, so `--help` and `plan` start without TensorFlow.js or sharp.
 */
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';

import { InputError } from '../errors.js';
import { benchCommand } from './commands/bench.js';
import { bestCommand } from './commands/best.js';
import { datasetCommand } from './commands/dataset.js';
import { effectsCommand } from './commands/effects.js';
import { planCommand } from './commands/plan.js';
import { queryCommand } from './commands/query.js';
import { reportCommand } from './commands/report.js';
import { runCommand } from './commands/run.js';
import { schemaCommand } from './commands/schema.js';
import { statusCommand } from './commands/status.js';
import { workerCommand } from './commands/worker.js';
import { EXIT_OK, reportFailure } from './failure.js';

export async function main(argv: string[]): Promise<number> {
  const parser = yargs(argv)
    .scriptName('gridsweep')
    .usage('$0 <command> [options]')
    .command(planCommand)
    .command(runCommand)
    .command(statusCommand)
    .command(schemaCommand)
    .command(queryCommand)
    .command(bestCommand)
    .command(effectsCommand)
    .command(reportCommand)
    .command(datasetCommand)
    .command(workerCommand)
    .command(benchCommand)
    .demandCommand(1, 'name a command; see gridsweep --help')
    .strict()
    .recommendCommands()
    .help()
    .alias('help', 'h')
    .version()
    .wrap(Math.min(100, process.stdout.columns ?? 100))
    .fail((message, error) => {
      throw error ?? new InputError('E_ARGUMENT', message);
    });

  try {
    await parser.parseAsync();
    return EXIT_OK;
  } catch (error) {
    return reportFailure(error, (line) => process.stderr.write(`${line}\n`), {
      debug: process.env.GRIDSWEEP_DEBUG === '1',
    });
  }
}

process.exitCode = await main(hideBin(process.argv));
