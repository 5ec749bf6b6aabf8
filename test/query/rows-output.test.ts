import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { formatRows } from '../../src/query/rows-output.js';

const result = {
  columns: ['name', 'acc', 'note'],
  rows: [
    ['plain', 0.5, null],
    ['with, comma', 1, ''],
    ['say "hi"\nthere', 0.25, 'x'],
  ],
};

describe('query output formats', () => {
  test('CSV quotes fields per RFC 4180 and tells NULL from an empty string', () => {
    assert.equal(
      formatRows(result, 'csv'),
      [
        'name,acc,note',
        'plain,0.5,',
        '"with, comma",1,""',
        '"say ""hi""\nthere",0.25,x',
      ].join('\r\n'),
    );
  });

  test('JSON is an array of row objects with null for NULL', () => {
    assert.deepEqual(JSON.parse(formatRows(result, 'json')), [
      { name: 'plain', acc: 0.5, note: null },
      { name: 'with, comma', acc: 1, note: '' },
      { name: 'say "hi"\nthere', acc: 0.25, note: 'x' },
    ]);
  });

  test('JSON keeps both values when a column name repeats', () => {
    const text = formatRows({ columns: ['id', 'id'], rows: [['a', 'b']] }, 'json');
    assert.deepEqual(JSON.parse(text), [{ id: 'a', 'id:2': 'b' }]);
  });

  test('a table shows NULL as NULL and counts the rows', () => {
    const text = formatRows(result, 'table');
    assert.match(text.split('\n')[2]!, /^plain\s+0\.5\s+NULL$/);
    assert.match(text, /\(3 rows\)$/);
  });

  test('BLOBs show as hex literals', () => {
    const text = formatRows({ columns: ['b'], rows: [[Buffer.from([10, 255])]] }, 'csv');
    assert.equal(text, "b\r\nx'0aff'");
  });
});
