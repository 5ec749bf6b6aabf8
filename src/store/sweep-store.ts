/**
 * The coordinator's writer: the only code that changes a sweep database.
 * Every change that belongs together is one transaction, so a process killed
 * at any instant leaves the file consistent: an epoch row and its trial's
 * summary move together, and a trial reset discards its epochs atomically.
 */
import type { Trial } from '../experiment/trial.js';
import type { EpochMetrics } from '../train/loop.js';
import { openDatabase, type Db } from './database.js';

export type TrialStatus =
  | 'pending'
  | 'running'
  | 'done'
  | 'failed'
  | 'diverged'
  | 'stopped';

export type SweepStatus = 'running' | 'done' | 'failed' | 'interrupted';

/** Statuses a new run leaves alone: the trial's result stands. */
export const FINAL_STATUSES: readonly TrialStatus[] = ['done', 'diverged', 'stopped'];

export type StatusCounts = Partial<Record<TrialStatus, number>>;

/** One epoch's metrics, as the training loop reports them. */
export type EpochRow = EpochMetrics;

export interface SweepRecord {
  id: string;
  name: string;
  experimentJson: string;
  /** Classes in the dataset; chance accuracy is 1 / classes. */
  classes?: number;
  backend?: string;
  envJson?: string;
}

export class SweepStore {
  readonly db: Db;
  readonly file: string;
  private readonly statements;

  constructor(file: string) {
    this.file = file;
    this.db = openDatabase(file);
    this.statements = prepareStatements(this.db);
  }

  /** Records the sweep (or reopens it) as running. */
  beginSweep(sweep: SweepRecord): void {
    this.statements.upsertSweep.run({
      id: sweep.id,
      name: sweep.name,
      experiment_json: sweep.experimentJson,
      classes: sweep.classes ?? null,
      backend: sweep.backend ?? null,
      env_json: sweep.envJson ?? null,
    });
  }

  setSweepBackend(sweepId: string, backend: string): void {
    this.statements.setSweepBackend.run(backend, sweepId);
  }

  finishSweep(sweepId: string, status: SweepStatus): void {
    this.statements.finishSweep.run(status, sweepId);
  }

  /**
   * Adds the trials the database does not have yet as pending, and returns
   * the status of every trial in the plan.
   */
  syncTrials(sweepId: string, trials: readonly Trial[]): Map<string, TrialStatus> {
    const statuses = new Map<string, TrialStatus>();
    this.db.transaction(() => {
      for (const trial of trials) {
        this.statements.insertTrial.run(trialRow(sweepId, trial));
        const row = this.statements.trialStatus.get(trial.id) as {
          status: TrialStatus;
        };
        statuses.set(trial.id, row.status);
      }
    })();
    return statuses;
  }

  /**
   * Puts a trial back to pending and deletes its epochs, in one
   * transaction: used for trials left `running` by a process that died, and
   * for failed trials tried again.
   */
  resetTrial(trialId: string): void {
    this.db.transaction(() => {
      this.statements.deleteEpochs.run(trialId);
      this.statements.resetTrial.run(trialId);
    })();
  }

  startTrial(trialId: string): void {
    this.statements.startTrial.run(trialId);
  }

  setTrialBackend(trialId: string, backend: string): void {
    this.statements.setTrialBackend.run(backend, trialId);
  }

  /** One epoch's metrics and the trial's running summary, atomically. */
  recordEpoch(trialId: string, row: EpochRow): void {
    this.db.transaction(() => {
      this.statements.insertEpoch.run({
        trial_id: trialId,
        epoch: row.epoch,
        loss: finiteOrNull(row.loss),
        acc: finiteOrNull(row.acc),
        val_loss: finiteOrNull(row.valLoss),
        val_acc: finiteOrNull(row.valAcc),
        seconds: row.seconds,
      });
      this.statements.summariseTrial.run({
        trial_id: trialId,
        epoch: row.epoch,
        val_acc: finiteOrNull(row.valAcc),
      });
    })();
  }

  finishTrial(trialId: string, status: TrialStatus, error?: string): void {
    this.statements.finishTrial.run({
      id: trialId,
      status,
      error: error ?? null,
    });
  }

