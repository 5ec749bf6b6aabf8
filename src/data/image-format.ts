/**
 * Recognising image files from their first bytes, without a decoder. The
 * index reads every file to hash it anyway, so this check is free and lets
 * `gridsweep plan` report a text file named .png without loading sharp.
 */

export type ImageFormat = 'jpeg' | 'png' | 'gif' | 'webp' | 'tiff';

/** File name endings taken as images in class folders (case-insensitive). */
export const IMAGE_EXTENSIONS: readonly string[] = [
  '.jpg',
  '.jpeg',
  '.png',
  '.webp',
  '.gif',
  '.tif',
  '.tiff',
];

export function hasImageExtension(name: string): boolean {
  const lower = name.toLowerCase();
  return IMAGE_EXTENSIONS.some((extension) => lower.endsWith(extension));
}

export function sniffImageFormat(bytes: Uint8Array): ImageFormat | undefined {
  const ascii = (start: number, end: number) =>
    String.fromCharCode(...bytes.subarray(start, end));
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  if (ascii(0, 8) === '\x89PNG\r\n\x1a\n') return 'png';
  if (ascii(0, 4) === 'GIF8') return 'gif';
  if (ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return 'webp';
  if (ascii(0, 4) === 'II*\0' || ascii(0, 4) === 'MM\0*') return 'tiff';
  return undefined;
}

export interface Dimensions {
  width: number;
  height: number;
}

/**
 * Width and height as stored (before any EXIF rotation) for JPEG, PNG and
 * GIF; undefined for other formats or a header that does not parse. Used to
 * check annotation boxes at index time, where sharp must not be loaded.
 */
export function readStoredDimensions(
  bytes: Uint8Array,
  format: ImageFormat,
): Dimensions | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (format === 'png' && bytes.length >= 24) {
    return { width: view.getUint32(16), height: view.getUint32(20) };
  }
  if (format === 'gif' && bytes.length >= 10) {
    return { width: view.getUint16(6, true), height: view.getUint16(8, true) };
  }
  if (format === 'jpeg') return readJpegDimensions(bytes, view);
  return undefined;
}

/** Walks the JPEG markers to the first start-of-frame segment. */
function readJpegDimensions(
  bytes: Uint8Array,
  view: DataView,
): Dimensions | undefined {
  let offset = 2;
  while (offset + 9 < bytes.length) {
    if (bytes[offset] !== 0xff) return undefined;
    const marker = bytes[offset + 1]!;
    if (marker === 0xff) {
      offset += 1;
      continue;
    }
    const isFrame =
      marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker);
    if (isFrame) {
      return { height: view.getUint16(offset + 5), width: view.getUint16(offset + 7) };
    }
    offset += 2 + view.getUint16(offset + 2);
  }
  return undefined;
}
