import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { InputError } from '../../src/errors.js';
import { loadExperimentFile, validateExperiment } from '../../src/experiment/load.js';
import { minImageSize } from '../../src/model/architectures.js';
import { tempDir, writeFile } from '../helpers/files.js';

const minimal = {
  name: 'tiny',
  dataset: { kind: 'synthetic' },
  grid: { learningRate: [0.001], imageSize: [32], filters: [16] },
};

function problemsOf(raw: unknown): string[] {
  try {
    validateExperiment(raw, 'test.yaml');
  } catch (error) {
    assert.ok(error instanceof InputError, `expected InputError, got ${error}`);
    return error.problems.map((p) => `${p.path}: ${p.message}`);
  }
  assert.fail('expected the experiment to be rejected');
}

describe('experiment validation', () => {
  test('a minimal experiment gets every documented default', () => {
    const { experiment } = validateExperiment(minimal, 'test.yaml');
    assert.equal(experiment.model.architecture, 'seed');
    assert.equal(experiment.model.dropout, 0.5);
    assert.deepEqual(experiment.training, {
      epochs: 200,
      batchSize: 8,
      optimizer: 'rmsprop',
      decay: 1e-6,
    });
    assert.equal(experiment.repeats, 1);
    assert.equal(experiment.seed, 42);
    assert.equal(experiment.dataset.validationSplit, 0.25);
  });

  test('every problem in a file is reported at once, with path and value', () => {
    const problems = problemsOf({
      name: 'has space',
      dataset: { kind: 'folders', path: 'x', validationSplit: 1.5 },
      model: { dropuot: 0.2 },
      training: { epochs: 0, optimizer: 'adagrad' },
      grid: {
        learningrate: [0.1],
        learningRate: [0.02, 0.001, -0.1],
        imageSize: [32],
        filters: [16.5],
      },
    });
    assert.deepEqual(problems.sort(), [
      'dataset.validationSplit: expected a number < 1, received 1.5',
      'grid.filters[0]: expected a whole number, received 16.5',
      'grid.learningRate[2]: expected a number > 0, received -0.1',
      'grid.learningrate: unknown key "learningrate" (did you mean "learningRate"?)',
      'model.dropuot: unknown key "dropuot" (did you mean "dropout"?)',
      'name: expected letters, digits, ".", "_" or "-" (it names the database file), received "has space"',
      'training.epochs: expected a number > 0, received 0',
      'training.optimizer: expected "rmsprop" | "adam" | "sgd", received "adagrad"',
    ]);
  });

  test('missing required lists and empty lists are named', () => {
    const problems = problemsOf({
      name: 'x',
      dataset: { kind: 'synthetic' },
      grid: { learningRate: [], imageSize: [32] },
    });
    assert.deepEqual(problems.sort(), [
      'grid.filters: required, but missing',
      'grid.learningRate: expected a list of at least 1 item, received a list of 0',
    ]);
  });

  test('an unknown dataset kind lists the kinds there are', () => {
    assert.deepEqual(problemsOf({ ...minimal, dataset: { kind: 'imagenet' } }), [
      'dataset.kind: expected one of folders | flickr27 | synthetic, received "imagenet"',
    ]);
  });

  test('a list in the model or training section becomes a grid axis', () => {
    const { experiment } = validateExperiment(
      { ...minimal, training: { batchSize: [8, 32] } },
      'test.yaml',
    );
    assert.deepEqual(experiment.training.batchSize, [8, 32]);
  });

  test('an axis given in two places is refused', () => {
    assert.deepEqual(
      problemsOf({
        ...minimal,
        training: { batchSize: [8, 32] },
        grid: { ...minimal.grid, batchSize: [16] },
      }),
      ['training.batchSize: is a list and grid.batchSize is a list too; declare the axis in one place'],
    );
  });

  test('images too small for the network are refused with the minimum', () => {
    assert.equal(minImageSize('seed'), 22);
    assert.equal(minImageSize('cifar10'), 10);
    assert.deepEqual(
      problemsOf({ ...minimal, grid: { ...minimal.grid, imageSize: [16, 32] } }),
      [
        'grid.imageSize[0]: the seed network needs images of at least 22 px ' +
          '(below that its pooling layers leave no pixels), received 16',
      ],
    );
  });

  test('duplicate grid values are refused', () => {
    assert.deepEqual(
      problemsOf({ ...minimal, grid: { ...minimal.grid, filters: [16, 32, 16] } }),
      [
        'grid.filters[2]: duplicate of grid.filters[0], received 16; ' +
          'use repeats for more trials of one cell',
      ],
    );
  });

  test('a grid over the limit needs --allow-large', () => {
    const large = {
      ...minimal,
      grid: {
        learningRate: Array.from({ length: 11 }, (_, i) => 0.001 * (i + 1)),
        imageSize: Array.from({ length: 10 }, (_, i) => 32 + i),
        filters: Array.from({ length: 10 }, (_, i) => 8 + i),
      },
    };
    assert.deepEqual(problemsOf(large), [
      'grid: expands to 1100 trials, more than the 1000 allowed without --allow-large',
    ]);
    assert.doesNotThrow(() =>
      validateExperiment(large, 'test.yaml', { allowLarge: true }),
    );
  });
});