  /** How many of the given trials are in each status. */
  countStatuses(trialIds: readonly string[]): StatusCounts {
    const rows = this.statements.countStatuses.all(JSON.stringify(trialIds)) as {
      status: TrialStatus;
      n: number;
    }[];
    return Object.fromEntries(rows.map((row) => [row.status, row.n]));
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

function prepareStatements(db: Db) {
  return {
    upsertSweep: db.prepare(`
      INSERT INTO sweeps (id, name, experiment_json, created_at, status,
                          classes, backend, env_json)
      VALUES (@id, @name, @experiment_json, ${NOW}, 'running', @classes,
              @backend, @env_json)
      ON CONFLICT (id) DO UPDATE SET
        experiment_json = excluded.experiment_json,
        classes = coalesce(excluded.classes, classes),
        status = 'running',
        finished_at = NULL,
        backend = coalesce(excluded.backend, backend),
        env_json = excluded.env_json`),
    setSweepBackend: db.prepare('UPDATE sweeps SET backend = ? WHERE id = ?'),
    finishSweep: db.prepare(
      `UPDATE sweeps SET status = ?, finished_at = ${NOW} WHERE id = ?`,
    ),
    insertTrial: db.prepare(`
      INSERT INTO trials (id, sweep_id, trial_index, learning_rate, image_size,
        filters, architecture, dropout, epochs, batch_size, optimizer, decay,
        repeat, seed)
      VALUES (@id, @sweep_id, @trial_index, @learning_rate, @image_size,
        @filters, @architecture, @dropout, @epochs, @batch_size, @optimizer,
        @decay, @repeat, @seed)
      ON CONFLICT (id) DO NOTHING`),
    trialStatus: db.prepare('SELECT status FROM trials WHERE id = ?'),
    deleteEpochs: db.prepare('DELETE FROM epochs WHERE trial_id = ?'),
    resetTrial: db.prepare(`
      UPDATE trials SET status = 'pending', error = NULL, started_at = NULL,
        finished_at = NULL, best_val_acc = NULL, best_epoch = NULL,
        final_val_acc = NULL, epochs_done = 0
      WHERE id = ?`),
    startTrial: db.prepare(`
      UPDATE trials SET status = 'running', attempts = attempts + 1,
        started_at = ${NOW}, finished_at = NULL, error = NULL
      WHERE id = ?`),
    setTrialBackend: db.prepare('UPDATE trials SET backend = ? WHERE id = ?'),
    insertEpoch: db.prepare(`
      INSERT INTO epochs (trial_id, epoch, loss, acc, val_loss, val_acc, seconds)
      VALUES (@trial_id, @epoch, @loss, @acc, @val_loss, @val_acc, @seconds)`),
    // SQLite evaluates every SET expression against the old row, so the
    // best_epoch test below still sees the previous best_val_acc.
    summariseTrial: db.prepare(`
      UPDATE trials SET
        epochs_done = @epoch,
        final_val_acc = @val_acc,
        best_epoch = CASE WHEN ${IMPROVES} THEN @epoch ELSE best_epoch END,
        best_val_acc = CASE WHEN ${IMPROVES} THEN @val_acc ELSE best_val_acc END
      WHERE id = @trial_id`),
    countStatuses: db.prepare(`
      SELECT status, count(*) AS n FROM trials
      WHERE id IN (SELECT value FROM json_each(?))
      GROUP BY status`),
    finishTrial: db.prepare(`
      UPDATE trials SET status = @status, error = @error,
        finished_at = ${NOW}
      WHERE id = @id`),
  };
}

const IMPROVES =
  '@val_acc IS NOT NULL AND (best_val_acc IS NULL OR @val_acc > best_val_acc)';

/** ISO 8601 UTC with milliseconds, sortable as text. */
const NOW = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";

function trialRow(sweepId: string, trial: Trial) {
  const p = trial.params;
  return {
    id: trial.id,
    sweep_id: sweepId,
    trial_index: trial.index,
    learning_rate: p.learningRate,
    image_size: p.imageSize,
    filters: p.filters,
    architecture: p.architecture,
    dropout: p.dropout,
    epochs: p.epochs,
    batch_size: p.batchSize,
    optimizer: p.optimizer,
    decay: p.decay,
    repeat: p.repeat,
    seed: p.seed,
  };
}

function finiteOrNull(value: number): number | null {
  return Number.isFinite(value) ? value : null;
}
