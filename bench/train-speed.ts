/**
 * Seconds per epoch of trainTrial itself: the seed network, 16 filters, 256
 * random images, batch 32, RMSprop. Random pixels make accuracy meaningless
 * but cost the same as real ones.
 *
 *   node dist/bench/train-speed.js [backend=wasm] [epochs=5] [sizes=32,64]
 *
 * Prints one line per size: the median epoch time, the first epoch (which
 * includes warm-up) shown apart.
 */
import type { ImageSet } from '../src/data/types.js';
import type { TrialParams } from '../src/experiment/trial.js';
import { loadBackend, type BackendChoice } from '../src/model/backend.js';
import { createRandom } from '../src/random.js';
import { trainTrial } from '../src/train/loop.js';

const IMAGES = 256;
const CLASSES = 10;

function randomImages(size: number, count: number, seed: number): ImageSet {
  const random = createRandom(seed);
  const pixels = new Uint8Array(new SharedArrayBuffer(count * size * size * 3));
  for (let i = 0; i < pixels.length; i += 1) pixels[i] = random.int(256);
  const labels = new Int32Array(new SharedArrayBuffer(count * 4));
  for (let i = 0; i < count; i += 1) labels[i] = random.int(CLASSES);
  return { size, count, pixels, labels };
}

function paramsFor(imageSize: number, epochs: number): TrialParams {
  return {
    learningRate: 1e-3,
    imageSize,
    filters: 16,
    architecture: 'seed',
    dropout: 0.5,
    epochs,
    batchSize: 32,
    optimizer: 'rmsprop',
    decay: 1e-6,
    repeat: 0,
    seed: 1,
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

async function main(): Promise<void> {
  const [backendArg = 'wasm', epochsArg = '5', sizesArg = '32,64'] = process.argv.slice(2);
  const { tf, name } = await loadBackend(backendArg as BackendChoice);
  const epochs = Number(epochsArg);

  for (const size of sizesArg.split(',').map(Number)) {
    const seconds: number[] = [];
    await trainTrial(tf, {
      params: paramsFor(size, epochs),
      numClasses: CLASSES,
      train: randomImages(size, IMAGES, 1),
      validation: randomImages(size, 64, 2),
      onEpoch: (m) => void seconds.push(m.seconds),
    });
    const rest = seconds.slice(1);
    console.log(
      `${name} seed net, ${size} px, ${IMAGES} images, batch 32: ` +
        `${median(rest.length > 0 ? rest : seconds).toFixed(3)} s/epoch ` +
        `(median of ${rest.length}; first epoch ${seconds[0]?.toFixed(3)} s)`,
    );
  }
}

await main();
