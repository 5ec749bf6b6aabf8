/**
 * `gridsweep worker --queue URL`: trains trials of any sweep queued on that
 * Redis, on this machine, until stopped. The first Ctrl-C (or SIGTERM)
 * stops taking trials and finishes those in flight; a second abandons
 * them, and BullMQ hands them to other workers once their locks expire.
 */
import os from 'node:os';
import path from 'node:path';
import type { Argv, CommandModule } from 'yargs';

import type { BackendChoice } from '../../coordinator/protocol.js';
import { InputError } from '../../errors.js';
import { stderrLogger } from '../logger.js';
import { queueOption, wholeNumberProblem } from '../options.js';
import { onInterrupt } from '../signals.js';

interface WorkerArgs {
  queue: string;
  workers?: number;
  backend?: BackendChoice;
  baseDir?: string;
  stallSeconds: number;
  patience: number;
}

export const workerCommand: CommandModule<object, WorkerArgs> = {
  command: 'worker',
  describe: 'Train trials queued by `gridsweep run --queue`, on this machine',
  builder: (yargs: Argv) =>
    yargs
      .option('queue', { ...queueOption, demandOption: true })
      .option('workers', {
        type: 'number',
        describe: 'Trials trained at once, one thread each (default: the cores)',
      })
      .option('backend', {
        choices: ['auto', 'node', 'wasm', 'cpu'] as const,
        describe: "TensorFlow.js backend (default: the coordinator's choice)",
      })
      .option('base-dir', {
        type: 'string',
        describe:
          "Folder the experiment's relative dataset paths resolve from on this " +
          "machine (default: the coordinator's experiment folder)",
      })
      .option('stall-seconds', {
        type: 'number',
        default: 30,
        describe: 'Seconds a dead worker keeps its trials before they go to another',
      })
      .option('patience', {
        type: 'number',
        default: 300,
        describe: 'Seconds to wait for a silent coordinator before giving a trial up',
      })
      .check((args) => {
        const problems = [
          wholeNumberProblem('--workers', args.workers as number | undefined, 1),
          wholeNumberProblem('--stall-seconds', args.stallSeconds as number, 2),
          wholeNumberProblem('--patience', args.patience as number, 10),
        ].filter((problem) => problem !== undefined);
        if (problems.length > 0) {
          throw new InputError('E_ARGUMENT', problems.join('; '));
        }
        return true;
      }) as unknown as Argv<WorkerArgs>,
  handler: async (args) => {
    const logger = stderrLogger();
    const { startWorker } = await import('../../queue/worker.js');
    const worker = await startWorker({
      queue: args.queue,
      threads: args.workers ?? os.availableParallelism(),
      stallSeconds: args.stallSeconds,
      patienceSeconds: args.patience,
      logger,
      ...(args.backend === undefined ? {} : { backend: args.backend }),
      ...(args.baseDir === undefined ? {} : { baseDir: path.resolve(args.baseDir) }),
    });
    await untilSignalled(async (second) => {
      if (second) {
        logger.info('stopping now; the trials in flight go to other workers');
        await worker.close(true);
        return;
      }
      const busy = worker.busy();
      logger.info(
        busy > 0
          ? `finishing ${busy} trial(s) in flight (Ctrl-C again to stop now)`
          : 'stopping',
      );
      await worker.close(false);
    });
    logger.info(`worker ${worker.name} stopped`);
  },
};

/**
 * Resolves once `stop` has finished. The first SIGINT or SIGTERM calls it
 * gracefully; a second calls it again with `second` set.
 */
function untilSignalled(stop: (second: boolean) => Promise<void>): Promise<void> {
  return new Promise((resolve, reject) => {
    const finish = (second: boolean) =>
      stop(second).then(() => {
        release();
        resolve();
      }, reject);
    const release = onInterrupt(
      () => void finish(false),
      () => void finish(true),
    );
  });
}
