/**
 * `gridsweep query "SQL"`: run one read-only SQL statement against a sweep
 * database and print the rows, while a sweep writes to it if need be.
 */
import type { Argv, CommandModule } from 'yargs';

import { ROW_FORMATS, type RowFormat } from '../../query/rows-output.js';
import { InputError } from '../../errors.js';
import { resolveDbPath } from '../db-path.js';
import { readDbOption } from '../options.js';

interface QueryArgs {
  sql: string;
  db?: string;
  format: RowFormat;
  timeout: number;
}

export const queryCommand: CommandModule<object, QueryArgs> = {
  command: 'query <sql>',
  describe: 'Run one read-only SQL query on a sweep database',
  builder: (yargs: Argv) =>
    yargs
      .positional('sql', {
        type: 'string',
        describe: 'One SQL statement that reads (SELECT, WITH, a reading PRAGMA)',
        demandOption: true,
      })
      .option('db', readDbOption)
      .option('format', {
        choices: ROW_FORMATS,
        default: 'table' as const,
        describe: 'table, csv (RFC 4180; NULL is an empty field) or json',
      })
      .option('timeout', {
        type: 'number',
        default: 30,
        describe: 'Seconds before the query is stopped',
      })
      .check((args) => {
        if (!(args.timeout > 0)) {
          throw new InputError(
            'E_ARGUMENT',
            `--timeout: expected seconds > 0, received ${args.timeout}`,
          );
        }
        return true;
      })
      .example('$0 query "SELECT * FROM best_cells ORDER BY rank LIMIT 5"', '')
      .example(
        '$0 query "SELECT image_size, max(best_val_acc) FROM trial_summary ' +
          'GROUP BY image_size" --format csv',
        '',
      ) as unknown as Argv<QueryArgs>,
  handler: async (args) => {
    const { runQuery } = await import('../../query/run-query.js');
    const { formatRows } = await import('../../query/rows-output.js');
    const result = await runQuery(resolveDbPath(args.db), String(args.sql), {
      timeoutMs: args.timeout * 1000,
    });
    process.stdout.write(`${formatRows(result, args.format)}\n`);
  },
};
