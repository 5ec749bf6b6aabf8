/**
 * How an attempt ended, and what that means for its trial: the mapping
 * from a worker's task result to an attempt status, and the trial's last
 * record once no attempt is left to make. Shared by the local pool and the
 * queue, so a trial ends the same way wherever it trained.
 */
import type { Trial } from '../experiment/trial.js';
import type { AttemptStatus, TrialStatus } from '../store/sweep-store.js';
import type { RunContext } from './context.js';
import type { Conversation } from './conversation.js';
import { recordDecision } from './conversation.js';
import type { BackendName, TrainTaskResult } from './protocol.js';

export type AttemptOutcome = {
  attempt: number;
  backend: BackendName | null;
  reason?: string;
} & (
  | { kind: 'done' | 'diverged' | 'stopped' | 'failed' }
  /** The worker died: worth another attempt. */
  | { kind: 'crashed'; reason: string }
  | { kind: 'paused'; epoch: number }
);

/**
 * The outcome of a task that returned, recorded as its attempt's end. A
 * NaN mid-epoch ends a trial before any verdict could, so its divergence
 * decision is recorded here.
 */
export function outcomeOfTask(
  result: TrainTaskResult,
  conversation: Conversation,
  trial: Trial,
  attempt: number,
  context: RunContext,
): AttemptOutcome {
  const backend = conversation.backend() ?? result.backend;
  const base = { attempt, backend, ...(result.reason === undefined ? {} : { reason: result.reason }) };
  switch (result.status) {
    case 'done':
    case 'stopped':
      return endAttempt(trial, result.status, { ...base, kind: result.status }, context);
    case 'diverged':
      if (!conversation.decided()) {
        recordDecision(context, trial, result.epochsRun + 1, {
          rule: 'divergence',
          action: 'stop',
          status: 'diverged',
          metric: 'loss',
          value: null,
          threshold: null,
          peers: null,
          reason: result.reason ?? 'the training loss was not finite',
        });
      }
      return endAttempt(trial, 'diverged', { ...base, kind: 'diverged' }, context);
    case 'paused':
      return endAttempt(trial, 'interrupted', { attempt, backend, kind: 'paused', epoch: result.epochsRun }, context);
    case 'aborted':
    case 'failed':
      return endAttempt(
        trial,
        'failed',
        { ...base, kind: 'failed', reason: result.reason ?? 'the trial ended without a reason' },
        context,
      );
  }
}

/** Records how the attempt ended and passes its outcome on. */
export function endAttempt(
  trial: Trial,
  status: AttemptStatus,
  outcome: AttemptOutcome,
  context: RunContext,
): AttemptOutcome {
  // After a failed write the database is left as it was: the next run sees
  // this attempt as lost and resumes the trial.
  if (context.fatal !== undefined) return outcome;
  context.store.finishAttempt(trial.id, outcome.attempt, status, outcome.reason);
  return outcome;
}

/**
 * The trial's record once no more attempts will be made in this run:
 * paused back to pending, or finished with its status. A finished trial's
 * checkpoint goes; a failed one keeps it for the next run.
 */
export function settleTrial(
  trial: Trial,
  outcome: AttemptOutcome,
  seconds: number,
  context: RunContext,
): void {
  const { store, files, emit } = context;
  if (context.fatal !== undefined) return;
  if (outcome.kind === 'paused') {
    store.pauseTrial(trial.id);
    emit({ type: 'trial-paused', trial, epoch: outcome.epoch });
    return;
  }
  const status: TrialStatus = outcome.kind === 'crashed' ? 'failed' : outcome.kind;
  store.finishTrial(trial.id, status, status === 'stopped' ? undefined : outcome.reason);
  if (status !== 'failed') {
    store.dropCheckpoint(trial.id);
    files.remove(trial.id);
  }
  emit({
    type: 'trial-finished',
    trial,
    status,
    seconds,
    ...(outcome.reason === undefined ? {} : { reason: outcome.reason }),
  });
}
