/**
 * A throwaway redis-server (Debian's package) for the queue tests: bound
 * to 127.0.0.1 on a free port, nothing saved to disk, its files in a temp
 * folder, and a password, so every test also exercises AUTH.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

export const REDIS_PASSWORD = 'test-secret-7f3a';

/** The redis-server on PATH, or undefined when it is not installed. */
export function findRedisServer(): string | undefined {
  const dirs = (process.env.PATH ?? '').split(path.delimiter);
  return [...dirs, '/usr/sbin', '/usr/bin']
    .map((dir) => path.join(dir, 'redis-server'))
    .find((file) => fs.existsSync(file));
}

export const REDIS_MISSING = findRedisServer()
  ? false
  : 'redis-server is not installed (apt-get install -y redis-server); skipping the queue tests';

export interface RedisServer {
  port: number;
  /** redis://:PASSWORD@127.0.0.1:PORT */
  url: string;
  /** Kills it (SIGKILL, losing every key) and starts it again on its port. */
  crashAndRestart(downMs: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startRedis(dir: string): Promise<RedisServer> {
  for (let tries = 0; ; tries++) {
    const port = await freePort();
    try {
      let child = await launch(dir, port);
      return {
        port,
        url: `redis://:${REDIS_PASSWORD}@127.0.0.1:${port}`,
        async crashAndRestart(downMs) {
          await stop(child, 'SIGKILL');
          await new Promise((resolve) => setTimeout(resolve, downMs));
          child = await launch(dir, port);
        },
        stop: () => stop(child),
      };
    } catch (error) {
      // Another process took the port between our probe and redis's bind.
      if (tries >= 2) throw error;
    }
  }
}

function launch(dir: string, port: number): Promise<ChildProcess> {
  const args = [
    '--port', String(port),
    '--bind', '127.0.0.1',
    '--save', '',
    '--appendonly', 'no',
    '--dir', dir,
    '--requirepass', REDIS_PASSWORD,
    '--daemonize', 'no',
  ];
  const child = spawn(findRedisServer()!, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`redis-server did not start in 10 s:\n${output}`));
    }, 10_000);
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
      if (output.includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited with ${code}:\n${output}`));
    });
  });
}

function stop(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.on('exit', () => resolve());
    child.kill(signal);
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
