/**
 * The CLI's logger: one line per event on stderr, so that stdout stays
 * clean for data (`--json`, tables piped elsewhere).
 */
import type { Logger } from '../log.js';

export function stderrLogger(options: { debug?: boolean } = {}): Logger {
  const debug = options.debug ?? process.env.GRIDSWEEP_DEBUG === '1';
  return {
    info: (message) => process.stderr.write(`${message}\n`),
    warn: (message) => process.stderr.write(`warning: ${message}\n`),
    debug: (message) => {
      if (debug) process.stderr.write(`debug: ${message}\n`);
    },
  };
}
