/**
 * Parsing the two annotation files of the Flickr Logos 27 distribution.
 * Parsing is pure (text in, entries and problems out); reading the files and
 * checking them against the images happens in flickr27.ts.
 */
import type { Problem } from '../errors.js';

export const TRAINING_FILE = 'flickr_logos_27_dataset_training_set_annotation.txt';
export const QUERY_FILE = 'flickr_logos_27_dataset_query_set_annotation.txt';
export const IMAGES_FOLDER = 'flickr_logos_27_dataset_images';
/** The query set's class for photos that show none of the 27 logos. */
export const NONE_CLASS = 'none';

export interface Annotation {
  /** Image file name inside the images folder. */
  image: string;
  className: string;
  /** `annotation-file:line`, for messages. */
  source: string;
  /** Corners in stored pixels, as written (x2, y2 inclusive). Training set only. */
  corners?: { x1: number; y1: number; x2: number; y2: number };
}

export interface ParsedAnnotations {
  annotations: Annotation[];
  problems: Problem[];
}

const INTEGER = /^-?\d+$/;

/**
 * The training file: `filename class subset x1 y1 x2 y2`, space separated.
 * Lines repeat (the subset column is cumulative); duplicates are kept here
 * and removed by the caller, which knows whether boxes matter.
 */
export function parseTrainingAnnotations(text: string, file: string): ParsedAnnotations {
  return parseLines(text, file, (fields, source) => {
    const [image, className, subset, ...numbers] = fields;
    const wellFormed =
      fields.length === 7 && [subset, ...numbers].every((f) => INTEGER.test(f ?? ''));
    if (!wellFormed || !isBareName(image!)) {
      return 'expected "filename class subset x1 y1 x2 y2" (integers for the last five)';
    }
    const [x1, y1, x2, y2] = numbers.map(Number) as [number, number, number, number];
    return { image: image!, className: className!, source, corners: { x1, y1, x2, y2 } };
  });
}

/** The query file: `filename<TAB>class`, one image per line. */
export function parseQueryAnnotations(text: string, file: string): ParsedAnnotations {
  return parseLines(text, file, (fields, source) => {
    const [image, className] = fields;
    if (fields.length !== 2 || !isBareName(image!)) return 'expected "filename<TAB>class"';
    return { image: image!, className: className!, source };
  });
}

type LineParser = (fields: string[], source: string) => Annotation | string;

function parseLines(text: string, file: string, parse: LineParser): ParsedAnnotations {
  const annotations: Annotation[] = [];
  const problems: Problem[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === '') return;
    const source = `${file}:${index + 1}`;
    const result = parse(line.split(/\s+/), source);
    if (typeof result !== 'string') annotations.push(result);
    else problems.push({ path: source, message: `${result}, received ${JSON.stringify(raw)}` });
  });
  return { annotations, problems };
}

/** A file name with no folder part: annotations must not reach outside. */
function isBareName(name: string): boolean {
  return name !== '.' && name !== '..' && !/[\\/]/.test(name);
}
