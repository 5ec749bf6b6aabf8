import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';

import { makeSweepFixture, type SweepFixture } from '../query/sweep-fixture.js';
import { runCli } from '../helpers/cli.js';

let fixture: SweepFixture;

function effects(...args: string[]) {
  return runCli(['effects', ...args, '--db', fixture.db]);
}

describe('gridsweep effects', () => {
  before(async () => {
    fixture = await makeSweepFixture();
  });

  test('one parameter: mean, sd and n per level, and the best level', () => {
    const { status, stdout, stderr } = effects('learningRate');
    assert.equal(status, 0, stderr);
    assert.match(stdout, /best_val_acc by learningRate, over repeats and the other parameters/);
    assert.match(stdout, /^learningRate\s+n\s+mean\s+sd\s+min\s+max$/m);
    assert.match(stdout, /^0\.0001\s+4\s/m);
    assert.match(stdout, /^0\.001\s+4\s/m);
    assert.match(stdout, /^best learningRate: 0\.000?1 \(mean [\d.]+\); best minus worst mean: /m);
  });

  test('a pair: the two-way table and a sentence about the interaction', () => {
    const { status, stdout } = effects('learning_rate', 'image_size', '--metric', 'final_val_acc');
    assert.equal(status, 0);
    assert.match(stdout, /mean final_val_acc ± sd \(n\) by learningRate \(rows\) and imageSize/);
    assert.match(stdout, /^learningRate \\ imageSize\s+16 px\s+20 px$/m);
    assert.match(stdout, /^0\.001\s+[\d.]+ ± [\d.-]+ \(2\)\s+[\d.]+ ± [\d.-]+ \(2\)$/m);
    assert.match(
      stdout,
      /^(the best learningRate depends on imageSize: .+ at 16 px, .+ at 20 px|no interaction in the ranking: .+|the best learningRate is .+)$/m,
    );
    assert.match(stdout, /interaction contrast: learningRate 0\.0001 rather than 0\.001/);
  });

  test('--json gives the cells and the interaction for scripts', () => {
    const { status, stdout } = effects('imageSize', 'learningRate', '--json');
    assert.equal(status, 0);
    const result = JSON.parse(stdout) as {
      a: { name: string };
      cells: { n: number }[];
      interaction: { sentence: string; bestChanges: boolean; contrast: { value: number } };
    };
    assert.equal(result.a.name, 'imageSize');
    assert.equal(result.cells.length, 4);
    assert.ok(result.cells.every((cell) => cell.n === 2));
    assert.equal(typeof result.interaction.bestChanges, 'boolean');
    assert.equal(typeof result.interaction.contrast.value, 'number');
  });

  test('--json for one parameter gives its levels', () => {
    const { stdout } = effects('imageSize', '--json');
    const result = JSON.parse(stdout) as { levels: { level: number; n: number }[] };
    assert.deepEqual(result.levels.map((level) => [level.level, level.n]), [[16, 4], [20, 4]]);
  });

  test('an unknown parameter, or the same one twice, is bad input', () => {
    const unknown = effects('lr');
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /unknown grid parameter "lr"; expected one of learningRate/);
    const twice = effects('learningRate', 'learning_rate');
    assert.equal(twice.status, 2);
    assert.match(twice.stderr, /the two parameters must differ/);
  });
});
