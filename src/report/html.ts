/**
 * The report as one HTML file that opens from disk with no network: charts
 * as inline SVG, styles inline, no script, no web font, and the experiment
 * as run at the end.
 */
import { showLevel, type GridParam } from '../query/params.js';
import type { ReportData, ReportTrial } from './data.js';
import { metricTitle, showDate, sweepState } from './labels.js';

export interface RenderedChart {
  /** File-name stem and page anchor: `curves`, `loss`, `interaction`. */
  name: string;
  heading: string;
  svg: string;
  /** Set when there was nothing to draw; the SVG then only says this. */
  notice?: string;
  /** Sentences under the chart: how to read it, what it shows. */
  notes: string[];
}

/** Statuses listed under "trials that did not simply finish". */
const UNUSUAL = ['stopped', 'diverged', 'failed', 'running'];

export function reportHtml(data: ReportData, charts: RenderedChart[], made: Date): string {
  const { sweep } = data;
  const title = `${sweep.name}: gridsweep report`;
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escape(title)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    header(data, made),
    nav(charts),
    ...charts.map(chartSection),
    bestSection(data),
    unusualSection(data),
    experimentSection(data),
    `<footer>Made by <code>gridsweep report</code> from ${escape(data.file)} ` +
      `on ${escape(showDate(made.toISOString()))}.</footer>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

function header(data: ReportData, made: Date): string {
  const { sweep } = data;
  const facts = [
    `sweep <code>${escape(sweep.id)}</code>`,
    `started ${escape(showDate(sweep.createdAt))}`,
    data.finishedAt === null ? undefined : `ended ${escape(showDate(data.finishedAt))}`,
    data.backend === null ? undefined : `backend ${escape(data.backend)}`,
    data.classes === null ? undefined : `${data.classes} classes`,
    `report made ${escape(showDate(made.toISOString()))}`,
  ].filter(Boolean);
  const running = sweep.status === 'running';
  const empty = data.epochs.length === 0;
  const notices = [
    running
      ? 'This sweep is still running (or its process stopped without saying ' +
        'so): the charts show the results so far. Make the report again later ' +
        'for the rest.'
      : undefined,
    empty
      ? 'No trial of this sweep has recorded an epoch yet: there is nothing to plot.'
      : undefined,
    sweep.others > 0
      ? `The file holds ${sweep.others + 1} sweeps; this report is about one of ` +
        'them (choose another with --sweep).'
      : undefined,
  ].filter((text): text is string => text !== undefined);
  return [
    '<header>',
    `<h1>${escape(sweep.name)}</h1>`,
    `<p class="facts">${facts.join(' · ')}</p>`,
    `<p class="state">${escape(capitalise(sweepState(sweep)))}.</p>`,
    ...notices.map((text) => `<p class="notice">${escape(text)}</p>`),
    '</header>',
  ].join('\n');
}

function nav(charts: RenderedChart[]): string {
  const links = [
    ...charts.map((chart) => [chart.name, chart.heading]),
    ['best', 'Best cells'],
    ['trials', 'Trials that did not simply finish'],
    ['experiment', 'The experiment as run'],
  ];
  const items = links.map(([id, text]) => `<a href="#${id}">${escape(text!)}</a>`);
  return `<nav>${items.join(' · ')}</nav>`;
}

function chartSection(chart: RenderedChart): string {
  const body =
    chart.notice === undefined
      ? `<figure>${chart.svg}</figure>`
      : `<p class="notice">${escape(chart.notice)}</p>`;
  return [
    `<section id="${chart.name}">`,
    `<h2>${escape(chart.heading)}</h2>`,
    body,
    ...chart.notes.map((note) => `<p>${escape(note)}</p>`),
    '</section>',
  ].join('\n');
}

function bestSection(data: ReportData): string {
  const { best, varying } = data;
  const heading = `<h2>Best cells by ${escape(metricTitle(best.metric))}</h2>`;
  if (best.cells.length === 0) {
    return section('best', [heading, '<p class="notice">No trial has a result yet.</p>']);
  }

  const order = best.metric.higherIsBetter ? 'highest first' : 'lowest first';
  const head = ['rank', ...varying.map((param) => param.name), 'n', 'mean', 'sd', 'min', 'max'];
  const rows = best.cells.map((cell) => [
    String(cell.rank),
    ...varying.map((param) => showLevel(param, cell.params[param.name])),
    String(cell.n),
    num(cell.mean),
    cell.sd === null ? '' : num(cell.sd),
    num(cell.min),
    num(cell.max),
  ]);
  const fixed = Object.entries(best.cells[0]!.params)
    .filter(([name]) => !varying.some((param) => param.name === name))
    .map(([name, value]) => `${name} ${value}`);
  return section('best', [
    heading,
    `<p>The top ${best.cells.length} of ${best.total} cells with a result, by the ` +
      `mean of <code>${escape(best.metric.name)}</code> over each cell's trials ` +
      `(${order}); n is the number of trials, sd their sample standard deviation.</p>`,
    table(head, rows),
    fixed.length === 0 ? '' : `<p>Same in every cell: ${escape(fixed.join(', '))}.</p>`,
  ]);
}

