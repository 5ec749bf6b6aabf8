/**
 * One synthetic photo as SVG: a brand mark placed at random on a cluttered
 * background, partly hidden. Pure string building, seeded: the pixels are
 * made by synth.ts. No text anywhere (a fresh machine may have no fonts).
 */
import type { Random } from '../random.js';

/** A simple-icons mark: an SVG path in a 24 × 24 box, and its brand colour. */
export interface Mark {
  path: string;
  hex: string;
}

export interface SceneOptions {
  size: number;
  target: Mark;
  /** Marks of brands outside the class list, drawn small as clutter. */
  distractors: readonly Mark[];
}

export function sceneSvg(random: Random, options: SceneOptions): string {
  const { size } = options;
  const parts = [
    background(random, size),
    ...Array.from({ length: 3 + random.int(6) }, () => shape(random, size, 0.15, 0.6)),
    ...Array.from({ length: random.int(3) }, () => distractor(random, options)),
  ];
  const { svg, centre, extent } = target(random, options);
  parts.push(svg);
  if (random.next() < 0.45) parts.push(occluder(random, centre, extent));
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}" ` +
    `viewBox="0 0 ${size} ${size}">${parts.join('')}</svg>`
  );
}

function background(random: Random, size: number): string {
  const angle = random.range(0, 360);
  const stops = [randomColour(random), randomColour(random)];
  return (
    `<defs><linearGradient id="bg" gradientTransform="rotate(${angle.toFixed(1)} .5 .5)">` +
    `<stop offset="0" stop-color="${stops[0]}"/><stop offset="1" stop-color="${stops[1]}"/>` +
    `</linearGradient></defs><rect width="${size}" height="${size}" fill="url(#bg)"/>`
  );
}

/** A random circle, rectangle, ellipse or stroke of `min`–`max` of the image side. */
function shape(random: Random, size: number, min: number, max: number): string {
  const x = random.range(-0.1, 1.1) * size;
  const y = random.range(-0.1, 1.1) * size;
  const r = random.range(min, max) * size * 0.5;
  const paint = `fill="${randomColour(random)}" opacity="${random.range(0.3, 0.9).toFixed(2)}"`;
  const kind = random.int(4);
  const turn = `transform="rotate(${random.range(0, 180).toFixed(0)} ${f(x)} ${f(y)})"`;
  if (kind === 0) return `<circle cx="${f(x)}" cy="${f(y)}" r="${f(r)}" ${paint}/>`;
  if (kind === 1) {
    const corner = `x="${f(x - r)}" y="${f(y - r / 2)}"`;
    return `<rect ${corner} width="${f(2 * r)}" height="${f(r)}" ${turn} ${paint}/>`;
  }
  if (kind === 2) {
    const radii = `rx="${f(r)}" ry="${f(r * random.range(0.2, 0.7))}"`;
    return `<ellipse cx="${f(x)}" cy="${f(y)}" ${radii} ${turn} ${paint}/>`;
  }
  const width = random.range(0.01, 0.05) * size;
  return (
    `<line x1="${f(x - r)}" y1="${f(y)}" x2="${f(x + r)}" y2="${f(y + r * random.range(-1, 1))}" ` +
    `stroke="${randomColour(random)}" stroke-width="${f(width)}" opacity="0.8"/>`
  );
}

function distractor(random: Random, options: SceneOptions): string {
  const mark = random.pick(options.distractors);
  const scale = (random.range(0.15, 0.4) * options.size) / 24;
  const x = random.range(0, options.size);
  const y = random.range(0, options.size);
  const colour = random.next() < 0.5 ? `#${mark.hex}` : randomColour(random);
  return placedPath(mark.path, x, y, scale, random.range(-40, 40), colour, random.range(0.4, 0.9));
}

/** The mark to recognise: 35–80 % of the image, any colour, tilted, maybe off-centre. */
function target(random: Random, options: SceneOptions) {
  const { size } = options;
  const extent = random.range(0.35, 0.8) * size;
  const centre = {
    x: random.range(0.5 * extent * 0.7, size - 0.5 * extent * 0.7),
    y: random.range(0.5 * extent * 0.7, size - 0.5 * extent * 0.7),
  };
  const roll = random.next();
  const colour =
    roll < 0.5
      ? `#${options.target.hex}`
      : roll < 0.75
        ? randomColour(random)
        : random.pick(['#111111', '#f4f4f4']);
  const angle = random.range(-30, 30);
  const svg = placedPath(options.target.path, centre.x, centre.y, extent / 24, angle, colour, 1);
  return { svg, centre, extent };
}

/** A blob over part of the mark: hides up to about a quarter of it. */
function occluder(random: Random, centre: { x: number; y: number }, extent: number): string {
  const r = random.range(0.12, 0.28) * extent;
  const x = centre.x + random.range(-0.5, 0.5) * extent;
  const y = centre.y + random.range(-0.5, 0.5) * extent;
  const paint = `fill="${randomColour(random)}" opacity="${random.range(0.75, 1).toFixed(2)}"`;
  return random.next() < 0.5
    ? `<circle cx="${f(x)}" cy="${f(y)}" r="${f(r)}" ${paint}/>`
    : `<rect x="${f(x - r)}" y="${f(y - r)}" width="${f(2 * r)}" height="${f(1.4 * r)}" ${paint}/>`;
}

function placedPath(
  d: string,
  x: number,
  y: number,
  scale: number,
  angle: number,
  colour: string,
  opacity: number,
): string {
  const transform =
    `translate(${f(x)} ${f(y)}) rotate(${angle.toFixed(1)}) ` +
    `scale(${scale.toFixed(4)}) translate(-12 -12)`;
  const paint = `fill="${colour}" opacity="${opacity.toFixed(2)}"`;
  return `<path d="${d}" transform="${transform}" ${paint}/>`;
}

function randomColour(random: Random): string {
  const channel = () => random.int(256).toString(16).padStart(2, '0');
  return `#${channel()}${channel()}${channel()}`;
}

function f(value: number): string {
  return value.toFixed(2);
}
