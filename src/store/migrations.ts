/**
 * The database schema, as numbered migrations. The schema is a public
 * contract (people write SQL against it), so it only ever changes by
 * appending a migration here; a shipped migration is never edited.
 * `PRAGMA user_version` records how many have been applied.
 */
export interface Migration {
  version: number;
  description: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'sweeps, trials and epochs',
    sql: `
      CREATE TABLE sweeps (
        id              TEXT PRIMARY KEY,
        name            TEXT NOT NULL,
        experiment_json TEXT NOT NULL,
        created_at      TEXT NOT NULL,
        finished_at     TEXT,
        status          TEXT NOT NULL
          CHECK (status IN ('running', 'done', 'failed', 'interrupted')),
        backend         TEXT,
        env_json        TEXT
      );

      CREATE TABLE trials (
        id            TEXT PRIMARY KEY,
        sweep_id      TEXT NOT NULL REFERENCES sweeps (id),
        trial_index   INTEGER NOT NULL,
        status        TEXT NOT NULL DEFAULT 'pending'
          CHECK (status IN
            ('pending', 'running', 'done', 'failed', 'diverged', 'stopped')),
        learning_rate REAL NOT NULL,
        image_size    INTEGER NOT NULL,
        filters       INTEGER NOT NULL,
        architecture  TEXT NOT NULL,
        dropout       REAL NOT NULL,
        epochs        INTEGER NOT NULL,
        batch_size    INTEGER NOT NULL,
        optimizer     TEXT NOT NULL,
        decay         REAL NOT NULL,
        repeat        INTEGER NOT NULL,
        seed          INTEGER NOT NULL,
        attempts      INTEGER NOT NULL DEFAULT 0,
        error         TEXT,
        started_at    TEXT,
        finished_at   TEXT,
        best_val_acc  REAL,
        best_epoch    INTEGER,
        final_val_acc REAL,
        epochs_done   INTEGER NOT NULL DEFAULT 0,
        backend       TEXT
      );
      CREATE INDEX trials_by_sweep ON trials (sweep_id, trial_index);
      CREATE INDEX trials_by_status ON trials (status);

      CREATE TABLE epochs (
        trial_id TEXT NOT NULL REFERENCES trials (id) ON DELETE CASCADE,
        epoch    INTEGER NOT NULL CHECK (epoch >= 1),
        loss     REAL,
        acc      REAL,
        val_loss REAL,
        val_acc  REAL,
        seconds  REAL NOT NULL,
        PRIMARY KEY (trial_id, epoch)
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 2,
    description: 'the number of classes, and views for the usual questions',
    // Views answer the usual questions without joins. They spell out every
    // grid column instead of sharing a constant with later code, so that
    // this migration's text can never change after it ships.
    // "Has a result" means done, stopped (early) or diverged: a diverged
    // trial did train, and its best accuracy before diverging is real.
    sql: `
      ALTER TABLE sweeps ADD COLUMN classes INTEGER;

      CREATE VIEW sweep_summary AS
      SELECT s.id AS sweep_id, s.name, s.status, s.created_at, s.finished_at,
        s.backend,
        coalesce(s.classes,
          CASE WHEN json_valid(s.experiment_json)
            THEN json_extract(s.experiment_json, '$.dataset.classes') END)
          AS classes,
        1.0 / coalesce(s.classes,
          CASE WHEN json_valid(s.experiment_json)
            THEN json_extract(s.experiment_json, '$.dataset.classes') END)
          AS chance,
        (SELECT count(*) FROM trials t WHERE t.sweep_id = s.id) AS trials,
        (SELECT count(*) FROM trials t WHERE t.sweep_id = s.id
          AND t.status IN ('done', 'stopped', 'diverged')) AS finished,
        (SELECT count(*) FROM trials t WHERE t.sweep_id = s.id
          AND t.status = 'running') AS running,
        (SELECT count(*) FROM trials t WHERE t.sweep_id = s.id
          AND t.status = 'pending') AS pending,
        (SELECT count(*) FROM trials t WHERE t.sweep_id = s.id
          AND t.status = 'failed') AS failed
      FROM sweeps s;

      CREATE VIEW trial_summary AS
      SELECT
        t.id AS trial_id, t.sweep_id, s.name AS sweep_name, t.trial_index,
        t.status,
        t.learning_rate, t.image_size, t.filters, t.architecture, t.dropout,
        t.epochs, t.batch_size, t.optimizer, t.decay, t.repeat, t.seed,
        t.best_val_acc, t.best_epoch, t.final_val_acc,
        (SELECT min(e.val_loss) FROM epochs e WHERE e.trial_id = t.id)
          AS min_val_loss,
        t.epochs_done,
        -- julianday's doubles carry ~40 us of error today; the times are
        -- written to the millisecond, so round to that.
        round((julianday(coalesce(t.finished_at,
                                  CASE WHEN t.status = 'running' THEN 'now' END))
          - julianday(t.started_at)) * 86400.0, 3) AS duration_s,
        t.attempts, t.error, t.backend,
        s.chance, t.started_at, t.finished_at
      FROM trials t JOIN sweep_summary s ON s.sweep_id = t.sweep_id;

