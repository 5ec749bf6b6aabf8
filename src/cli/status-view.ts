/**
 * What `gridsweep status` prints: a report as text for a person, or as
 * JSON for a script, once or refreshed until the sweep stops running.
 */
import path from 'node:path';

import { findParam, showLevel } from '../query/params.js';
import { chooseSweep } from '../query/sweep-choice.js';
import { openDatabase } from '../store/database.js';
import { readStatus, TRIAL_STATUSES, type SweepStatusReport } from '../status/read-status.js';
import { RESULTS_DIR } from './db-path.js';
import { formatDuration, formatEta } from './duration.js';
import { formatTable } from './table.js';

export interface WatchOptions {
  sweep?: string;
  json: boolean;
  /** Seconds between refreshes; once when undefined. */
  every?: number;
}

const CLEAR_SCREEN = '\x1b[H\x1b[2J';

/**
 * Prints the status of the sweep in `file`, then, with `every`, again every
 * so many seconds until the sweep is no longer running.
 */
export async function watchStatus(file: string, options: WatchOptions): Promise<void> {
  const db = openDatabase(file, { readonly: true });
  try {
    const first = chooseSweep(db, file, options.sweep);
    const others = first.others > 0 && options.sweep === undefined;
    const note = others
      ? `note: the file holds ${first.others + 1} sweeps; showing the latest; ` +
        'choose another with --sweep\n'
      : '';
    const terminal = process.stdout.isTTY === true && !options.json;

    for (let frame = 0; ; frame++) {
      const sweep = frame === 0 ? first : chooseSweep(db, file, first.id);
      const report = readStatus(db, sweep);
      let out = options.json
        ? `${JSON.stringify(report, null, options.every === undefined ? 2 : undefined)}\n`
        : `${statusText(report, file)}\n`;
      if (terminal && options.every !== undefined) {
        // The note goes inside the frame, or the next clear would wipe it.
        out = `${CLEAR_SCREEN}${watchHeading(options.every)}\n${note}\n${out}`;
      } else {
        if (frame === 0 && note) process.stderr.write(note);
        if (frame > 0 && !options.json) out = `\n${out}`;
      }
      process.stdout.write(out);

      if (options.every === undefined || report.state !== 'running') return;
      await sleep(options.every * 1000);
    }
  } finally {
    db.close();
  }
}

function watchHeading(every: number): string {
  const time = new Date().toTimeString().slice(0, 8);
  return `every ${every}s, at ${time}; Ctrl-C to stop`;
}

export function statusText(report: SweepStatusReport, file: string): string {
  const lines = [heading(report, file), '', ...summary(report)];
  const running = runningTable(report);
  if (running.length > 0) lines.push('', ...running);
  const stops = stopLines(report);
  if (stops.length > 0) lines.push('', ...stops);
  return lines.join('\n');
}

function heading(report: SweepStatusReport, file: string): string {
  const { sweep, counts } = report;
  const ended = counts.done + counts.stopped + counts.diverged;
  const name = `${sweep.name} (sweep ${sweep.id.slice(0, 8)})`;
  const progress = `${ended} of ${sweep.trials} trials have a result`;
  const resume = `\`${resumeCommand(report, file)}\``;

  switch (report.state) {
    case 'running':
      return `${name}: running; ${progress}`;
    case 'stale':
      return `${name}: stale: the run stopped without finishing; ${resume} resumes it`;
    case 'interrupted':
      return `${name}: interrupted; ${progress}; ${resume} resumes it`;
    case 'failed':
      return `${name}: failed; ${progress}; ${resume} tries the failed trials again`;
    case 'done':
      return `${name}: done; ${progress}`;
  }
}

function resumeCommand(report: SweepStatusReport, file: string): string {
  const usual = path.join(RESULTS_DIR, `${report.sweep.name}.sqlite`);
  const db = path.normalize(file) === usual ? '' : ` --db ${file}`;
  return `gridsweep run FILE${db}`;
}

function summary(report: SweepStatusReport): string[] {
  const rows: [string, string][] = [['trials', countsText(report)]];
  if (report.run) rows.push(['run', runText(report)]);
  const eta = etaText(report);
  if (eta) rows.push(['ETA', eta]);
  rows.push(['best', bestText(report)]);
  const width = Math.max(...rows.map(([label]) => label.length));
  return rows.map(([label, text]) => `${label.padEnd(width)}  ${text}`);
}

