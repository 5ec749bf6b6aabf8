/**
 * A chart-sized notice for a chart that has nothing to draw yet, so that
 * a report of an empty sweep says so instead of showing empty axes.
 */
import type { TopLevelSpec } from 'vega-lite';

import type { ReportData } from '../data.js';
import { wrap } from '../labels.js';
import { CONFIG, SCHEMA, sweepLine, titleSpec, type ChartTitle } from './style.js';

export function noticeSpec(title: ChartTitle, message: string): TopLevelSpec {
  const lines = wrap(message, 70);
  return {
    $schema: SCHEMA,
    title: titleSpec(title),
    width: 520,
    height: 24 + 20 * lines.length,
    data: { values: lines.map((line, i) => ({ line, i })) },
    mark: { type: 'text', align: 'left', baseline: 'top', fontSize: 14, x: 8 },
    encoding: {
      text: { field: 'line' },
      y: { field: 'i', type: 'ordinal', axis: null },
    },
    config: { ...CONFIG, view: { stroke: '#cccccc' } },
  };
}

export function noticeTitle(
  input: Pick<ReportData, 'sweep' | 'backend'>,
  what: string,
): ChartTitle {
  return { text: `${input.sweep.name}: ${what}`, subtitle: [sweepLine(input)] };
}
