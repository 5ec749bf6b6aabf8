/**
 * The error that ends a run when the database or the checkpoint folder
 * cannot be written. It says what could not be recorded and why, and that
 * nothing recorded before it is lost: every write is a transaction, and
 * the next run resumes from them.
 */
import { RuntimeError } from '../errors.js';
import type { Trial } from '../experiment/trial.js';

export function recordingFailed(error: unknown, trial: Trial | null, db: string): RuntimeError {
  const detail = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown } | null)?.code;
  const full = code === 'SQLITE_FULL' || code === 'ENOSPC';
  const what = trial ? `trial ${trial.id}` : 'the sweep';
  const why = full
    ? 'the disk is full'
    : code === 'SQLITE_BUSY'
      ? 'another process holds a write lock on it'
      : detail;
  return new RuntimeError('E_DATABASE', `cannot record ${what} in ${db}: ${why}`, {
    cause: error,
    hint:
      (full ? 'free some space, then ' : '') +
      'run the same command again: everything recorded before this is intact, ' +
      'and the run resumes from it',
  });
}

/** A failed write to the database or the checkpoint folder. */
export function isWriteError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return (
    typeof code === 'string' &&
    (code.startsWith('SQLITE_') || ['ENOSPC', 'EROFS', 'EACCES', 'EDQUOT', 'EIO'].includes(code))
  );
}
