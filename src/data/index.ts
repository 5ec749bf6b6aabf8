/**
 * The data layer's public surface. Importing it is cheap: sharp and
 * simple-icons load only inside decodeDataset, synthesizeDataset and
 * inspectDataset.
 *
 * Bad data, and what happens (an error is InputError E_DATASET, exit 2,
 * with every problem at once; a warning skips the item and is returned in
 * DatasetIndex.warnings or logged by decodeDataset):
 * - missing dataset folder, images folder or annotation file: error.
 * - a file that cannot be read (missing image named by an annotation,
 *   permission denied): error; skipping it would make the fingerprint
 *   depend on the machine.
 * - a zero-byte file, or one that is no JPEG/PNG/WebP/GIF/TIFF (a text file
 *   named .png): warning, skipped at index time.
 * - a file that fails to decode (corrupt, truncated): warning, skipped when
 *   decoding; an error if that leaves a class without training or
 *   validation images.
 * - a class with no images, or a split that leaves one without training or
 *   validation images: error.
 * - an annotation line that does not parse: error, at `file:line`.
 * - an empty box, or a box entirely outside its image: warning, skipped; a
 *   box partly outside: warning, clipped. Both at `file:line`.
 */
export type { DatasetIndex, ImageSet, PreparedData, Sample } from './types.js';
export { defaultCacheDir } from './cache-dir.js';
export { loadDataset, type LoadOptions } from './load.js';
export { decodeDataset, type DecodeOptions } from './decode.js';
export { DECODER_VERSION } from './image-cache.js';
export { synthesizeDataset, type SynthManifest, type SynthOptions } from './synth.js';
export { SYNTH_GENERATOR_VERSION, syntheticClasses } from './synthetic-layout.js';
export {
  detectDatasetSpec,
  inspectDataset,
  type DatasetReport,
  type InspectOptions,
} from './inspect.js';
export { createRandom, type Random } from '../random.js';
