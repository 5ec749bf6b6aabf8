/**
 * `gridsweep report` as a library call: read a sweep from its database
 * (read-only), plan and draw its charts, and write them as an HTML page,
 * SVG files or PNG files into one folder.
 */
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { InputError, RuntimeError } from '../errors.js';
import { silentLogger, type Logger } from '../log.js';
import type { Metric } from '../query/metrics.js';
import { openSweep } from '../query/open-sweep.js';
import type { GridParam } from '../query/params.js';
import type { SweepInfo } from '../query/sweep-choice.js';
import { planCharts } from './charts.js';
import type { ReportFormat } from './formats.js';
import { readReportData, type ReportData } from './data.js';
import { reportHtml, type RenderedChart } from './html.js';
import { renderSvg, svgToPng } from './render.js';

export { REPORT_FORMATS, type ReportFormat } from './formats.js';

export interface ReportOptions {
  /** The sweep database; opened read-only. */
  db: string;
  /** Sweep id, id prefix or name; default the latest in the file. */
  sweep?: string;
  /** Folder to write into; default `<sweep name>-report` beside the database. */
  out?: string;
  formats: readonly ReportFormat[];
  /** The per-trial summary of the effect plot and the best-cells table. */
  metric: Metric;
  /** Rows of the best-cells table. */
  top: number;
  /** The effect plot's x axis; default learningRate when it varies. */
  x?: GridParam;
  /** One line per level of this; default imageSize when it varies. */
  lines?: GridParam;
  /** Draw training curves too. */
  train: boolean;
  /** Add a chart of validation loss per epoch. */
  loss: boolean;
  logger?: Logger;
  /** When the report is made, for its footer; default now. */
  now?: Date;
}

export interface WrittenReport {
  sweep: SweepInfo;
  out: string;
  /** Every file written, in the order written. */
  files: string[];
  /** What a reader should know: other sweeps, trials still running. */
  remarks: string[];
  /** Charts that had nothing to draw, with the reason. */
  notices: string[];
}

export async function writeReport(options: ReportOptions): Promise<WrittenReport> {
  const logger = options.logger ?? silentLogger;
  const { data, remarks } = readSweep(options);
  const out = options.out ?? defaultOutDir(options.db, data.sweep.name);
  prepareOutDir(out);

  const charts: RenderedChart[] = [];
  for (const plan of planCharts(data, options)) {
    charts.push({ ...plan, svg: await renderSvg(plan.spec, logger) });
  }
  const files = writeFormats(out, data, charts, options);
  return {
    sweep: data.sweep,
    out,
    files,
    remarks,
    notices: charts.flatMap((chart) => (chart.notice === undefined ? [] : [chart.notice])),
  };
}

function readSweep(options: ReportOptions): { data: ReportData; remarks: string[] } {
  const { db, sweep, remarks } = openSweep(options.db, options.sweep);
  try {
    const data = readReportData(db, options.db, sweep, {
      metric: options.metric,
      top: options.top,
      ...(options.x === undefined ? {} : { x: options.x }),
      ...(options.lines === undefined ? {} : { lines: options.lines }),
    });
    return { data, remarks };
  } finally {
    db.close();
  }
}

/** `results/quickstart.sqlite` reports into `results/quickstart-report/`. */
export function defaultOutDir(db: string, sweepName: string): string {
  return path.join(path.dirname(db), `${sweepName}-report`);
}

/** Creates the folder, or refuses before any drawing if it cannot be written. */
function prepareOutDir(out: string): void {
  try {
    const existing = statSync(out, { throwIfNoEntry: false });
    if (existing !== undefined && !existing.isDirectory()) {
      throw new InputError('E_ARGUMENT', `--out: ${out} is a file, not a folder`);
    }
    mkdirSync(out, { recursive: true });
  } catch (error) {
    throw error instanceof InputError ? error : cannotWrite(out, error);
  }
}

function writeFormats(
  out: string,
  data: ReportData,
  charts: RenderedChart[],
  options: ReportOptions,
): string[] {
  const files: string[] = [];
  const write = (name: string, content: string | Buffer) => {
    const file = path.join(out, name);
    try {
      writeFileSync(file, content);
    } catch (error) {
      throw cannotWrite(out, error);
    }
    files.push(file);
  };

  const formats = new Set(options.formats);
  if (formats.has('html')) {
    write('report.html', reportHtml(data, charts, options.now ?? new Date()));
  }
  for (const chart of charts) {
    if (formats.has('svg')) write(`${chart.name}.svg`, chart.svg);
    if (formats.has('png')) write(`${chart.name}.png`, png(chart));
  }
  return files;
}

function png(chart: RenderedChart): Buffer {
  try {
    return svgToPng(chart.svg);
  } catch (error) {
    throw new RuntimeError('E_REPORT', `report: cannot draw ${chart.name}.png`, {
      cause: error,
    });
  }
}

function cannotWrite(out: string, error: unknown): InputError {
  const code = (error as NodeJS.ErrnoException).code;
  const why = code === undefined ? String(error) : code;
  return new InputError('E_ARGUMENT', `--out: cannot write to ${out} (${why})`, [], {
    cause: error,
    hint: 'name a folder you can write to with --out DIR',
  });
}
