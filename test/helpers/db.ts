/** Reading a sweep database from a test, as any SQLite client would. */
import Database from 'better-sqlite3';

/** Every epoch's numbers, in a fixed order: equal curves, equal rows. */
export const CURVE_SQL =
  'SELECT trial_id, epoch, loss, acc, val_loss, val_acc FROM epochs ORDER BY 1, 2';

/** Runs one statement on a read-only connection and closes it. */
export function query<T = Record<string, unknown>>(db: string, sql: string): T[] {
  const conn = new Database(db, { readonly: true, fileMustExist: true });
  try {
    return conn.prepare(sql).all() as T[];
  } finally {
    conn.close();
  }
}
