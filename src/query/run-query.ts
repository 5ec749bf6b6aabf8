/**
 * Running a user's SQL against a sweep database, read-only and with a time
 * limit. The query runs in a child process (see query-process.ts) that is
 * killed when the limit passes.
 */
import { fork } from 'node:child_process';

import { InputError, RuntimeError } from '../errors.js';
import type { QueryReply, QueryRequest, QueryResult } from './query-result.js';

export interface QueryOptions {
  /** Milliseconds before the query is stopped. Default 30000. */
  timeoutMs?: number;
}

export async function runQuery(
  file: string,
  sql: string,
  options: QueryOptions = {},
): Promise<QueryResult> {
  const reply = await askChild({ file, sql }, options.timeoutMs ?? 30_000);
  if (reply.ok) return reply.result;

  const { input, message, hint } = reply.error;
  const extra = hint === undefined ? {} : { hint };
  throw input
    ? new InputError('E_ARGUMENT', message, [], extra)
    : new RuntimeError('E_DATABASE', message, extra);
}

function askChild(request: QueryRequest, timeoutMs: number): Promise<QueryReply> {
  const child = fork(new URL('./query-process.js', import.meta.url), [], {
    serialization: 'advanced',
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));

  return new Promise((resolve, reject) => {
    let reply: QueryReply | undefined;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new RuntimeError(
          'E_DATABASE',
          `query: stopped after ${timeoutMs / 1000} s without finishing`,
          { hint: 'narrow the query, or allow longer with --timeout SECONDS' },
        ),
      );
    }, timeoutMs);

    child.once('message', (message) => (reply = message as QueryReply));
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(new RuntimeError('E_DATABASE', 'query: cannot start', { cause: error }));
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (reply) resolve(reply);
      else if (signal !== 'SIGKILL') reject(childDied(code, signal, stderr));
    });
    child.send(request);
  });
}

function childDied(
  code: number | null,
  signal: NodeJS.Signals | null,
  stderr: string,
): RuntimeError {
  return new RuntimeError(
    'E_DATABASE',
    `query: the query process ended without an answer ` +
      `(${signal ?? `exit code ${code}`})`,
    { cause: stderr.trim() || undefined },
  );
}
