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
];

export const SCHEMA_VERSION = MIGRATIONS.length;