describe('experiment files', () => {
  test('YAML and JSON files load to the same experiment', async (t) => {
    const dir = tempDir(t);
    const yaml = writeFile(
      dir,
      'a.yaml',
      'name: tiny\ndataset: {kind: synthetic}\n' +
        'grid: {learningRate: [0.001], imageSize: [32], filters: [16]}\n',
    );
    const json = writeFile(dir, 'b.json', JSON.stringify(minimal));
    const a = await loadExperimentFile(yaml);
    const b = await loadExperimentFile(json);
    assert.deepEqual(a.experiment, b.experiment);
    assert.equal(a.baseDir, dir);
  });

  test('a file that is not YAML says where it broke', async (t) => {
    const file = writeFile(tempDir(t), 'bad.yaml', 'name: x\n  grid: [\n');
    await assert.rejects(loadExperimentFile(file), (error: InputError) => {
      assert.match(error.message, /is not valid YAML or JSON/);
      assert.match(error.problems[0]!.path, /^line \d+, column \d+$/);
      return true;
    });
  });

  test('YAML that is not a mapping, a folder and a missing file are refused', async (t) => {
    const dir = tempDir(t);
    const list = writeFile(dir, 'list.yaml', '- 1\n- 2\n');
    await assert.rejects(loadExperimentFile(list), /expected a mapping of keys.*received a list/);
    await assert.rejects(loadExperimentFile(dir), /is a folder; expected an experiment file/);
    await assert.rejects(
      loadExperimentFile(`${dir}/nope.yaml`),
      /cannot read experiment file .*nope.yaml: no such file/,
    );
  });

  test('a file over the size limit is refused without parsing it', async (t) => {
    const file = writeFile(tempDir(t), 'huge.yaml', `# ${'x'.repeat(2 * 1024 * 1024)}\n`);
    await assert.rejects(loadExperimentFile(file), /is 2\.0 MiB; an experiment file is at most 1 MiB/);
  });

  test('repeated keys are refused rather than silently overwritten', async (t) => {
    const file = writeFile(
      tempDir(t),
      'dup.json',
      '{"name": "a", "name": "b", "dataset": {"kind": "synthetic"}}',
    );
    await assert.rejects(loadExperimentFile(file), (error: InputError) => {
      assert.match(error.problems[0]!.message, /Map keys must be unique/);
      return true;
    });
  });

  test('the shipped experiments are valid', async () => {
    for (const name of ['quickstart', 'logo-grid']) {
      const { experiment } = await loadExperimentFile(`experiments/${name}.yaml`);
      assert.equal(experiment.name, name);
    }
  });
});
