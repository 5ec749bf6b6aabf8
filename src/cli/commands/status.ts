/**
 * `gridsweep status`: where a sweep stands, from another terminal while it
 * runs: trial counts, the running trials, whether the run is alive, an
 * ETA, the best cell so far and the latest early stops. It opens the
 * database read-only and never writes.
 */
import type { Argv, CommandModule } from 'yargs';

import { InputError } from '../../errors.js';
import { readDbOption, sweepOption } from '../options.js';
import { resolveDbPath } from '../db-path.js';

interface StatusArgs {
  db?: string;
  sweep?: string;
  json: boolean;
  watch?: string;
}

export const DEFAULT_WATCH_SECONDS = 5;

const JSON_FIELDS = [
  'JSON fields (--json): sweep {id, name, status, createdAt, finishedAt, trials};',
  "state (the sweep's status, or 'stale' when its run died);",
  'counts {pending, running, done, stopped, diverged, failed}; varying (grid',
  'parameters that vary); running [{id, index, params, epoch, epochs,',
  'bestValAcc, bestEpoch, lastValAcc, attempt, startedAt}]; run {id, runs,',
  'host, pid, workers, startedAt, heartbeatAt, heartbeatAgeSeconds,',
  "finishedAt, status, liveness {state: 'alive'|'stale'|'finished', by:",
  "'pid'|'heartbeat'|'status', silenceLimit (seconds; by heartbeat only)}} or",
  'null; eta {seconds, upperBound, guessed, epochs, trials} or null; best',
  '{params, n, meanBestValAcc, sdBestValAcc, maxBestValAcc, meanFinalValAcc,',
  'chance} or null; stops [{trialId, trialIndex, epoch, rule, metric, value,',
  'threshold, peers, reason, decidedAt}], newest first. Times are ISO 8601',
  'UTC; durations in seconds.',
].join(' ');

export const statusCommand: CommandModule<object, StatusArgs> = {
  command: 'status',
  describe: 'Show how far a sweep has got, from another terminal while it runs',
  builder: (yargs: Argv) =>
    yargs
      .option('db', readDbOption)
      .option('sweep', sweepOption)
      .option('json', {
        type: 'boolean',
        default: false,
        describe: 'Print one JSON object (one line per refresh with --watch)',
      })
      .option('watch', {
        type: 'string',
        describe:
          `Refresh every SECONDS (default ${DEFAULT_WATCH_SECONDS}) until ` +
          'Ctrl-C or the sweep stops running',
      })
      .check((args) => {
        watchSeconds(args.watch);
        return true;
      })
      .epilogue(JSON_FIELDS) as unknown as Argv<StatusArgs>,
  handler: async (args) => {
    const { watchStatus } = await import('../status-view.js');
    await watchStatus(resolveDbPath(args.db), {
      ...(args.sweep === undefined ? {} : { sweep: args.sweep }),
      json: args.json,
      every: watchSeconds(args.watch),
    });
  },
};

/** Seconds between refreshes, or undefined without --watch. */
function watchSeconds(given: string | undefined): number | undefined {
  if (given === undefined) return undefined;
  if (given === '') return DEFAULT_WATCH_SECONDS;
  const seconds = Number(given);
  if (!Number.isFinite(seconds) || seconds < 0.5) {
    throw new InputError(
      'E_ARGUMENT',
      `--watch: expected seconds >= 0.5, received ${JSON.stringify(given)}`,
    );
  }
  return seconds;
}
