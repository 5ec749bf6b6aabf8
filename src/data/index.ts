/**
 * The data layer's public surface. Importing it is cheap: sharp and
 * simple-icons load only inside decodeDataset, synthesizeDataset and
 * inspectDataset.
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
