/**
 * From a `--queue` URL to Redis connection options. Accepted:
 *
 *   redis://HOST[:PORT][/DB]                 plain TCP, port 6379, db 0
 *   redis://[USER]:PASSWORD@HOST[:PORT][/DB]  with AUTH (ACL user optional)
 *   rediss://…                               the same over TLS
 *
 * The password never appears in what gridsweep prints: `redacted()` shows
 * the URL with `***` in its place.
 */
import { InputError } from '../errors.js';

export interface QueueAddress {
  /** What the person typed, for error messages: password redacted. */
  display: string;
  options: RedisAddress;
}

/** Options both ioredis and BullMQ take. */
export type RedisAddress = {
  host: string;
  port: number;
  db: number;
  username?: string;
  password?: string;
  tls?: { servername: string };
};

const DEFAULT_PORT = 6379;

export function parseQueueUrl(text: string, field = '--queue'): QueueAddress {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw badUrl(field, text.replace(/:[^:@/]*@/, ':***@'), 'not a URL');
  }
  const display = redacted(url);
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw badUrl(field, display, 'expected redis:// or rediss://');
  }
  if (url.hostname === '') throw badUrl(field, display, 'no host');

  const port = url.port === '' ? DEFAULT_PORT : Number(url.port);
  const dbText = url.pathname.replace(/^\//, '');
  const db = dbText === '' ? 0 : Number(dbText);
  if (!Number.isInteger(db) || db < 0) {
    throw badUrl(field, display, 'the database after / must be a whole number >= 0');
  }
  if ([...url.searchParams.keys()].length > 0) {
    throw badUrl(field, display, 'query parameters are not supported');
  }

  const options: RedisAddress = {
    // IPv6 literals come bracketed in URLs; sockets want them bare.
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port,
    db,
    ...(url.username === '' ? {} : { username: decodeURIComponent(url.username) }),
    ...(url.password === '' ? {} : { password: decodeURIComponent(url.password) }),
    // rediss://: TLS with the platform's trusted CAs, checking the host name.
    ...(url.protocol === 'rediss:' ? { tls: { servername: url.hostname } } : {}),
  };
  return { display, options };
}

/** The URL with its password replaced by `***`. */
export function redacted(url: URL): string {
  if (url.password === '') return url.href;
  const copy = new URL(url.href);
  copy.password = '***';
  return copy.href;
}

function badUrl(field: string, shown: string, why: string): InputError {
  return new InputError('E_ARGUMENT', `${field}: ${why}, received ${shown}`, [], {
    hint: 'write it as redis://[:PASSWORD@]HOST[:PORT][/DB], or rediss:// for TLS',
  });
}

/**
 * A client that waits out a Redis restart instead of failing: commands
 * queue while it reconnects (BullMQ requires this of blocking clients).
 */
export async function openRedis(address: QueueAddress, name: string) {
  const { Redis } = await import('ioredis');
  return new Redis({
    ...address.options,
    connectionName: name,
    maxRetriesPerRequest: null,
    retryStrategy: (times: number) => Math.min(200 * times, 2000),
  });
}

export type RedisClient = Awaited<ReturnType<typeof openRedis>>;
