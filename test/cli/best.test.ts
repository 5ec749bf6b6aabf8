import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';

import { makeSweepFixture, type SweepFixture } from '../query/sweep-fixture.js';
import { runCli } from '../helpers/cli.js';

let fixture: SweepFixture;

interface BestJson {
  sweep: { name: string; chance: number };
  metric: string;
  cellsWithResults: number;
  cells: { rank: number; n: number; mean: number; params: Record<string, unknown> }[];
}

function best(...args: string[]) {
  return runCli(['best', '--db', fixture.db, ...args]);
}

describe('gridsweep best', () => {
  before(async () => {
    fixture = await makeSweepFixture();
  });

  test('shows the best cells with the parameters that vary and the fixed ones', () => {
    const { status, stdout, stderr } = best();
    assert.equal(status, 0, stderr);
    const lines = stdout.split('\n');
    assert.match(lines[0]!, /^tiny \(sweep \w+\): top 4 of 4 cells by mean best_val_acc over repeats; chance accuracy 0.3333$/);
    assert.match(lines[2]!, /^rank\s+learningRate\s+imageSize\s+n\s+mean\s+sd\s+min\s+max$/);
    assert.match(lines[4]!, /^\s+1\s+0\.\d+\s+(16|20) px\s+2\s/);
    assert.match(stdout, /same in every cell: filters 4, architecture cifar10/);
  });

  test('--json gives every parameter of each cell, best first', () => {
    const { status, stdout } = best('--json');
    assert.equal(status, 0);
    const result = JSON.parse(stdout) as BestJson;
    assert.equal(result.metric, 'best_val_acc');
    assert.equal(result.cellsWithResults, 4);
    assert.equal(result.cells[0]!.rank, 1);
    assert.deepEqual(Object.keys(result.cells[0]!.params), [
      'learningRate', 'imageSize', 'filters', 'architecture', 'dropout',
      'epochs', 'batchSize', 'optimizer', 'decay',
    ]);
    const means = result.cells.map((cell) => cell.mean);
    assert.deepEqual(means, [...means].sort((a, b) => b - a));
  });

  test('--metric and --top choose what ranks and how many show', () => {
    const { status, stdout } = best('--metric', 'min_val_loss', '--top', '2', '--json');
    assert.equal(status, 0);
    const result = JSON.parse(stdout) as BestJson;
    assert.equal(result.cells.length, 2);
    assert.ok(result.cells[0]!.mean <= result.cells[1]!.mean, 'lower loss first');
  });

  test('an unknown metric or a bad --top is bad input, exit code 2', () => {
    const metric = best('--metric', 'accuracy');
    assert.equal(metric.status, 2);
    assert.match(metric.stderr, /--metric: expected one of best_val_acc, final_val_acc/);
    assert.equal(best('--top', '0').status, 2);
  });
});