      -- Trials with a result: the one place that decides which count.
      CREATE VIEW trial_metrics AS
      WITH finished AS (
        SELECT * FROM trial_summary
        WHERE status IN ('done', 'stopped', 'diverged')
      ),
      metrics AS (
        SELECT trial_id, sweep_id, 'best_val_acc' AS metric,
               best_val_acc AS value FROM finished
        UNION ALL SELECT trial_id, sweep_id, 'final_val_acc', final_val_acc
          FROM finished
        UNION ALL SELECT trial_id, sweep_id, 'min_val_loss', min_val_loss
          FROM finished
        UNION ALL SELECT trial_id, sweep_id, 'best_epoch', best_epoch
          FROM finished
        UNION ALL SELECT trial_id, sweep_id, 'duration_s', duration_s
          FROM finished
      )
      SELECT trial_id, sweep_id, metric, value FROM metrics
      WHERE value IS NOT NULL;

      CREATE VIEW trial_params_long AS
      SELECT id AS trial_id, sweep_id, 'learning_rate' AS param,
             learning_rate AS value FROM trials
      UNION ALL SELECT id, sweep_id, 'image_size', image_size FROM trials
      UNION ALL SELECT id, sweep_id, 'filters', filters FROM trials
      UNION ALL SELECT id, sweep_id, 'architecture', architecture FROM trials
      UNION ALL SELECT id, sweep_id, 'dropout', dropout FROM trials
      UNION ALL SELECT id, sweep_id, 'epochs', epochs FROM trials
      UNION ALL SELECT id, sweep_id, 'batch_size', batch_size FROM trials
      UNION ALL SELECT id, sweep_id, 'optimizer', optimizer FROM trials
      UNION ALL SELECT id, sweep_id, 'decay', decay FROM trials;

      -- Standard deviations are sample ones (n - 1), computed in two passes
      -- (mean first, by a window) so that near-equal values do not cancel.
      CREATE VIEW param_effects AS
      WITH x AS (
        SELECT p.sweep_id, p.param, p.value, m.metric, m.value AS v,
          avg(m.value) OVER (
            PARTITION BY p.sweep_id, p.param, p.value, m.metric) AS mean
        FROM trial_params_long p JOIN trial_metrics m ON m.trial_id = p.trial_id
      )
      SELECT sweep_id, param, value, metric, count(*) AS n, avg(v) AS mean,
        CASE WHEN count(*) > 1
          THEN sqrt(sum((v - mean) * (v - mean)) / (count(*) - 1)) END AS sd,
        min(v) AS min, max(v) AS max
      FROM x GROUP BY sweep_id, param, value, metric;

      CREATE VIEW pair_effects AS
      WITH x AS (
        SELECT a.sweep_id, a.param AS param_a, a.value AS value_a,
          b.param AS param_b, b.value AS value_b, m.metric, m.value AS v,
          avg(m.value) OVER (
            PARTITION BY a.sweep_id, a.param, a.value, b.param, b.value,
              m.metric) AS mean
        FROM trial_params_long a
          JOIN trial_params_long b
            ON b.trial_id = a.trial_id AND b.param <> a.param
          JOIN trial_metrics m ON m.trial_id = a.trial_id
      )
      SELECT sweep_id, param_a, value_a, param_b, value_b, metric,
        count(*) AS n, avg(v) AS mean,
        CASE WHEN count(*) > 1
          THEN sqrt(sum((v - mean) * (v - mean)) / (count(*) - 1)) END AS sd,
        min(v) AS min, max(v) AS max
      FROM x
      GROUP BY sweep_id, param_a, value_a, param_b, value_b, metric;

      CREATE VIEW cell_metrics AS
      WITH x AS (
        SELECT t.sweep_id, t.learning_rate, t.image_size, t.filters,
          t.architecture, t.dropout, t.epochs, t.batch_size, t.optimizer,
          t.decay, m.metric, m.value AS v,
          avg(m.value) OVER (
            PARTITION BY t.sweep_id, t.learning_rate, t.image_size, t.filters,
              t.architecture, t.dropout, t.epochs, t.batch_size, t.optimizer,
              t.decay, m.metric) AS mean
        FROM trials t JOIN trial_metrics m ON m.trial_id = t.id
      )
      SELECT sweep_id, learning_rate, image_size, filters, architecture,
        dropout, epochs, batch_size, optimizer, decay, metric,
        count(*) AS n, avg(v) AS mean,
        CASE WHEN count(*) > 1
          THEN sqrt(sum((v - mean) * (v - mean)) / (count(*) - 1)) END AS sd,
        min(v) AS min, max(v) AS max
      FROM x
      GROUP BY sweep_id, learning_rate, image_size, filters, architecture,
        dropout, epochs, batch_size, optimizer, decay, metric;

