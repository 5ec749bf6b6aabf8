/**
 * Where an epoch goes, kernel by kernel: trains with trainTrial under
 * tf.profile and sums each kernel's time over the last epoch (the first
 * is a warm-up). What the kernels do not account for is JavaScript: the
 * tape, batches, tensor bookkeeping.
 *
 *   node dist/bench/profile.js [architecture=seed] [size=64] [filters=16] [images=256]
 */
import { pathToFileURL } from 'node:url';

import { randomImages } from '../src/bench/train-speed.js';
import type { Architecture } from '../src/experiment/schema.js';
import { loadBackend } from '../src/model/backend.js';
import { trainTrial } from '../src/train/loop.js';

export interface KernelShare {
  kernel: string;
  calls: number;
  ms: number;
}

export async function profileEpoch(
  architecture: Architecture,
  size: number,
  filters: number,
  images: number,
): Promise<{ epochMs: number; kernels: KernelShare[] }> {
  const { tf } = await loadBackend('wasm');
  const params = {
    learningRate: 1e-3, imageSize: size, filters, architecture, dropout: 0.5,
    epochs: 2, batchSize: 32, optimizer: 'rmsprop' as const, decay: 1e-6,
    repeat: 0, seed: 1,
  };
  const train = randomImages(size, images, 10, 1);
  const validation = randomImages(size, 0, 10, 2);
  let epochMs = 0;
  let lastEpochFrom = 0;
  // tfjs keeps the kernels profiled so far here; public API has no count.
  const profiled = () =>
    (tf.engine().state as unknown as { activeProfile: { kernels: unknown[] } })
      .activeProfile.kernels.length;

  const info = await tf.profile(async () => {
    await trainTrial(tf, {
      params, numClasses: 10, train, validation,
      onEpoch: (m) => {
        if (m.epoch === 1) lastEpochFrom = profiled();
        else epochMs = m.seconds * 1000;
      },
    });
    return tf.scalar(0);
  });
  const byKernel = new Map<string, KernelShare>();
  for (const kernel of info.kernels.slice(lastEpochFrom)) {
    const share = byKernel.get(kernel.name) ?? { kernel: kernel.name, calls: 0, ms: 0 };
    share.calls += 1;
    share.ms += kernel.kernelTimeMs as number;
    byKernel.set(kernel.name, share);
  }
  const kernels = [...byKernel.values()].sort((a, b) => b.ms - a.ms);
  return { epochMs, kernels };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [arch = 'seed', size = '64', filters = '16', images = '256'] = process.argv.slice(2);
  const { epochMs, kernels } = await profileEpoch(
    arch as Architecture, Number(size), Number(filters), Number(images),
  );
  const kernelMs = kernels.reduce((sum, k) => sum + k.ms, 0);
  process.stdout.write(
    `${arch} ${size} px, ${filters} filters, ${images} images: epoch ${epochMs.toFixed(0)} ms, ` +
      `kernels ${kernelMs.toFixed(0)} ms\n`,
  );
  for (const k of kernels.slice(0, 20)) {
    process.stdout.write(
      `${k.kernel.padEnd(28)} ${String(k.calls).padStart(6)} ` +
        `${k.ms.toFixed(1).padStart(9)} ms ${((100 * k.ms) / epochMs).toFixed(1).padStart(5)}%\n`,
    );
  }
}
