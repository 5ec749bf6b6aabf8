/**
 * The piscina worker: trains one trial per task on this thread's
 * TensorFlow.js backend and reports each epoch over the task's port. The
 * backend is loaded once per thread and kept for the tasks that follow.
 */
import type {
  TrainTask,
  TrainTaskResult,
  WorkerMessage,
} from '../src/coordinator/protocol.js';
import { loadBackend } from '../src/model/backend.js';
import { trainTrial } from '../src/train/loop.js';

export async function train(task: TrainTask): Promise<TrainTaskResult> {
  const { port } = task;
  const { tf, name } = await loadBackend(task.backend);
  const send = (message: WorkerMessage) => port.postMessage(message);
  const trialId = task.trial.id;

  send({ type: 'started', trialId, backend: name });
  try {
    const result = await trainTrial(tf, {
      params: task.trial.params,
      numClasses: task.numClasses,
      train: task.train,
      validation: task.validation,
      onEpoch: (metrics) => send({ type: 'epoch', trialId, metrics }),
    });
    return {
      trialId,
      status: result.status,
      epochsRun: result.epochsRun,
      backend: name,
      ...(result.reason === undefined ? {} : { reason: result.reason }),
    };
  } finally {
    port.close();
  }
}
