/**
 * Drawing a Vega-Lite spec headless: Vega lays it out as SVG in this
 * process (no browser, no canvas), and resvg rasterises the SVG to PNG.
 */
import { createRequire } from 'node:module';
import path from 'node:path';

import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

import { RuntimeError } from '../errors.js';
import { silentLogger, type Logger } from '../log.js';
import { FONT_FAMILY } from './specs/style.js';
import { readAdvanceWidths, textWidth } from './text-width.js';

/** PNGs are drawn at this many pixels per SVG unit, sharp on a laptop screen. */
export const PNG_SCALE = 2;

type VegaLogger = NonNullable<
  NonNullable<ConstructorParameters<typeof vega.View>[1]>['logger']
>;

/** The text properties of a scenegraph item that decide its width. */
interface TextItem {
  fontSize?: number | string;
  fontWeight?: number | string;
  /** Vega truncates text wider than this many pixels (0: no limit). */
  limit?: number;
}

// vega re-exports vega-scenegraph, textMetrics included, but its typings
// leave textMetrics out. Replacing its width function is the documented
// way to measure text without a canvas (vl-convert does the same).
const { textMetrics } = vega as unknown as {
  textMetrics: { width: (item: TextItem, text?: unknown) => number };
};

export async function renderSvg(
  spec: TopLevelSpec,
  logger: Logger = silentLogger,
): Promise<string> {
  const log = vegaLogger(logger);
  measureWithFont();
  let view: vega.View | undefined;
  try {
    const vegaSpec = compile(spec, { logger: log }).spec;
    view = new vega.View(vega.parse(vegaSpec), { renderer: 'none', logger: log });
    return await view.toSVG();
  } catch (error) {
    throw new RuntimeError('E_REPORT', 'report: cannot draw a chart', { cause: error });
  } finally {
    view?.finalize();
  }
}

/**
 * Rasterises an SVG that Vega drew. resvg is given the font files itself:
 * it does not find system fonts reliably, and a machine may have none, in
 * which case it would draw no text at all.
 */
export function svgToPng(svg: string, scale = PNG_SCALE): Buffer {
  const resvg = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: scale },
    font: {
      fontFiles: fontFiles(),
      loadSystemFonts: false,
      defaultFontFamily: FONT_FAMILY,
      sansSerifFamily: FONT_FAMILY,
    },
  });
  return resvg.render().asPng();
}

/** DejaVu Sans, regular and bold (titles), from the dejavu-fonts-ttf package. */
export function fontFiles(): string[] {
  const require = createRequire(import.meta.url);
  const dir = path.join(path.dirname(require.resolve('dejavu-fonts-ttf/package.json')), 'ttf');
  return ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf'].map((name) => path.join(dir, name));
}

let measuring = false;

/** Makes Vega lay text out at DejaVu Sans's widths, once per process. */
function measureWithFont(): void {
  if (measuring) return;
  const [regular, bold] = fontFiles().map(readAdvanceWidths) as [
    Map<number, number>,
    Map<number, number>,
  ];
  textMetrics.width = (item, text) => {
    const value = text === null || text === undefined ? '' : String(text).trim();
    const size = item.fontSize === undefined ? 11 : Number(item.fontSize) || 0;
    const widths = isBold(item.fontWeight) ? bold : regular;
    const width = textWidth(widths, value, size);
    return item.limit !== undefined && item.limit > 0 ? Math.min(width, item.limit) : width;
  };
  measuring = true;
}

function isBold(weight: number | string | undefined): boolean {
  return weight === 'bold' || weight === 'bolder' || Number(weight) >= 600;
}

/** Vega's warnings (an empty scale, a dropped field) go to our logger. */
function vegaLogger(logger: Logger): VegaLogger {
  const join = (args: unknown[]) => args.map(String).join(' ');
  let level = 2;
  const log: VegaLogger = {
    level(value?: number) {
      if (value === undefined) return level;
      level = value;
      return log;
    },
    error(...args: unknown[]) {
      logger.warn(`vega: ${join(args)}`);
      return log;
    },
    warn(...args: unknown[]) {
      logger.warn(`vega: ${join(args)}`);
      return log;
    },
    info(...args: unknown[]) {
      logger.debug(`vega: ${join(args)}`);
      return log;
    },
    debug(...args: unknown[]) {
      logger.debug(`vega: ${join(args)}`);
      return log;
    },
  };
  return log;
}
