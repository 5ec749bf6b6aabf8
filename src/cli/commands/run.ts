/**
 * `gridsweep run FILE`: train every trial of an experiment that has no
 * result yet and record each epoch in the sweep database.
 */
import path from 'node:path';
import type { Argv, CommandModule } from 'yargs';

import type { BackendChoice } from '../../coordinator/protocol.js';
import { InputError, RuntimeError } from '../../errors.js';
import { stderrLogger } from '../logger.js';
import { chooseRunOutput, PROGRESS_MODES, type ProgressMode } from '../run-output.js';
import { allowLargeOption, experimentFileArgument, queueOption, wholeNumberProblem } from '../options.js';
import { onInterrupt } from '../signals.js';

interface RunArgs {
  file: string;
  queue?: string;
  db?: string;
  workers?: number;
  backend: BackendChoice;
  allowLarge: boolean;
  epochs: boolean;
  progress: ProgressMode;
}

export const runCommand: CommandModule<object, RunArgs> = {
  command: 'run <file>',
  describe: 'Train every trial of an experiment and record each epoch',
  builder: (yargs: Argv) =>
    yargs
      .positional('file', experimentFileArgument)
      .option('db', {
        type: 'string',
        describe: 'SQLite file to write (default: results/<name>.sqlite)',
      })
      .option('workers', {
        type: 'number',
        describe:
          "Worker threads, one trial each (default: the experiment's, else the cores); " +
          'with --queue, 0 trains nothing here',
      })
      .option('queue', {
        ...queueOption,
        describe: `Queue the trials for \`gridsweep worker\` processes. ${queueOption.describe}`,
      })
      .option('backend', {
        choices: ['auto', 'node', 'wasm', 'cpu'] as const,
        default: 'auto' as const,
        describe: 'TensorFlow.js backend; auto = node if installed, else wasm',
      })
      .option('allow-large', allowLargeOption)
      .option('epochs', {
        type: 'boolean',
        default: false,
        describe: 'Print a line for every epoch',
      })
      .option('progress', {
        choices: PROGRESS_MODES,
        default: 'auto' as const,
        describe:
          'bars: redrawn in place; lines: one per event, for logs; ' +
          'auto: bars when stderr is a terminal',
      })
      .check((args) => {
        const min = args.queue === undefined ? 1 : 0;
        const problem = wholeNumberProblem('--workers', args.workers, min);
        if (problem) {
          const note = min === 1 && args.workers === 0 ? ' (0 needs --queue)' : '';
          throw new InputError('E_ARGUMENT', problem + note);
        }
        return true;
      }) as unknown as Argv<RunArgs>,
  handler: async (args) => {
    const logger = stderrLogger();
    const { prepareSweep } = await import('../../coordinator/prepare.js');
    const { runSweep } = await import('../../coordinator/run-sweep.js');

    // A bad URL is bad input, found before any data is read.
    const { parseQueueUrl } = await import('../../queue/connection.js');
    const queue = args.queue === undefined ? undefined : parseQueueUrl(args.queue).display;
    const sweep = await prepareSweep(args.file, { allowLarge: args.allowLarge, logger });
    const db = args.db ?? path.join('results', `${sweep.experiment.name}.sqlite`);
    logger.info(`${sweep.experiment.name}: writing ${db}`);
    const output = chooseRunOutput(args.progress, logger, {
      experiment: sweep.experiment,
      epochs: args.epochs,
    });

    const interrupt = interruptOnSignals();
    let summary;
    try {
      summary = await runSweep(sweep, {
        db,
        backend: args.backend,
        logger: output.logger,
        onEvent: output.onEvent,
        stop: interrupt.stop,
        abort: interrupt.abort,
        ...(args.workers === undefined ? {} : { workers: args.workers }),
        ...(args.queue === undefined ? {} : { queue: args.queue }),
      });
    } finally {
      interrupt.release();
    }

    if (summary.status === 'interrupted') {
      const left = summary.counts.pending ?? 0;
      throw new RuntimeError(
        'E_INTERRUPTED',
        `interrupted with ${left} trial(s) to go; what ran is in ${db}`,
        { hint: `resume with: gridsweep run ${args.file}${args.db ? ` --db ${args.db}` : ''}${queue ? ` --queue ${queue}` : ''}` },
      );
    }

    if (summary.status === 'failed') {
      throw new RuntimeError(
        'E_TRIAL',
        `${summary.counts.failed} trial(s) failed; their errors are in the ` +
          `trials table of ${db}`,
        { hint: `run again to retry them: gridsweep run ${args.file}` },
      );
    }
  },
};

/**
 * The first SIGINT or SIGTERM asks the run to stop after the epochs in
 * flight; a second one stops it at once.
 */
function interruptOnSignals() {
  const stop = new AbortController();
  const abort = new AbortController();
  const release = onInterrupt(
    () => stop.abort(),
    () => abort.abort(),
  );
  return { stop: stop.signal, abort: abort.signal, release };
}
