/**
 * Reading every image file of a dataset once, at index time: its content
 * hash (for the fingerprint), its format from the first bytes, and, where
 * the header is simple, its stored dimensions. No pixels are decoded.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';

import {
  readStoredDimensions,
  sniffImageFormat,
  type Dimensions,
  type ImageFormat,
} from './image-format.js';

export type FileFacts =
  | { kind: 'image'; sha256: string; format: ImageFormat; dimensions?: Dimensions }
  /** Cannot be read at all: the dataset is broken on this machine. */
  | { kind: 'unreadable'; message: string }
  /** Readable, but not an image: zero bytes, or no known signature. */
  | { kind: 'not-image'; message: string };

/** Files read at once: enough to keep the disk busy, few enough for fds. */
const PARALLEL_READS = 16;

export async function readFileFacts(
  files: Iterable<string>,
): Promise<Map<string, FileFacts>> {
  const pending = [...new Set(files)];
  const facts = new Map<string, FileFacts>();
  let next = 0;

  async function drain(): Promise<void> {
    while (next < pending.length) {
      const file = pending[next]!;
      next += 1;
      facts.set(file, await factsOf(file));
    }
  }

  await Promise.all(Array.from({ length: PARALLEL_READS }, drain));
  return facts;
}

async function factsOf(file: string): Promise<FileFacts> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'an unknown error';
    const what = code === 'ENOENT' ? 'no such file' : `cannot be read (${code})`;
    return { kind: 'unreadable', message: what };
  }

  if (bytes.length === 0) return { kind: 'not-image', message: 'empty file (0 bytes)' };
  const format = sniffImageFormat(bytes);
  if (format === undefined) {
    const start = bytes.subarray(0, 8).toString('hex');
    return {
      kind: 'not-image',
      message: `not a JPEG, PNG, WebP, GIF or TIFF file (first bytes 0x${start})`,
    };
  }

  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const dimensions = readStoredDimensions(bytes, format);
  const image = { kind: 'image', sha256, format } as const;
  return dimensions ? { ...image, dimensions } : image;
}
