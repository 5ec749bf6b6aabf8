/**
 * Turning an annotated box into the crop of a sample: checked against the
 * image, widened by the margin, kept inside the image.
 */
import type { Box } from './candidate.js';
import type { Dimensions } from './image-format.js';

export interface Corners {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

export interface PlacedBox {
  /** The crop, or undefined when the box is skipped. */
  box?: Box;
  warning?: string;
}

/**
 * A box that is empty or entirely outside the image is skipped with a
 * warning: one bad line among thousands should not stop a sweep. A box that
 * pokes out of the image is clipped, also with a warning. Corners are
 * inclusive pixel coordinates. Without known dimensions (formats whose
 * header is not read at index time) the decoder clips instead.
 */
export function placeBox(
  corners: Corners,
  dimensions: Dimensions | undefined,
  margin: number,
): PlacedBox {
  const { x1, y1, x2, y2 } = corners;
  const shown = `box ${x1},${y1} to ${x2},${y2}`;
  if (x2 <= x1 || y2 <= y1) return { warning: `skipped, empty ${shown}` };

  const width = dimensions?.width ?? Infinity;
  const height = dimensions?.height ?? Infinity;
  const clipped = clip({ x1, y1, x2: x2 + 1, y2: y2 + 1 }, width, height);
  const size = dimensions ? `${dimensions.width}x${dimensions.height}` : '';
  if (clipped.x2 - clipped.x1 < 2 || clipped.y2 - clipped.y1 < 2) {
    return { warning: `skipped, ${shown} lies outside the ${size} image` };
  }
  const pokesOut =
    clipped.x1 !== x1 || clipped.y1 !== y1 || clipped.x2 !== x2 + 1 || clipped.y2 !== y2 + 1;

  const dx = Math.round((clipped.x2 - clipped.x1) * margin);
  const dy = Math.round((clipped.y2 - clipped.y1) * margin);
  const widened = clip(
    { x1: clipped.x1 - dx, y1: clipped.y1 - dy, x2: clipped.x2 + dx, y2: clipped.y2 + dy },
    width,
    height,
  );
  const box = {
    left: widened.x1,
    top: widened.y1,
    width: widened.x2 - widened.x1,
    height: widened.y2 - widened.y1,
  };
  return pokesOut ? { box, warning: `${shown} extends past the ${size} image; clipped` } : { box };
}

/** Clips exclusive corners to the image. */
function clip(c: Corners, width: number, height: number): Corners {
  const within = (value: number, max: number) => Math.min(Math.max(value, 0), max);
  return {
    x1: within(c.x1, width),
    y1: within(c.y1, height),
    x2: within(c.x2, width),
    y2: within(c.y2, height),
  };
}