function unusualSection(data: ReportData): string {
  const unusual = data.trials.filter((trial) => UNUSUAL.includes(trial.status));
  const pending = data.trials.filter((trial) => trial.status === 'pending').length;
  const heading = '<h2>Trials that did not simply finish</h2>';
  const waiting =
    pending === 0 ? '' : `<p>${pending} trial(s) have not started yet.</p>`;
  if (unusual.length === 0) {
    return section('trials', [
      heading,
      '<p>None: every trial that started ran all its epochs.</p>',
      waiting,
    ]);
  }
  const head = ['trial', ...data.varying.map((param) => param.name), 'repeat',
    'status', 'epochs', 'why'];
  const rows = unusual.map((trial) => trialRow(trial, data.varying));
  return section('trials', [heading, table(head, rows), waiting]);
}

function trialRow(trial: ReportTrial, varying: GridParam[]): string[] {
  return [
    trial.id.slice(0, 8),
    ...varying.map((param) => showLevel(param, trial.params[param.name])),
    String(trial.repeat + 1),
    trial.status,
    String(trial.epochsDone),
    trial.error ?? '',
  ];
}

function experimentSection(data: ReportData): string {
  return section('experiment', [
    '<h2>The experiment as run</h2>',
    '<p>As recorded in <code>sweeps.experiment_json</code>, with every default filled in.</p>',
    `<pre>${escape(prettyJson(data.experimentJson))}</pre>`,
  ]);
}

function prettyJson(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

function section(id: string, parts: string[]): string {
  return [`<section id="${id}">`, ...parts.filter(Boolean), '</section>'].join('\n');
}

function table(head: string[], rows: string[][]): string {
  const headCells = head.map((cell) => `<th>${escape(cell)}</th>`).join('');
  const body = rows
    .map((row) => `<tr>${row.map((cell) => `<td>${escape(cell)}</td>`).join('')}</tr>`)
    .join('\n');
  return `<table>\n<thead><tr>${headCells}</tr></thead>\n<tbody>\n${body}\n</tbody>\n</table>`;
}

function num(value: number): string {
  return String(Number(value.toPrecision(4)));
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export function escape(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;');
}

const STYLE = `
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif;
  color: #222; max-width: 1200px; margin: 2em auto; padding: 0 1em; }
h1 { margin-bottom: 0.2em; }
h2 { margin-top: 2em; border-bottom: 1px solid #ddd; }
.facts { color: #555; margin-top: 0; }
.notice { background: #fff6d5; border-left: 4px solid #e0b000; padding: 0.5em 0.8em; }
nav { margin: 1em 0; }
figure { margin: 0; overflow-x: auto; }
figure svg { max-width: 100%; height: auto; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
th, td { border-bottom: 1px solid #e4e4e4; padding: 0.25em 0.8em; text-align: left; }
th { background: #f4f4f4; }
pre { background: #f7f7f7; padding: 1em; overflow-x: auto; font-size: 13px; }
footer { margin-top: 3em; color: #777; font-size: 13px; }
`;
