/**
 * Turns a sweep's events into lines a person reads at 3 a.m.: one per event
 * that matters (data ready, trial started, trial finished with its best,
 * failed or stopped with why, retried, paused, sweep done), never one per
 * epoch unless asked. This is the output for logs and pipes; a terminal
 * gets progress bars instead.
 */
import type { SweepEvent } from '../coordinator/run-sweep.js';
import type { Trial } from '../experiment/trial.js';
import { formatNumber } from './table.js';

interface TrialProgress {
  best: number | null;
  bestEpoch: number | null;
  last: number | null;
}

export function createRunReporter(
  write: (line: string) => void,
  options: { varying: readonly string[]; epochs?: boolean },
): (event: SweepEvent) => void {
  const progress = new Map<string, TrialProgress>();
  let total = 0;
  let finished = 0;

  const label = (trial: Trial) => `[${trial.index + 1}/${total}] ${trial.id.slice(0, 8)}`;
  const params = (trial: Trial) =>
    options.varying
      .map((axis) => `${axis} ${show(trial.params[axis as keyof Trial['params']])}`)
      .join(', ');

  return (event) => {
    switch (event.type) {
      case 'sweep-started': {
        total = event.total;
        const toRun = event.planned.length;
        const resumed = event.planned.filter((p) => p.resumeFrom > 0).length;
        write(
          `${event.total} trials: ${event.total - toRun} already finished, ` +
            `${toRun} to run${resumed > 0 ? ` (${resumed} resumed from checkpoints)` : ''} ` +
            (event.queue === undefined
              ? `on ${event.workers} worker${event.workers === 1 ? '' : 's'}`
              : `through the queue at ${event.queue}, ${event.workers} worker thread` +
                `${event.workers === 1 ? '' : 's'} here`),
        );
        break;
      }
      case 'data-ready':
        write(
          `data: ${event.images} images at ${event.imageSize} px ready in ` +
            `${event.seconds.toFixed(1)} s`,
        );
        break;
      case 'trial-started':
        progress.set(event.trial.id, { best: null, bestEpoch: null, last: null });
        write(
          `${label(event.trial)} ${event.resumeFrom > 0 ? `resumed at epoch ${event.resumeFrom + 1}` : 'started'} ` +
            `on ${event.backend}${event.worker ? ` at ${event.worker}` : ''}` +
            `${event.attempt > 1 ? ` (attempt ${event.attempt})` : ''}: ${params(event.trial)}`,
        );
        break;
      case 'epoch': {
        const state = progress.get(event.trial.id);
        const { epoch, valAcc, loss } = event.metrics;
        if (state) {
          state.last = valAcc;
          if (state.best === null || valAcc > state.best) {
            state.best = valAcc;
            state.bestEpoch = epoch;
          }
        }
        if (options.epochs) {
          write(
            `${label(event.trial)} epoch ${epoch}: loss ${loss.toFixed(4)}, ` +
              `val acc ${valAcc.toFixed(3)}`,
          );
        }
        break;
      }
      case 'trial-finished': {
        finished++;
        const state = progress.get(event.trial.id);
        const took = `${event.seconds.toFixed(1)} s`;
        const best =
          state?.best != null
            ? `best val acc ${state.best.toFixed(3)} at epoch ${state.bestEpoch}` +
              ` (final ${state.last?.toFixed(3)})`
            : 'no epoch finished';
        const why = event.reason ? `: ${event.reason}` : '';
        write(`${label(event.trial)} ${event.status} in ${took}, ${best}${why}`);
        break;
      }
      case 'trial-retrying':
        write(
          `${label(event.trial)} ${event.error}; trying again (attempt ${event.attempt}) ` +
            (event.resumeFrom > 0 ? `from epoch ${event.resumeFrom}` : 'from the start'),
        );
        break;
      case 'trial-paused':
        write(`${label(event.trial)} paused after epoch ${event.epoch}; run again to resume`);
        break;
      case 'interrupting':
        write(
          event.immediate
            ? 'stopping now; each trial resumes from its last checkpoint'
            : 'stopping after the epochs in flight (Ctrl-C again to stop at once)',
        );
        break;
      case 'worker-refused':
        write(`worker ${event.worker} refuses this sweep's trials: ${event.reason}`);
        break;
      case 'queue-connection':
        write(
          event.connected
            ? 'queue reachable again'
            : `lost the queue (${event.error ?? 'no reason given'}); reconnecting`,
        );
        break;
      case 'decision':
      case 'checkpoint':
        break;
      case 'sweep-finished': {
        const counts = Object.entries(event.counts)
          .map(([status, n]) => `${n} ${status}`)
          .join(', ');
        write(`sweep ${event.status}: ${counts}${finished === 0 ? ' (nothing to run)' : ''}`);
        break;
      }
    }
  };
}

function show(value: unknown): string {
  return typeof value === 'number' ? formatNumber(value) : String(value);
}
