/**
 * The CLI's logger: one line per event on stderr, so that stdout stays
 * clean for data (`--json`, tables piped elsewhere).
 */
import type { Logger } from '../log.js';

export function stderrLogger(
  options: {
    debug?: boolean;
    /** Where lines go instead of stderr, e.g. above `run`'s progress bars. */
    write?: (text: string) => void;
  } = {},
): Logger {
  const debug = options.debug ?? process.env.GRIDSWEEP_DEBUG === '1';
  const write = options.write ?? ((text: string) => process.stderr.write(text));
  return {
    info: (message) => write(`${message}\n`),
    warn: (message) => write(`warning: ${message}\n`),
    debug: (message) => {
      if (debug) write(`debug: ${message}\n`);
    },
  };
}
