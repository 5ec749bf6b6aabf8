/**
 * What every chart of a report shares: the font, the colours, the sizes
 * of text, and a title that names the sweep, its id, date and state.
 */
import type { TopLevelSpec } from 'vega-lite';

import type { ReportData } from '../data.js';
import { showDate, sweepState } from '../labels.js';

/**
 * The family every chart's text asks for. The PNG renderer is handed the
 * DejaVu Sans files that an npm package ships (see render.ts); a browser
 * showing the SVG falls back to the next names.
 */
export const FONT_FAMILY = 'DejaVu Sans';

export const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

/** One layer of a layered chart. */
export type Layer = Extract<TopLevelSpec, { layer: unknown }>['layer'][number];

/** The colour of a single series: one repeat, one line. */
export const MAIN_COLOUR = '#4c78a8';

/** The dotted line at chance accuracy, 1 / classes. */
export const CHANCE_RULE = {
  type: 'rule' as const,
  color: '#999999',
  strokeDash: [2, 2],
  strokeWidth: 1,
};

/** Chart titles: the sweep's name first, its id, date and state below. */
export interface ChartTitle {
  text: string;
  subtitle: string[];
}

export function titleSpec(title: ChartTitle) {
  return { text: title.text, subtitle: title.subtitle };
}

/** `sweep 9d96…, started 2026-12-03 16:45 UTC on wasm; finished: …` */
export function sweepLine(input: Pick<ReportData, 'sweep' | 'backend'>): string {
  const { sweep } = input;
  const backend = input.backend === null ? '' : ` on ${input.backend}`;
  return `sweep ${sweep.id}, started ${showDate(sweep.createdAt)}${backend}; ` +
    sweepState(sweep);
}

export const CONFIG = {
  font: `${FONT_FAMILY}, Verdana, Arial, sans-serif`,
  background: 'white',
  padding: 12,
  title: {
    anchor: 'start' as const,
    fontSize: 16,
    subtitleFontSize: 12,
    subtitleColor: '#444444',
    subtitlePadding: 6,
    offset: 14,
  },
  axis: { titleFontSize: 12, titleFontWeight: 'normal' as const, labelFontSize: 11 },
  legend: { titleFontSize: 12, labelFontSize: 11 },
  header: { labelFontSize: 12 },
  view: { stroke: '#dddddd' },
};

/** Three significant digits, for numbers in words. */
export function round(value: number): number {
  return Number(value.toPrecision(3));
}