      CREATE VIEW best_cells AS
      WITH wide AS (
        SELECT sweep_id, learning_rate, image_size, filters, architecture,
          dropout, epochs, batch_size, optimizer, decay,
          max(CASE WHEN metric = 'best_val_acc' THEN n END) AS n,
          max(CASE WHEN metric = 'best_val_acc' THEN mean END)
            AS mean_best_val_acc,
          max(CASE WHEN metric = 'best_val_acc' THEN sd END) AS sd_best_val_acc,
          max(CASE WHEN metric = 'best_val_acc' THEN max END)
            AS max_best_val_acc,
          max(CASE WHEN metric = 'final_val_acc' THEN mean END)
            AS mean_final_val_acc,
          max(CASE WHEN metric = 'final_val_acc' THEN sd END)
            AS sd_final_val_acc,
          max(CASE WHEN metric = 'best_epoch' THEN mean END) AS mean_best_epoch,
          max(CASE WHEN metric = 'min_val_loss' THEN mean END)
            AS mean_min_val_loss,
          max(CASE WHEN metric = 'duration_s' THEN mean END) AS mean_duration_s
        FROM cell_metrics
        GROUP BY sweep_id, learning_rate, image_size, filters, architecture,
          dropout, epochs, batch_size, optimizer, decay
      )
      SELECT
        rank() OVER (PARTITION BY w.sweep_id
                     ORDER BY w.mean_best_val_acc DESC) AS rank,
        w.*,
        s.chance
      FROM wide w JOIN sweep_summary s ON s.sweep_id = w.sweep_id
      WHERE w.n IS NOT NULL;
    `,
  },
  {
    version: 3,
    description: 'runs, attempts, checkpoints and early-stopping decisions',
    // A run is one `gridsweep run` process; an attempt is one go at training
    // a trial, possibly resumed from a checkpoint; a decision is a stopping
    // rule's verdict with the numbers it compared. Attempts and decisions
    // outlive a trial's reset, so a retried trial keeps its history.
    sql: `
      CREATE TABLE runs (
        id           INTEGER PRIMARY KEY,
        sweep_id     TEXT NOT NULL REFERENCES sweeps (id),
        host         TEXT NOT NULL,
        pid          INTEGER NOT NULL,
        workers      INTEGER NOT NULL,
        started_at   TEXT NOT NULL,
        heartbeat_at TEXT NOT NULL,
        finished_at  TEXT,
        status       TEXT NOT NULL
          CHECK (status IN ('running', 'done', 'failed', 'interrupted'))
      );
      CREATE INDEX runs_by_sweep ON runs (sweep_id, id);

      CREATE TABLE attempts (
        trial_id     TEXT NOT NULL REFERENCES trials (id) ON DELETE CASCADE,
        attempt      INTEGER NOT NULL CHECK (attempt >= 1),
        run_id       INTEGER REFERENCES runs (id),
        resumed_from INTEGER NOT NULL DEFAULT 0,
        started_at   TEXT NOT NULL,
        finished_at  TEXT,
        status       TEXT NOT NULL
          CHECK (status IN ('running', 'done', 'failed', 'diverged',
                            'stopped', 'interrupted', 'lost')),
        epochs_done  INTEGER NOT NULL DEFAULT 0,
        error        TEXT,
        backend      TEXT,
        PRIMARY KEY (trial_id, attempt)
      ) WITHOUT ROWID;

      CREATE TABLE checkpoints (
        trial_id TEXT PRIMARY KEY REFERENCES trials (id) ON DELETE CASCADE,
        epoch    INTEGER NOT NULL CHECK (epoch >= 1),
        file     TEXT NOT NULL,
        bytes    INTEGER NOT NULL,
        sha256   TEXT NOT NULL,
        saved_at TEXT NOT NULL
      );

      CREATE TABLE decisions (
        trial_id   TEXT NOT NULL REFERENCES trials (id) ON DELETE CASCADE,
        epoch      INTEGER NOT NULL CHECK (epoch >= 1),
        rule       TEXT NOT NULL
          CHECK (rule IN ('divergence', 'patience', 'median', 'asha')),
        action     TEXT NOT NULL CHECK (action IN ('stop', 'continue')),
        metric     TEXT NOT NULL,
        value      REAL,
        threshold  REAL,
        peers      INTEGER,
        reason     TEXT NOT NULL,
        decided_at TEXT NOT NULL,
        PRIMARY KEY (trial_id, epoch, rule)
      ) WITHOUT ROWID;

      -- Trials with a result that ran their full course: trial_metrics
      -- without the early-stopped ones, for comparisons that should not mix
      -- a trial cut at epoch 10 with one that ran to 200.
      CREATE VIEW completed_trial_metrics AS
      SELECT m.* FROM trial_metrics m JOIN trials t ON t.id = m.trial_id
      WHERE t.status <> 'stopped';
    `,
  },
  {
    version: 4,
    description: 'the gridsweep worker that made each attempt',
    // NULL for attempts trained by the run's own threads; `host:pid` of the
    // `gridsweep worker` process for attempts that came through the queue.
    sql: `
      ALTER TABLE attempts ADD COLUMN worker TEXT;
    `,
  },
];

export const SCHEMA_VERSION = MIGRATIONS.length;