function countsText(report: SweepStatusReport): string {
  const parts = TRIAL_STATUSES.filter((status) => report.counts[status] > 0).map(
    (status) => `${report.counts[status]} ${status}`,
  );
  return parts.length > 0 ? parts.join(', ') : 'none';
}

function runText(report: SweepStatusReport): string {
  const run = report.run!;
  const started = formatDuration((Date.now() - Date.parse(run.startedAt)) / 1000);
  const details = [
    `process ${run.pid} on ${run.host}`,
    `${run.workers} worker${run.workers === 1 ? '' : 's'}`,
    `started ${started} ago${run.runs > 1 ? ` (run ${run.runs})` : ''}`,
  ];
  if (run.liveness.state !== 'finished') {
    details.push(`last epoch written ${formatDuration(run.heartbeatAgeSeconds)} ago`);
  }
  return `${verdict(run)}: ${details.join(', ')}`;
}

function verdict(run: NonNullable<SweepStatusReport['run']>): string {
  const { state, by, silenceLimit } = run.liveness;
  if (state === 'finished') return `ended ${run.status}`;
  if (state === 'alive') return by === 'pid' ? 'alive' : 'alive by its heartbeat';
  return by === 'pid'
    ? 'STALE, no such process'
    : `STALE, silent for over ${formatDuration(silenceLimit ?? 0)}`;
}

function etaText(report: SweepStatusReport): string | null {
  if (report.state !== 'running') return null;
  const { eta } = report;
  if (report.run === null) return 'unknown: no run is recorded';
  if (eta === null) return 'after the first epoch';
  const text = formatEta(eta).replace(/^ETA /, '');
  const workers = report.run?.workers ?? 1;
  return (
    `${text} for ${eta.epochs} epochs of ${eta.trials} trial${eta.trials === 1 ? '' : 's'} ` +
    `on ${workers} worker${workers === 1 ? '' : 's'}` +
    (eta.upperBound ? ' (sooner if stopping rules end trials early)' : '')
  );
}

function bestText(report: SweepStatusReport): string {
  const { best } = report;
  if (!best) return 'no trial has a result yet';
  const cell =
    report.varying.length === 0
      ? 'the only cell'
      : report.varying
          .map((name) => `${name} ${showLevel(findParam(name), best.params[name])}`)
          .join(', ');
  const sd = best.sdBestValAcc === null ? '' : ` ± ${best.sdBestValAcc.toFixed(3)}`;
  const chance = best.chance === null ? '' : `; chance ${best.chance.toFixed(3)}`;
  return (
    `${cell}: best val acc ${best.meanBestValAcc.toFixed(3)}${sd} ` +
    `(mean of ${best.n}${chance})`
  );
}

function runningTable(report: SweepStatusReport): string[] {
  if (report.running.length === 0) return [];
  const total = report.sweep.trials;
  const title =
    report.state === 'stale' ? 'left running by the stale run' : 'running';
  const rows = report.running.map((trial) => [
    `[${trial.index + 1}/${total}] ${trial.id.slice(0, 8)}`,
    `${trial.epoch}/${trial.epochs}`,
    accuracy(trial.lastValAcc),
    accuracy(trial.bestValAcc),
    ...report.varying.map((name) => showLevel(findParam(name), trial.params[name])),
  ]);
  const table = formatTable(
    ['trial', 'epoch', 'val acc', 'best', ...report.varying],
    rows,
  );
  return [title, ...table.split('\n').map((line) => `  ${line}`)];
}

function stopLines(report: SweepStatusReport): string[] {
  if (report.stops.length === 0) return [];
  const total = report.sweep.trials;
  return [
    'stopped early (latest first)',
    ...report.stops.map(
      (stop) =>
        `  [${stop.trialIndex + 1}/${total}] ${stop.trialId.slice(0, 8)} ` +
        `at epoch ${stop.epoch} by ${stop.rule}: ${stop.reason}`,
    ),
  ];
}

function accuracy(value: number | null): string {
  return value === null ? '–' : value.toFixed(3);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
