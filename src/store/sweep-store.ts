/**
 * The coordinator's writer: the only code that changes a sweep database.
 * Every change that belongs together is one transaction, so a process killed
 * at any instant leaves the file consistent: an epoch row and its trial's
 * summary move together, and a trial reset discards its epochs atomically.
 */
import os from 'node:os';

import type { Trial } from '../experiment/trial.js';
import type { Decision, EpochPoint } from '../stopping/rules.js';
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

/** How one attempt at a trial ended; 'lost' when its process died. */
export type AttemptStatus =
  | 'running'
  | 'done'
  | 'failed'
  | 'diverged'
  | 'stopped'
  | 'interrupted'
  | 'lost';

export interface CheckpointRecord {
  epoch: number;
  /** Path of the checkpoint file, relative to the database's folder. */
  file: string;
  bytes: number;
  sha256: string;
}

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
  private runId: number | null = null;

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

  /**
   * Records this process as running the sweep. Its heartbeat moves with
   * every epoch written, so `status` can tell a live run from a dead one.
   */
  beginRun(sweepId: string, workers: number): number {
    const result = this.statements.insertRun.run({
      sweep_id: sweepId,
      host: os.hostname(),
      pid: process.pid,
      workers,
    });
    this.runId = Number(result.lastInsertRowid);
    return this.runId;
  }

  finishRun(status: SweepStatus): void {
    if (this.runId !== null) this.statements.finishRun.run(status, this.runId);
  }

  /**
   * Attempts still marked running belong to a process that died (a run
   * never leaves one behind): they are closed as lost.
   */
  closeLostAttempts(sweepId: string): number {
    return this.statements.closeLostAttempts.run(sweepId).changes;
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
      this.statements.deleteDecisionsAfter.run(trialId, 0);
      this.statements.deleteCheckpoint.run(trialId);
      this.statements.resetTrial.run(trialId);
    })();
  }

  /**
   * Puts a trial back to pending as it was after `epoch`, where its
   * checkpoint was saved: later epochs and decisions go, and the summary is
   * recomputed from the epochs kept, in one transaction.
   */
  rewindTrial(trialId: string, epoch: number): void {
    this.db.transaction(() => {
      this.statements.deleteEpochsAfter.run(trialId, epoch);
      this.statements.deleteDecisionsAfter.run(trialId, epoch);
      this.statements.resetTrial.run(trialId);
      this.statements.resummariseTrial.run(trialId);
    })();
  }

  /**
   * Marks a trial running and opens an attempt for it; returns the
   * attempt's number (1 for the first ever). `worker` names the
   * `gridsweep worker` process training it, when it is not this one.
   */
  startTrial(trialId: string, resumedFrom = 0, worker?: string): number {
    return this.db.transaction(() => {
      this.statements.startTrial.run(trialId);
      const { attempts } = this.statements.trialAttempts.get(trialId) as {
        attempts: number;
      };
      this.statements.insertAttempt.run({
        trial_id: trialId,
        attempt: attempts,
        run_id: this.runId,
        resumed_from: resumedFrom,
        worker: worker ?? null,
      });
      return attempts;
    })();
  }

  finishAttempt(
    trialId: string,
    attempt: number,
    status: AttemptStatus,
    error?: string,
  ): void {
    this.statements.finishAttempt.run({
      trial_id: trialId,
      attempt,
      status,
      error: error ?? null,
    });
  }

  setTrialBackend(trialId: string, backend: string, attempt?: number): void {
    this.statements.setTrialBackend.run(backend, trialId);
    if (attempt !== undefined) {
      this.statements.setAttemptBackend.run(backend, trialId, attempt);
    }
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
      this.statements.countAttemptEpoch.run(row.epoch, trialId);
      if (this.runId !== null) this.statements.heartbeat.run(this.runId);
    })();
  }

  /** A trial's epochs so far, as the stopping rules read them. */
  epochHistory(trialId: string): EpochPoint[] {
    const rows = this.statements.epochHistory.all(trialId) as {
      epoch: number;
      loss: number | null;
      val_loss: number | null;
      val_acc: number | null;
    }[];
    return rows.map((row) => ({
      epoch: row.epoch,
      loss: row.loss ?? Number.NaN,
      valLoss: row.val_loss ?? Number.NaN,
      valAcc: row.val_acc ?? Number.NaN,
    }));
  }

  /**
   * The best validation accuracy up to `epoch` of every other trial of the
   * sweep that has reached `epoch`: what median stopping and ASHA compare.
   */
  peerScores(sweepId: string, trialId: string, epoch: number): number[] {
    const rows = this.statements.peerScores.all({
      sweep_id: sweepId,
      trial_id: trialId,
      epoch,
    }) as { best: number | null }[];
    return rows.flatMap((row) => (row.best === null ? [] : [row.best]));
  }

  recordDecision(trialId: string, epoch: number, decision: Decision): void {
    this.statements.insertDecision.run({
      trial_id: trialId,
      epoch,
      rule: decision.rule,
      action: decision.action,
      metric: decision.metric,
      value: finiteOrNull(decision.value ?? Number.NaN),
      threshold: finiteOrNull(decision.threshold ?? Number.NaN),
      peers: decision.peers,
      reason: decision.reason,
    });
  }

  saveCheckpoint(trialId: string, checkpoint: CheckpointRecord): void {
    this.statements.upsertCheckpoint.run({ trial_id: trialId, ...checkpoint });
  }

  checkpointOf(trialId: string): CheckpointRecord | undefined {
    return this.statements.checkpointOf.get(trialId) as CheckpointRecord | undefined;
  }

  dropCheckpoint(trialId: string): void {
    this.statements.deleteCheckpoint.run(trialId);
  }

  /** Back to pending after a pause; its epochs and checkpoint stay. */
  pauseTrial(trialId: string): void {
    this.statements.pauseTrial.run(trialId);
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
    insertRun: db.prepare(`
      INSERT INTO runs (sweep_id, host, pid, workers, started_at, heartbeat_at,
                        status)
      VALUES (@sweep_id, @host, @pid, @workers, ${NOW}, ${NOW}, 'running')`),
    finishRun: db.prepare(
      `UPDATE runs SET status = ?, finished_at = ${NOW}, heartbeat_at = ${NOW}
       WHERE id = ?`,
    ),
    heartbeat: db.prepare(`UPDATE runs SET heartbeat_at = ${NOW} WHERE id = ?`),
    closeLostAttempts: db.prepare(`
      UPDATE attempts SET status = 'lost', finished_at = ${NOW}
      WHERE status = 'running'
        AND trial_id IN (SELECT id FROM trials WHERE sweep_id = ?)`),
    trialAttempts: db.prepare('SELECT attempts FROM trials WHERE id = ?'),
    insertAttempt: db.prepare(`
      INSERT INTO attempts (trial_id, attempt, run_id, resumed_from, started_at,
                            status, epochs_done, worker)
      VALUES (@trial_id, @attempt, @run_id, @resumed_from, ${NOW}, 'running',
              @resumed_from, @worker)`),
    finishAttempt: db.prepare(`
      UPDATE attempts SET status = @status, error = @error,
        finished_at = ${NOW}
      WHERE trial_id = @trial_id AND attempt = @attempt`),
    setAttemptBackend: db.prepare(
      'UPDATE attempts SET backend = ? WHERE trial_id = ? AND attempt = ?',
    ),
    countAttemptEpoch: db.prepare(`
      UPDATE attempts SET epochs_done = ?
      WHERE trial_id = ? AND status = 'running'`),
    deleteEpochsAfter: db.prepare(
      'DELETE FROM epochs WHERE trial_id = ? AND epoch > ?',
    ),
    deleteDecisionsAfter: db.prepare(
      'DELETE FROM decisions WHERE trial_id = ? AND epoch > ?',
    ),
    resummariseTrial: db.prepare(`
      UPDATE trials SET
        epochs_done = coalesce((SELECT max(epoch) FROM epochs
                                WHERE trial_id = trials.id), 0),
        final_val_acc = (SELECT val_acc FROM epochs WHERE trial_id = trials.id
                         ORDER BY epoch DESC LIMIT 1),
        best_val_acc = (SELECT max(val_acc) FROM epochs
                        WHERE trial_id = trials.id),
        best_epoch = (SELECT epoch FROM epochs WHERE trial_id = trials.id
                        AND val_acc IS NOT NULL
                      ORDER BY val_acc DESC, epoch ASC LIMIT 1)
      WHERE id = ?`),
    epochHistory: db.prepare(`
      SELECT epoch, loss, val_loss, val_acc FROM epochs
      WHERE trial_id = ? ORDER BY epoch`),
    peerScores: db.prepare(`
      SELECT max(e.val_acc) AS best
      FROM trials t JOIN epochs e ON e.trial_id = t.id
      WHERE t.sweep_id = @sweep_id AND t.id <> @trial_id
        AND t.epochs_done >= @epoch AND e.epoch <= @epoch
      GROUP BY t.id`),
    insertDecision: db.prepare(`
      INSERT OR REPLACE INTO decisions (trial_id, epoch, rule, action, metric,
        value, threshold, peers, reason, decided_at)
      VALUES (@trial_id, @epoch, @rule, @action, @metric, @value, @threshold,
        @peers, @reason, ${NOW})`),
    upsertCheckpoint: db.prepare(`
      INSERT INTO checkpoints (trial_id, epoch, file, bytes, sha256, saved_at)
      VALUES (@trial_id, @epoch, @file, @bytes, @sha256, ${NOW})
      ON CONFLICT (trial_id) DO UPDATE SET epoch = excluded.epoch,
        file = excluded.file, bytes = excluded.bytes,
        sha256 = excluded.sha256, saved_at = excluded.saved_at`),
    checkpointOf: db.prepare(
      'SELECT epoch, file, bytes, sha256 FROM checkpoints WHERE trial_id = ?',
    ),
    deleteCheckpoint: db.prepare('DELETE FROM checkpoints WHERE trial_id = ?'),
    pauseTrial: db.prepare(`
      UPDATE trials SET status = 'pending', finished_at = NULL WHERE id = ?`),
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
