/**
 * Checkpoint files, kept beside the database in `<name>.checkpoints/`, one
 * per trial, overwritten as the trial goes on. They live outside SQLite so
 * the results file stays small enough to copy and query; the database holds
 * each file's epoch and SHA-256, written only after the file is durable, so
 * a row never points at a half-written file.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

import type { CheckpointRecord } from './sweep-store.js';

export class CheckpointFiles {
  readonly dir: string;
  private readonly base: string;

  constructor(dbFile: string) {
    this.base = path.dirname(path.resolve(dbFile));
    const name = path.basename(dbFile, path.extname(dbFile));
    this.dir = path.join(this.base, `${name}.checkpoints`);
  }

  /**
   * Writes the bytes to a temporary file, flushes it to disk, and renames
   * it over the trial's previous checkpoint: a crash leaves the old file or
   * the new one, never a mix.
   */
  write(trialId: string, epoch: number, bytes: Uint8Array): CheckpointRecord {
    fs.mkdirSync(this.dir, { recursive: true });
    const target = this.pathOf(trialId);
    const temporary = `${target}.${process.pid}.tmp`;
    try {
      const fd = fs.openSync(temporary, 'w');
      try {
        fs.writeSync(fd, bytes);
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
      fs.renameSync(temporary, target);
    } catch (error) {
      fs.rmSync(temporary, { force: true });
      throw error;
    }
    return {
      epoch,
      file: path.relative(this.base, target),
      bytes: bytes.length,
      sha256: sha256(bytes),
    };
  }

  /**
   * The checkpoint's bytes if the file is there and matches its record;
   * otherwise why not, so the trial can start over with a clear warning.
   */
  read(record: CheckpointRecord): { bytes: Uint8Array } | { problem: string } {
    const file = path.resolve(this.base, record.file);
    let bytes: Uint8Array;
    try {
      bytes = fs.readFileSync(file);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? String(error);
      return { problem: `cannot read ${file} (${code})` };
    }
    if (bytes.length !== record.bytes || sha256(bytes) !== record.sha256) {
      return { problem: `${file} does not match its recorded size and SHA-256` };
    }
    return { bytes };
  }

  remove(trialId: string): void {
    fs.rmSync(this.pathOf(trialId), { force: true });
  }

  /** Removes the folder if no checkpoint is left in it. */
  removeDirIfEmpty(): void {
    try {
      fs.rmdirSync(this.dir);
    } catch {
      // Not empty, or never made: either way there is nothing to do.
    }
  }

  private pathOf(trialId: string): string {
    return path.join(this.dir, `${trialId}.ckpt`);
  }
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
