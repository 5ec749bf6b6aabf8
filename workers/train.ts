/**
 * The piscina worker: trains one trial per task on this thread's
 * TensorFlow.js backend. It reports each epoch over the task's port, waits
 * for the coordinator's verdict (go on, save a checkpoint, stop), and sends
 * checkpoints back the same way. The backend is loaded once per thread and
 * kept for the tasks that follow.
 */
import type {
  CoordinatorMessage,
  EpochVerdict,
  TrainTask,
  TrainTaskResult,
  WorkerMessage,
} from '../src/coordinator/protocol.js';
import { failPointAt, parseFailPoints } from '../src/failpoints.js';
import { loadBackend } from '../src/model/backend.js';
import { decodeState } from '../src/train/checkpoint.js';
import { trainTrial } from '../src/train/loop.js';

const failPoints = parseFailPoints(process.env.GRIDSWEEP_FAILPOINTS);

export async function train(task: TrainTask): Promise<TrainTaskResult> {
  const { port, trial } = task;
  const { tf, name } = await loadBackend(task.backend);
  const send = (message: WorkerMessage, transfer: ArrayBuffer[] = []) =>
    port.postMessage(message, transfer);
  const verdicts = verdictReceiver(task);

  send({ type: 'started', trialId: trial.id, backend: name });
  try {
    const resume =
      task.checkpoint === undefined ? undefined : decodeState(task.checkpoint, trial.id);
    const result = await trainTrial(tf, {
      params: trial.params,
      numClasses: task.numClasses,
      train: task.train,
      validation: task.validation,
      trialId: trial.id,
      ...(resume === undefined ? {} : { resume }),
      onEpoch: async (metrics) => {
        send({ type: 'epoch', trialId: trial.id, metrics });
        injectFault(task, metrics.epoch);
        return verdicts.next(metrics.epoch);
      },
      onCheckpoint: (epoch, bytes) => {
        const buffer = bytes.buffer as ArrayBuffer;
        send({ type: 'checkpoint', trialId: trial.id, epoch, bytes }, [buffer]);
      },
    });
    return {
      trialId: trial.id,
      status: result.status,
      epochsRun: result.epochsRun,
      backend: name,
      ...(result.reason === undefined ? {} : { reason: result.reason }),
    };
  } catch (error) {
    return {
      trialId: trial.id,
      status: 'failed',
      epochsRun: 0,
      backend: name,
      reason: error instanceof Error ? error.message : String(error),
    };
  } finally {
    send({ type: 'end', trialId: trial.id });
    port.close();
  }
}

/** Resolves each epoch's verdict when the coordinator's reply arrives. */
function verdictReceiver(task: TrainTask) {
  type Waiter = { resolve: (verdict: EpochVerdict) => void; reject: (error: Error) => void };
  const waiting = new Map<number, Waiter>();
  const arrived = new Map<number, EpochVerdict>();
  let gone = false;
  task.port.on('message', (message: CoordinatorMessage) => {
    const waiter = waiting.get(message.epoch);
    if (waiter) {
      waiting.delete(message.epoch);
      waiter.resolve(message.verdict);
    } else {
      arrived.set(message.epoch, message.verdict);
    }
  });
  // The coordinator closed its end: no verdict will come, so stop training.
  task.port.on('close', () => {
    gone = true;
    for (const waiter of waiting.values()) {
      waiter.reject(new Error('the coordinator stopped listening'));
    }
    waiting.clear();
  });
  return {
    next(epoch: number): Promise<EpochVerdict> {
      const verdict = arrived.get(epoch);
      if (verdict) {
        arrived.delete(epoch);
        return Promise.resolve(verdict);
      }
      if (gone) return Promise.reject(new Error('the coordinator stopped listening'));
      return new Promise((resolve, reject) => waiting.set(epoch, { resolve, reject }));
    },
  };
}

function injectFault(task: TrainTask, epoch: number): void {
  const action = failPointAt(failPoints, {
    epoch,
    attempt: task.attempt,
    trial: task.trial.index,
  });
  if (action === 'exit') process.exit(70);
  if (action === 'throw') throw new Error(`failpoint: thrown after epoch ${epoch}`);
  if (action === 'hang') {
    // Blocks this thread for good, as a stuck native kernel would.
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
  }
}
