/**
 * Opening a sweep database: WAL so readers can query while a sweep writes,
 * migrations applied in one transaction, and clear refusals for files that
 * are not ours or come from a newer gridsweep.
 */
import { accessSync, constants, existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';

import Database from 'better-sqlite3';

import { GridsweepError, InputError, RuntimeError } from '../errors.js';
import { MIGRATIONS, SCHEMA_VERSION } from './migrations.js';

export type Db = Database.Database;

/** Written to the header so tools can tell a gridsweep file ('GSWP'). */
const APPLICATION_ID = 0x47535750;

export interface OpenOptions {
  /** Open without write access; the file must exist and be up to date. */
  readonly?: boolean;
  /** Milliseconds to wait for another writer's lock. Default 5000. */
  busyTimeout?: number;
}

export function openDatabase(file: string, options: OpenOptions = {}): Db {
  const readonly = options.readonly ?? false;
  if (readonly && !existsSync(file)) {
    throw new InputError('E_DATABASE', `no database at ${file}`, [], {
      hint: 'run a sweep first, or name the file with --db',
    });
  }
  if (!readonly) makeFolder(file);

  let db: Db;
  try {
    db = new Database(file, {
      readonly,
      fileMustExist: readonly,
      timeout: options.busyTimeout ?? 5000,
    });
  } catch (error) {
    throw cannotOpen(file, error);
  }

  try {
    checkVersion(db, file);
    if (!readonly) {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.pragma('foreign_keys = ON');
      migrate(db);
    } else if (schemaVersion(db) < SCHEMA_VERSION) {
      throw new InputError(
        'E_DATABASE',
        `${file} uses schema ${schemaVersion(db)} and needs upgrading to ` +
          `${SCHEMA_VERSION}`,
        [],
        { hint: 'any writing command (gridsweep run) upgrades it' },
      );
    }
    return db;
  } catch (error) {
    db.close();
    throw error instanceof GridsweepError ? error : cannotOpen(file, error);
  }
}

export function schemaVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
}

function checkVersion(db: Db, file: string): void {
  const version = schemaVersion(db);
  const appId = db.pragma('application_id', { simple: true }) as number;
  const tables = db
    .prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'")
    .get() as { n: number };

  if (appId !== APPLICATION_ID && (appId !== 0 || tables.n > 0)) {
    throw new InputError(
      'E_DATABASE',
      `${file} is an SQLite database, but not one gridsweep wrote`,
      [],
      { hint: 'name another file with --db' },
    );
  }
  if (version > SCHEMA_VERSION) {
    throw new InputError(
      'E_DATABASE',
      `${file} was written by a newer gridsweep (schema ${version}; this ` +
        `version knows up to ${SCHEMA_VERSION})`,
      [],
      { hint: 'upgrade gridsweep to read it; nothing was changed' },
    );
  }
}

/** Applies the migrations after the database's version, up to `target`. */
export function migrate(db: Db, target = SCHEMA_VERSION): void {
  const from = schemaVersion(db);
  if (from >= target) return;
  db.transaction(() => {
    for (const migration of MIGRATIONS.slice(from, target)) {
      db.exec(migration.sql);
      db.pragma(`user_version = ${migration.version}`);
    }
    db.pragma(`application_id = ${APPLICATION_ID}`);
  }).immediate();
}

function makeFolder(file: string): void {
  const folder = path.dirname(path.resolve(file));
  try {
    mkdirSync(folder, { recursive: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new InputError(
      'E_DATABASE',
      `cannot create the folder for database ${file}: ${folder} (${code})`,
      [],
      { cause: error, hint: 'name a writable place with --db' },
    );
  }
}

function cannotOpen(file: string, error: unknown): GridsweepError {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown }).code;
  if (code === 'SQLITE_BUSY') {
    return new RuntimeError(
      'E_DATABASE',
      `${file} is locked by another process writing to it`,
      {
        cause: error,
        hint: 'is another gridsweep run using this file? Wait for it to finish, or use --db',
      },
    );
  }
  if (/not a database|file is encrypted/i.test(message)) {
    return new InputError('E_DATABASE', `${file} is not an SQLite database`, [], {
      cause: error,
    });
  }
  const folder = path.dirname(path.resolve(file));
  if (code === 'SQLITE_READONLY' || (code === 'SQLITE_CANTOPEN' && !writable(folder))) {
    return new InputError(
      'E_DATABASE',
      `cannot write database ${file}: ${folder} is read-only for this user`,
      [],
      { cause: error, hint: 'name a writable place with --db' },
    );
  }
  return new InputError('E_DATABASE', `cannot open database ${file}: ${message}`, [], {
    cause: error,
  });
}

function writable(folder: string): boolean {
  try {
    accessSync(folder, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}
