import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { InputError } from '../../src/errors.js';
import { parseQueueUrl } from '../../src/queue/connection.js';

describe('--queue URLs', () => {
  test('a plain URL gives host, port 6379 and db 0 by default', () => {
    const { options, display } = parseQueueUrl('redis://10.0.0.5');
    assert.deepEqual(options, { host: '10.0.0.5', port: 6379, db: 0 });
    assert.equal(display, 'redis://10.0.0.5');
  });

  test('a password, a user, a port and a database are all read, and the password is hidden', () => {
    const { options, display } = parseQueueUrl('redis://sweeper:p%40ss@queue.lan:6380/3');
    assert.deepEqual(options, {
      host: 'queue.lan',
      port: 6380,
      db: 3,
      username: 'sweeper',
      password: 'p@ss',
    });
    assert.equal(display, 'redis://sweeper:***@queue.lan:6380/3');
  });

  test('rediss:// connects with TLS, checking the server name', () => {
    const { options } = parseQueueUrl('rediss://:secret@redis.example.org:6390');
    assert.deepEqual(options.tls, { servername: 'redis.example.org' });
    assert.equal(options.password, 'secret');
  });

  test('another scheme or a bad database number is bad input naming the field, without the password', () => {
    for (const url of ['http://:secret@host', 'redis://:secret@host/two', 'not a url :secret@']) {
      assert.throws(
        () => parseQueueUrl(url),
        (error: unknown) =>
          error instanceof InputError &&
          error.code === 'E_ARGUMENT' &&
          error.message.startsWith('--queue: ') &&
          !error.message.includes('secret'),
        url,
      );
    }
  });
});
