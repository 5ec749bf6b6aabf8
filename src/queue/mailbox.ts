/**
 * The two directions of a conversation over Redis: a stream per sweep that
 * every worker appends to and only the coordinator reads (and trims), and
 * a list per attempt that only the coordinator pushes to and only that
 * attempt's worker pops. Lists expire an hour after their last push, so
 * replies to a worker that is gone do not pile up.
 */
import type { Redis } from 'ioredis';

import { replyKey, streamKey, type RemoteMessage, type RemoteReply } from './protocol.js';

const REPLY_TTL_SECONDS = 3600;

export async function postMessage(
  redis: Redis,
  sweepId: string,
  message: RemoteMessage,
): Promise<void> {
  await redis.xadd(streamKey(sweepId), '*', 'm', JSON.stringify(message));
}

/** The id of the stream's newest entry: read after it to skip the past. */
export async function latestMessageId(redis: Redis, sweepId: string): Promise<string> {
  const [newest] = await redis.xrevrange(streamKey(sweepId), '+', '-', 'COUNT', 1);
  return newest?.[0] ?? '0-0';
}

/**
 * Messages after `after`, waiting up to `blockMs` for the first. Those
 * read are trimmed from the stream: the coordinator is its only reader.
 */
export async function readMessages(
  redis: Redis,
  sweepId: string,
  after: string,
  blockMs: number,
): Promise<{ id: string; message: RemoteMessage }[]> {
  const key = streamKey(sweepId);
  const answer = await redis.xread('COUNT', 100, 'BLOCK', blockMs, 'STREAMS', key, after);
  const entries = answer?.[0]?.[1] ?? [];
  if (entries.length > 0) {
    await redis.xtrim(key, 'MINID', entries.at(-1)![0]);
  }
  return entries.flatMap(([id, fields]) => {
    const at = fields.indexOf('m');
    if (at < 0 || at + 1 >= fields.length) return [];
    return [{ id, message: JSON.parse(fields[at + 1]!) as RemoteMessage }];
  });
}

export async function sendReply(redis: Redis, token: string, reply: RemoteReply): Promise<void> {
  const key = replyKey(token);
  await redis.multi().rpush(key, JSON.stringify(reply)).expire(key, REPLY_TTL_SECONDS).exec();
}

/** The next reply to the attempt, or null after `seconds` without one. */
export async function nextReply(
  blocking: Redis,
  token: string,
  seconds: number,
): Promise<RemoteReply | null> {
  const popped = await blocking.blpop(replyKey(token), seconds);
  return popped === null ? null : (JSON.parse(popped[1]) as RemoteReply);
}
