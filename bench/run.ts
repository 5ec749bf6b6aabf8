/**
 * `npm run bench`: the standard figures, written to bench/results.json with
 * a description of the machine, so that runs on different days or machines
 * can be compared. Ratios are only meaningful within one run: these
 * machines are shared and noisy.
 */
import { writeFileSync } from 'node:fs';
import os from 'node:os';

import { benchDecode } from './decode.js';
import { benchTrainSpeed } from './train-speed.js';

const OUT = 'bench/results.json';

async function main(): Promise<void> {
  const started = new Date().toISOString();
  const decode = [
    await benchDecode({ source: 'synthetic', size: 64 }),
    await benchDecode({ source: 'photos', size: 64 }),
  ];
  report(`decode: ${decode.map((d) => `${d.source} ${d.imagesPerSecond} img/s`).join(', ')}`);

  const training = [];
  for (const architecture of ['seed', 'cifar10'] as const) {
    for (const size of [32, 64]) {
      for (const filters of [16, 32]) {
        const result = await benchTrainSpeed({ architecture, size, filters, epochs: 3 });
        report(
          `train: ${architecture} ${size} px, ${filters} filters on ${result.backend}: ` +
            `${result.secondsPerEpoch.toFixed(3)} s/epoch`,
        );
        training.push(result);
      }
    }
  }

  const results = {
    started,
    machine: {
      cpus: os.availableParallelism(),
      cpuModel: os.cpus()[0]?.model,
      memoryBytes: os.totalmem(),
      node: process.version,
      platform: `${process.platform}-${process.arch}`,
    },
    decode,
    training,
  };
  writeFileSync(OUT, `${JSON.stringify(results, null, 2)}\n`);
  report(`wrote ${OUT}`);
}

function report(line: string): void {
  process.stdout.write(`${line}\n`);
}

await main();
