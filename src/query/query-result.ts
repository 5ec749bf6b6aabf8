/**
 * What a query returns, and the messages between the query command and
 * the process that runs it: plain data, since they cross a process.
 */
export interface QueryResult {
  /** Column names in the order SQLite returns them (may repeat). */
  columns: string[];
  /** One array per row, values in column order; NULL is null. */
  rows: unknown[][];
}

export interface QueryRequest {
  file: string;
  sql: string;
}

export type QueryReply =
  | { ok: true; result: QueryResult }
  | {
      ok: false;
      error: { input: boolean; message: string; hint: string | undefined };
    };
