/**
 * Deciding whether a user's SQL may run. The connection is already
 * read-only, which stops writes to the file; this also refuses what a
 * read-only connection would still allow: ATTACH and DETACH, pragmas that
 * change the connection's state, and several statements in one string.
 */
import type { Statement } from 'better-sqlite3';

import { InputError } from '../errors.js';
import type { Db } from '../store/database.js';

/** Pragmas that only report, with or without an argument naming a table. */
const READING_PRAGMAS = new Set([
  'application_id',
  'collation_list',
  'compile_options',
  'data_version',
  'database_list',
  'encoding',
  'foreign_key_check',
  'foreign_key_list',
  'foreign_keys',
  'freelist_count',
  'function_list',
  'index_info',
  'index_list',
  'index_xinfo',
  'integrity_check',
  'journal_mode',
  'module_list',
  'page_count',
  'page_size',
  'pragma_list',
  'quick_check',
  'schema_version',
  'table_info',
  'table_list',
  'table_xinfo',
  'user_version',
]);

/**
 * Of the pragmas above, those whose argument is a name to look up. For the
 * others an argument sets a value (`PRAGMA user_version(3)` is a write).
 */
const PRAGMAS_TAKING_A_NAME = new Set([
  'foreign_key_check',
  'foreign_key_list',
  'index_info',
  'index_list',
  'index_xinfo',
  'integrity_check',
  'quick_check',
  'table_info',
  'table_list',
  'table_xinfo',
]);

const REFUSED_HINT =
  'gridsweep query only reads; to change the file, stop the sweep and use ' +
  'the sqlite3 shell';

/**
 * Prepares `sql` on `db` and returns the statement if it only reads and
 * returns rows; otherwise throws an InputError saying why.
 */
export function prepareReadOnly(db: Db, sql: string): Statement {
  const keyword = firstKeyword(sql);
  if (keyword === undefined) {
    throw new InputError('E_ARGUMENT', 'query: the SQL is empty');
  }

  const statement = prepare(db, sql);
  if (keyword === 'ATTACH' || keyword === 'DETACH') {
    throw refused(keyword, 'it changes which files the connection can see');
  }
  if (keyword === 'PRAGMA') checkPragma(sql);
  if (!statement.readonly) {
    throw refused(keyword, 'it writes to the database');
  }
  if (!statement.reader) {
    throw refused(keyword, 'it returns no rows (only queries are run)');
  }
  return statement;
}

function prepare(db: Db, sql: string): Statement {
  try {
    return db.prepare(sql);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (/more than one statement/.test(message)) {
      throw new InputError(
        'E_ARGUMENT',
        'query: the SQL holds more than one statement; give one at a time',
      );
    }
    throw new InputError('E_ARGUMENT', `query: SQL error: ${message}`, [], {
      cause: error,
    });
  }
}

function checkPragma(sql: string): void {
  const text = stripComments(sql).trim();
  const match = /^PRAGMA\s+(?:\w+\s*\.\s*)?(\w+)\s*(.*?)\s*;?\s*$/is.exec(text);
  const name = match?.[1]?.toLowerCase() ?? '';
  const rest = match?.[2] ?? '';

  if (!READING_PRAGMAS.has(name)) {
    throw refused(
      `PRAGMA ${name}`,
      'it is not one of the pragmas that only report ' +
        `(${[...READING_PRAGMAS].join(', ')})`,
    );
  }
  if (rest.startsWith('=') || (rest !== '' && !PRAGMAS_TAKING_A_NAME.has(name))) {
    throw refused(text.replace(/\s*;?\s*$/, ''), 'it sets a value');
  }
}

function refused(what: string, why: string): InputError {
  return new InputError('E_ARGUMENT', `query: refused ${what}: ${why}`, [], {
    hint: REFUSED_HINT,
  });
}

/** The statement's first keyword in upper case, after comments. */
export function firstKeyword(sql: string): string | undefined {
  const match = /^\s*([A-Za-z]+)/.exec(stripComments(sql));
  return match?.[1]?.toUpperCase();
}

/** Removes `-- line` and `/* block *\/` comments outside string literals. */
function stripComments(sql: string): string {
  return sql.replace(
    /('(?:[^']|'')*'|"(?:[^"]|"")*")|--[^\n]*|\/\*[\s\S]*?(?:\*\/|$)/g,
    (_whole, quoted: string | undefined) => quoted ?? ' ',
  );
}
