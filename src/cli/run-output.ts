/**
 * Where `gridsweep run` reports progress: bars redrawn in place on a
 * terminal, or one plain line per event that matters for logs and pipes.
 */
import type { SweepEvent } from '../coordinator/events.js';
import type { Experiment } from '../experiment/schema.js';
import { varyingAxes } from '../experiment/plan.js';
import type { Logger } from '../log.js';
import { mayStopEarly } from '../status/eta.js';
import { stderrLogger } from './logger.js';
import { createProgressDisplay } from './progress.js';
import { createRunReporter } from './run-reporter.js';

export const PROGRESS_MODES = ['auto', 'bars', 'lines'] as const;
export type ProgressMode = (typeof PROGRESS_MODES)[number];

export interface RunOutput {
  /** For the run's own messages: above the bars when they are shown. */
  logger: Logger;
  onEvent: (event: SweepEvent) => void;
}

/**
 * Bars when `mode` is 'bars', or 'auto' and stderr is a terminal; lines
 * otherwise, through `logger`.
 */
export function chooseRunOutput(
  mode: ProgressMode,
  logger: Logger,
  options: { experiment: Experiment; epochs: boolean },
): RunOutput {
  const varying = varyingAxes(options.experiment);
  const bars = mode === 'bars' || (mode === 'auto' && process.stderr.isTTY === true);
  if (!bars) {
    return {
      logger,
      onEvent: createRunReporter(logger.info, { varying, epochs: options.epochs }),
    };
  }

  const display = createProgressDisplay(process.stderr, {
    varying,
    stopsEarly: mayStopEarly(options.experiment.stopping),
    epochs: options.epochs,
  });
  return {
    logger: stderrLogger({ write: (text) => display.write(text) }),
    onEvent: (event) => display.onEvent(event),
  };
}
