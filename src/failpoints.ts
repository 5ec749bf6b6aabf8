/**
 * Failpoints: faults the test suites inject into a real run through the
 * GRIDSWEEP_FAILPOINTS environment variable, so crash recovery is tested
 * on the code users run rather than on a copy. Unset, nothing happens.
 *
 *   GRIDSWEEP_FAILPOINTS="exit,epoch=2,attempt=1;hang,epoch=3,trial=1"
 *
 * Each entry is an action (exit: the worker thread exits; throw: training
 * throws; hang: the worker stops responding) and the conditions that must
 * all hold: epoch (after that epoch is reported), attempt, trial (index).
 */
export type FailAction = 'exit' | 'throw' | 'hang';

export interface FailPoint {
  action: FailAction;
  epoch?: number;
  attempt?: number;
  trial?: number;
}

const ACTIONS: readonly FailAction[] = ['exit', 'throw', 'hang'];

export function parseFailPoints(text: string | undefined): FailPoint[] {
  if (!text) return [];
  return text
    .split(';')
    .filter((entry) => entry.trim() !== '')
    .map((entry) => {
      const [action, ...conditions] = entry.split(',').map((part) => part.trim());
      if (!ACTIONS.includes(action as FailAction)) {
        throw new Error(`GRIDSWEEP_FAILPOINTS: unknown action '${action}' in '${entry}'`);
      }
      const point: FailPoint = { action: action as FailAction };
      for (const condition of conditions) {
        const [key, value] = condition.split('=');
        const n = Number(value);
        if ((key !== 'epoch' && key !== 'attempt' && key !== 'trial') || !Number.isInteger(n)) {
          throw new Error(`GRIDSWEEP_FAILPOINTS: bad condition '${condition}' in '${entry}'`);
        }
        point[key] = n;
      }
      return point;
    });
}

/** The first failpoint whose conditions all hold, if any. */
export function failPointAt(
  points: readonly FailPoint[],
  at: { epoch: number; attempt: number; trial: number },
): FailAction | undefined {
  return points.find(
    (point) =>
      (point.epoch === undefined || point.epoch === at.epoch) &&
      (point.attempt === undefined || point.attempt === at.attempt) &&
      (point.trial === undefined || point.trial === at.trial),
  )?.action;
}
