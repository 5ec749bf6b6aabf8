/**
 * The disk cache of decoded images, one file per dataset fingerprint and
 * image size, so that a resumed sweep does not decode again.
 *
 * Layout: the 8-byte magic, a uint32 (LE) header length, a JSON header, then
 * the labels and pixels of train and validation. The header carries the
 * payload's sha256: a truncated or damaged file is detected, ignored and
 * rebuilt. Files are written to a temporary name and renamed into place, so
 * a reader never sees half a file.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import path from 'node:path';

import { allocateImageSet } from './shared-images.js';
import type { ImageSet, PreparedData } from './types.js';

const MAGIC = Buffer.from('GSWPIMG1');

/**
 * Bump when decoding changes (filter, colour handling): old cache files then
 * stop matching instead of serving the old pixels.
 */
export const DECODER_VERSION = 1;

interface CacheHeader {
  fingerprint: string;
  size: number;
  classes: string[];
  train: number;
  validation: number;
  sha256: string;
  /** Samples skipped while decoding, repeated to the user on a cache hit. */
  warnings: string[];
}

export interface CachedImages {
  data: PreparedData;
  warnings: string[];
}

export function cacheFile(cacheDir: string, fingerprint: string, size: number): string {
  const name = `${fingerprint}-${size}px-d${DECODER_VERSION}.bin`;
  return path.join(cacheDir, 'decoded', name);
}

/** The cached images, or undefined if absent, for other data, or damaged. */
export async function readImageCache(
  file: string,
  fingerprint: string,
  size: number,
): Promise<CachedImages | undefined> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch {
    return undefined;
  }
  try {
    return await readOpened(handle, fingerprint, size);
  } catch {
    return undefined;
  } finally {
    await handle.close();
  }
}

type Handle = Awaited<ReturnType<typeof open>>;

async function readOpened(handle: Handle, fingerprint: string, size: number) {
  const { size: fileBytes } = await handle.stat();
  const start = Buffer.alloc(12);
  await readExactly(handle, start, 0);
  if (!start.subarray(0, 8).equals(MAGIC)) return undefined;

  const headerBytes = Buffer.alloc(start.readUInt32LE(8));
  await readExactly(handle, headerBytes, 12);
  const header = JSON.parse(headerBytes.toString('utf8')) as CacheHeader;
  if (header.fingerprint !== fingerprint || header.size !== size) return undefined;

  const train = allocateImageSet(size, header.train);
  const validation = allocateImageSet(size, header.validation);
  const parts = payloadParts(train, validation);
  const payloadBytes = parts.reduce((sum, part) => sum + part.byteLength, 0);
  if (fileBytes !== 12 + headerBytes.length + payloadBytes) return undefined;

  const hash = createHash('sha256');
  let position = 12 + headerBytes.length;
  for (const part of parts) {
    await readExactly(handle, part, position);
    hash.update(part);
    position += part.byteLength;
  }
  if (hash.digest('hex') !== header.sha256) return undefined;

  const data = { classes: header.classes, fingerprint, train, validation };
  return { data, warnings: header.warnings };
}

/** Writes atomically; a failure to cache is reported, never fatal to the caller. */
export async function writeImageCache(
  file: string,
  data: PreparedData,
  warnings: string[],
): Promise<void> {
  const parts = payloadParts(data.train, data.validation);
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  const header: CacheHeader = {
    fingerprint: data.fingerprint,
    size: data.train.size,
    classes: data.classes,
    train: data.train.count,
    validation: data.validation.count,
    sha256: hash.digest('hex'),
    warnings,
  };
  const headerBytes = Buffer.from(JSON.stringify(header), 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32LE(headerBytes.length);

  await mkdir(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const handle = await open(temporary, 'w');
  try {
    for (const part of [MAGIC, length, headerBytes, ...parts]) await handle.write(part);
    await handle.sync();
  } catch (error) {
    await handle.close();
    await rm(temporary, { force: true });
    throw error;
  }
  await handle.close();
  await rename(temporary, file);
}

function payloadParts(train: ImageSet, validation: ImageSet): Uint8Array[] {
  const bytesOf = (labels: Int32Array) =>
    new Uint8Array(labels.buffer, labels.byteOffset, labels.byteLength);
  return [bytesOf(train.labels), bytesOf(validation.labels), train.pixels, validation.pixels];
}

async function readExactly(handle: Handle, target: Uint8Array, position: number) {
  let done = 0;
  while (done < target.byteLength) {
    const left = target.byteLength - done;
    const { bytesRead } = await handle.read(target, done, left, position + done);
    if (bytesRead === 0) throw new RangeError(`cache file ends early at byte ${position + done}`);
    done += bytesRead;
  }
}
