/**
 * Opening a sweep database to read one sweep from it, as `best` and
 * `effects` do, with the remarks a reader should see about what they read.
 */
import { openDatabase, type Db } from '../store/database.js';
import { chooseSweep, type SweepInfo } from './sweep-choice.js';

export interface OpenedSweep {
  db: Db;
  sweep: SweepInfo;
  /** Things to tell the reader: other sweeps, trials still running. */
  remarks: string[];
}

export function openSweep(file: string, wanted?: string): OpenedSweep {
  const db = openDatabase(file, { readonly: true });
  try {
    const sweep = chooseSweep(db, file, wanted);
    return { db, sweep, remarks: remarksAbout(sweep, wanted) };
  } catch (error) {
    db.close();
    throw error;
  }
}

function remarksAbout(sweep: SweepInfo, wanted: string | undefined): string[] {
  const remarks: string[] = [];
  if (sweep.others > 0 && wanted === undefined) {
    remarks.push(
      `the file holds ${sweep.others + 1} sweeps; reading the latest, ` +
        `${sweep.name} (${sweep.id}); choose another with --sweep`,
    );
  }
  const unfinished = sweep.trials - sweep.finished - sweep.failed;
  if (unfinished > 0) {
    remarks.push(
      `${sweep.finished} of ${sweep.trials} trials have a result ` +
        `(${sweep.running} running); these are the results so far`,
    );
  }
  if (sweep.failed > 0) {
    remarks.push(`${sweep.failed} failed trial(s) have no result and are left out`);
  }
  return remarks;
}
