/**
 * The coordinator's side of one attempt at a trial, wherever it trains (a
 * thread of the local pool, or a `gridsweep worker` on another machine):
 * it records each epoch, asks the stopping rules, answers with a verdict,
 * and stores checkpoints. Database errors end the whole run
 * (context.fatal), since nothing more could be recorded.
 */
import type { Trial } from '../experiment/trial.js';
import { judgeEpoch, type Decision, type EpochPoint } from '../stopping/rules.js';
import type { RunContext } from './context.js';
import { recordingFailed } from './recording-error.js';
import type {
  BackendName,
  CoordinatorMessage,
  EpochVerdict,
  WorkerMessage,
} from './protocol.js';

export interface Conversation {
  handle(message: WorkerMessage): void;
  /** The worker went away without its last message. */
  hangUp(): void;
  backend(): BackendName | null;
  lastEpoch(): number;
  /** performance.now() of the worker's latest message: hung workers go quiet. */
  lastHeard(): number;
  /** A stopping rule stopped the trial. */
  decided(): boolean;
  /** Resolves once the worker's last message is in. */
  closed(): Promise<void>;
}

export interface ConversationOptions {
  trial: Trial;
  attempt: number;
  resumeFrom: number;
  /** Sends a message back to the worker. */
  reply: (message: CoordinatorMessage) => void;
  /** Called when a database error ends the run. */
  onFatal?: () => void;
  /** Who trains it, when not this process: `host:pid`. */
  worker?: string;
}

export function openConversation(
  options: ConversationOptions,
  context: RunContext,
): Conversation {
  const { trial, attempt, resumeFrom, reply } = options;
  const { store, files, emit } = context;
  const history: EpochPoint[] = resumeFrom > 0 ? store.epochHistory(trial.id) : [];
  let backend: BackendName | null = null;
  let lastEpoch = resumeFrom;
  let decided = false;
  let closed = false;
  let onClose: (() => void) | undefined;
  let lastHeard = performance.now();

  const finish = () => {
    closed = true;
    onClose?.();
  };

  const record = (message: WorkerMessage) => {
    switch (message.type) {
      case 'started':
        backend = message.backend;
        store.setTrialBackend(trial.id, message.backend, attempt);
        emit({
          type: 'trial-started',
          trial,
          backend: message.backend,
          attempt,
          resumeFrom,
          ...(options.worker === undefined ? {} : { worker: options.worker }),
        });
        break;
      case 'epoch': {
        const { metrics } = message;
        store.recordEpoch(trial.id, metrics);
        lastEpoch = metrics.epoch;
        emit({ type: 'epoch', trial, metrics });
        history.push(metrics);
        const verdict = judge(trial, history, context);
        decided ||= verdict.stop !== undefined;
        reply({ type: 'verdict', epoch: metrics.epoch, verdict });
        break;
      }
      case 'checkpoint': {
        const saved = files.write(trial.id, message.epoch, message.bytes);
        store.saveCheckpoint(trial.id, saved);
        emit({ type: 'checkpoint', trial, epoch: message.epoch, bytes: saved.bytes });
        break;
      }
      case 'end':
        finish();
        break;
    }
  };

  return {
    handle(message) {
      lastHeard = performance.now();
      if (context.fatal !== undefined) return;
      try {
        record(message);
      } catch (error) {
        context.fatal = recordingFailed(error, trial, context.db);
        options.onFatal?.();
        context.stopWorkers();
      }
    },
    hangUp: finish,
    backend: () => backend,
    lastEpoch: () => lastEpoch,
    lastHeard: () => lastHeard,
    decided: () => decided,
    closed: () =>
      new Promise<void>((resolve) => {
        if (closed) resolve();
        else onClose = resolve;
      }),
  };
}

/** The stopping rules' verdict on the trial's latest epoch, recorded. */
function judge(trial: Trial, history: EpochPoint[], context: RunContext): EpochVerdict {
  const { policy, store, sweepId, checkpointEvery } = context;
  const { epochs: maxEpochs } = trial.params;
  const epoch = history.at(-1)!.epoch;
  const decisions = judgeEpoch(
    policy,
    { epochs: history, maxEpochs, classes: context.numClasses },
    (at) => store.peerScores(sweepId, trial.id, at),
  );
  for (const decision of decisions) recordDecision(context, trial, epoch, decision);

  const stop = decisions.find((decision) => decision.action === 'stop');
  if (stop) return { stop: { status: stop.status, reason: stop.reason } };
  if (epoch >= maxEpochs) return {};
  if (context.stop?.aborted) {
    return { checkpoint: true, stop: { status: 'paused', reason: 'interrupted' } };
  }
  return checkpointEvery > 0 && epoch % checkpointEvery === 0 ? { checkpoint: true } : {};
}

export function recordDecision(
  context: RunContext,
  trial: Trial,
  epoch: number,
  decision: Decision,
): void {
  context.store.recordDecision(trial.id, epoch, decision);
  context.emit({ type: 'decision', trial, epoch, decision });
}
