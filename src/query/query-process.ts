/**
 * The child process that runs one user query. It lives in its own process
 * because better-sqlite3 runs a query synchronously inside SQLite, where
 * neither a timer nor Worker.terminate() can stop it; a process can be
 * killed. It answers its parent once, with plain data.
 */
import { openDatabase } from '../store/database.js';
import { GridsweepError, InputError } from '../errors.js';
import { prepareReadOnly } from './read-only.js';
import type { QueryReply, QueryRequest } from './query-result.js';

process.once('message', (request: QueryRequest) => {
  const reply = answer(request);
  process.send!(reply, () => process.disconnect());
});

function answer(request: QueryRequest): QueryReply {
  try {
    const db = openDatabase(request.file, { readonly: true });
    try {
      const statement = prepareReadOnly(db, request.sql);
      const columns = statement.columns().map((column) => column.name);
      const rows = statement.raw(true).all() as unknown[][];
      return { ok: true, result: { columns, rows } };
    } finally {
      db.close();
    }
  } catch (error) {
    return { ok: false, error: describe(error) };
  }
}

function describe(error: unknown): Extract<QueryReply, { ok: false }>['error'] {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof InputError) {
    return { input: true, message, hint: error.hint };
  }
  if (error instanceof GridsweepError) {
    return { input: false, message, hint: error.hint };
  }
  // What SQLite raises while stepping (a malformed JSON argument, an
  // overflow) is a fault of the query, as a syntax error is.
  return { input: true, message: `query: SQL error: ${message}`, hint: undefined };
}
