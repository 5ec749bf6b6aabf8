import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { runCli } from '../helpers/cli.js';
import { tempDir, writeFile } from '../helpers/files.js';

interface PlannedTrial {
  id: string;
  index: number;
  params: Record<string, unknown>;
}

describe('gridsweep plan', () => {
  test("prints the post's 12 trials with distinct ids, the same on every run", () => {
    const first = runCli(['plan', 'experiments/logo-grid.yaml', '--json']);
    assert.equal(first.status, 0, first.stderr);
    const trials = JSON.parse(first.stdout) as PlannedTrial[];
    assert.equal(trials.length, 12);
    assert.equal(new Set(trials.map((t) => t.id)).size, 12);
    assert.deepEqual(Object.keys(trials[0]!.params).sort(), [
      'architecture', 'batchSize', 'decay', 'dropout', 'epochs', 'filters',
      'imageSize', 'learningRate', 'optimizer', 'repeat', 'seed',
    ]);

    const second = runCli(['plan', 'experiments/logo-grid.yaml', '--json']);
    assert.deepEqual(JSON.parse(second.stdout), trials);
  });

  test('shows a table with the varying axes and the fixed settings', () => {
    const { status, stdout } = runCli(['plan', 'experiments/logo-grid.yaml']);
    assert.equal(status, 0);
    assert.match(stdout, /^logo-grid: 12 trials \(learningRate ×3, imageSize ×2, filters ×2\)/);
    assert.match(stdout, /fixed: architecture seed, dropout 0\.5, epochs 200, batchSize 8/);
    assert.match(stdout, /#\s+trial\s+learningRate\s+imageSize\s+filters/);
  });

  test('a file with several mistakes prints every one and exits 2', (t) => {
    const file = writeFile(
      tempDir(t),
      'bad.yaml',
      [
        'name: bad',
        'dataset: {kind: synthetic}',
        'grid:',
        '  learningRate: [0.02, 0.001, -0.1]',
        '  imageSize: [16, 64]',
        '  filters: [16, thirty-two]',
        'workers: 0',
      ].join('\n'),
    );
    const { status, stdout, stderr } = runCli(['plan', file]);
    assert.equal(status, 2);
    assert.equal(stdout, '');
    assert.match(stderr, /bad\.yaml is not a valid experiment \(3 problems\)/);
    assert.match(stderr, /grid\.learningRate\[2\]: expected a number > 0, received -0\.1/);
    assert.match(stderr, /grid\.filters\[1\]: expected a number, received "thirty-two"/);
    assert.match(stderr, /workers: expected a number > 0, received 0/);
  });

  test('a missing dataset folder exits 2 naming the path', (t) => {
    const dir = tempDir(t);
    const file = writeFile(
      dir,
      'folders.yaml',
      'name: f\ndataset: {kind: folders, path: no/such/place}\n' +
        'grid: {learningRate: [0.01], imageSize: [32], filters: [8]}\n',
    );
    const { status, stderr } = runCli(['plan', file]);
    assert.equal(status, 2);
    assert.match(stderr, /dataset\.path/);
    assert.match(stderr, /no\/such\/place/);
  });

  test('plan and --help start without loading TensorFlow.js, sharp or Vega', (t) => {
    const dir = tempDir(t);
    const hook = writeFile(
      dir,
      'hook.mjs',
      'export async function resolve(specifier, context, next) {\n' +
        "  if (/^(@tensorflow\\/|sharp$|vega|@resvg\\/)/.test(specifier)) {\n" +
        "    throw new Error('heavy module imported: ' + specifier);\n" +
        '  }\n' +
        '  return next(specifier, context);\n' +
        '}\n',
    );
    const register = writeFile(
      dir,
      'register.mjs',
      `import { register } from 'node:module';\nregister(${JSON.stringify(`file://${hook}`)});\n`,
    );
    const nodeArgs = ['--import', register];
    for (const args of [
      ['--help'],
      ['plan', '--help'],
      ['report', '--help'],
      ['plan', 'experiments/quickstart.yaml'],
    ]) {
      const result = runCli(args, { nodeArgs });
      assert.equal(result.status, 0, `${args.join(' ')}: ${result.stderr}`);
    }
    const run = runCli(['run', 'experiments/quickstart.yaml', '--db', `${dir}/x.sqlite`], {
      nodeArgs,
      env: { GRIDSWEEP_CACHE: `${dir}/cache` },
    });
    assert.notEqual(run.status, 0, 'the hook must really block heavy imports');
  });

  test('--estimate times each network once and gives each trial and the sweep a run time', (t) => {
    const dir = tempDir(t);
    const file = writeFile(
      dir,
      'tiny.yaml',
      [
        'name: tiny-estimate',
        'dataset: {kind: synthetic, classes: 3, perClass: 8, size: 32, seed: 3}',
        'training: {epochs: 4, batchSize: 4}',
        'grid: {learningRate: [0.01, 0.001], imageSize: [24], filters: [4, 8]}',
        'workers: 1',
      ].join('\n'),
    );
    const env = { GRIDSWEEP_CACHE: `${dir}/cache` };
    const table = runCli(['plan', file, '--estimate', '--backend', 'wasm'], { env });
    assert.equal(table.status, 0, table.stderr);
    assert.match(table.stdout, /#\s+trial\s+learningRate\s+filters\s+estimate/);
    assert.match(table.stdout, /estimated run time: [\d.]+ s on 1 worker \(wasm, timed here/);
    const timed = table.stderr.match(/^timed seed, 24 px, \d+ filters, batch 4:/gm) ?? [];
    assert.equal(timed.length, 2, 'one timing per distinct network, not per trial');

    const json = runCli(['plan', file, '--estimate', '--backend', 'wasm', '--json'], { env });
    assert.equal(json.status, 0, json.stderr);
    const trials = JSON.parse(json.stdout) as (PlannedTrial & { estimatedSeconds: number })[];
    assert.equal(trials.length, 4);
    for (const trial of trials) {
      assert.ok(trial.estimatedSeconds > 0 && trial.estimatedSeconds < 600);
    }
    assert.match(json.stderr, /estimated run time:/);
  });

  test('an unknown command exits 2', () => {
    const { status, stderr } = runCli(['plna']);
    assert.equal(status, 2);
    assert.match(stderr, /plan/);
  });
});
