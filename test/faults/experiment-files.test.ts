/**
 * Hand-written experiment files that are wrong: each must be refused with
 * exit 2 and a message that names where the problem is and what was there,
 * before anything is written (no database, no cache, no generated images).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';

import { tempDir, writeFile } from '../helpers/files.js';
import { checks, cli, snapshot, tinyExperiment } from './harness.js';

interface BadFile {
  name: string;
  /** The file's content, or a function that makes the path to pass. */
  content: string | ((dir: string) => string);
  /** Fragments the message must hold: the path and the value. */
  expect: RegExp[];
}

const CASES: BadFile[] = [
  {
    name: 'not YAML',
    content: 'name: broken\ngrid: {learningRate: [0.1, 0.01\n',
    expect: [/not valid YAML/i, /line \d+/],
  },
  {
    name: 'YAML that is not an object',
    content: '- learningRate\n- imageSize\n',
    expect: [/a list/, /expected a mapping|expected an object/i],
  },
  {
    name: 'an unknown key (a typo)',
    content: tinyExperiment('typo', ['grid: {learningrate: [0.1], imageSize: [16], filters: [4]}']),
    expect: [/grid\.learningrate/, /did you mean "learningRate"/],
  },
  {
    name: 'a wrong type',
    content: tinyExperiment('types', ['grid: {learningRate: [0.1], imageSize: [16], filters: ["thirty-two"]}']),
    expect: [/grid\.filters\[0\]/, /"thirty-two"/],
  },
  {
    name: 'an empty list',
    content: tinyExperiment('empty', ['grid: {learningRate: [], imageSize: [16], filters: [4]}']),
    expect: [/grid\.learningRate/, /at least 1|empty/i],
  },
  {
    name: 'a zero and a negative learning rate',
    content: tinyExperiment('negative', ['grid: {learningRate: [0, -0.1], imageSize: [16], filters: [4]}']),
    expect: [/grid\.learningRate\[0\]: .*received 0/, /grid\.learningRate\[1\]: .*received -0\.1/],
  },
  {
    name: 'an image size too small for the network',
    content: tinyExperiment('small', [
      'model: {architecture: seed}',
      'grid: {learningRate: [0.1], imageSize: [16], filters: [4]}',
    ]),
    expect: [/grid\.imageSize\[0\]/, /16/, /seed.*22|22.*seed/],
  },
  {
    name: 'a filter count that is not a whole number',
    content: tinyExperiment('fraction', ['grid: {learningRate: [0.1], imageSize: [16], filters: [16.5]}']),
    expect: [/grid\.filters\[0\]/, /16\.5/],
  },
  {
    name: 'a grid over the size limit',
    content: tinyExperiment('huge', [
      `grid: {learningRate: [${Array.from({ length: 11 }, (_, i) => (i + 1) / 1000).join(', ')}], ` +
        `imageSize: [${Array.from({ length: 10 }, (_, i) => 16 + i).join(', ')}], ` +
        `filters: [${Array.from({ length: 10 }, (_, i) => 4 + i).join(', ')}]}`,
    ]),
    expect: [/1100 trials/, /--allow-large/],
  },
  {
    name: 'a dataset path that does not exist',
    content: tinyExperiment('nodata', ['dataset: {kind: folders, path: no/such/folder}']),
    expect: [/dataset\.path|no\/such\/folder/, /does not exist|no such/i],
  },
  {
    name: 'a file of 10 MB',
    content: (dir) => writeFile(dir, 'big.yaml', `# ${'x'.repeat(10 * 1024 * 1024)}\nname: big\n`),
    expect: [/big\.yaml/, /MiB|too large|larger than/i],
  },
  {
    name: 'a directory instead of a file',
    content: (dir) => {
      fs.mkdirSync(path.join(dir, 'folder.yaml'));
      return path.join(dir, 'folder.yaml');
    },
    expect: [/folder\.yaml/, /folder|directory/i],
  },
  {
    name: 'a file that does not exist',
    content: (dir) => path.join(dir, 'missing.yaml'),
    expect: [/missing\.yaml/, /no such file|does not exist/i],
  },
];

describe('faults: experiment files', () => {
  for (const bad of CASES) {
    test(bad.name, (t) => {
      const dir = tempDir(t);
      const file =
        typeof bad.content === 'string'
          ? writeFile(dir, 'experiment.yaml', bad.content)
          : bad.content(dir);
      const before = snapshot(dir);

      const result = cli(dir, ['run', file]);

      assert.equal(result.status, 2, `exit ${result.status}: ${result.stderr}`);
      for (const pattern of bad.expect) assert.match(result.stderr, pattern);
      assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
      assert.deepEqual(snapshot(dir), before, 'nothing written');
      const named = bad.expect.map((pattern) => pattern.source).join(' · ');
      checks(t, `exit 2; the message matches ${named}; nothing written`);
    });
  }
});
