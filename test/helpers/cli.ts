/** Runs the real gridsweep CLI as a separate process, as a person would. */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export const CLI = path.resolve('dist/src/cli/main.js');

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(
  args: string[],
  options: { env?: Record<string, string>; nodeArgs?: string[]; cwd?: string } = {},
): CliResult {
  const result = spawnSync(process.execPath, [...(options.nodeArgs ?? []), CLI, ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...options.env },
    cwd: options.cwd ?? process.cwd(),
    timeout: 300_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

export interface StartedCli {
  child: ChildProcess;
  /** Resolves when the process exits, with everything it printed. */
  done: Promise<CliResult & { signal: NodeJS.Signals | null }>;
}

/** Starts the CLI without waiting, so a test can signal or kill it. */
export function startCli(
  args: string[],
  options: { env?: Record<string, string>; cwd?: string } = {},
): StartedCli {
  const child = spawn(process.execPath, [CLI, ...args], {
    env: { ...process.env, ...options.env },
    cwd: options.cwd ?? process.cwd(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const done = new Promise<CliResult & { signal: NodeJS.Signals | null }>((resolve) => {
    child.on('close', (status, signal) => resolve({ status, signal, stdout, stderr }));
  });
  return { child, done };
}

/** Polls until `check` returns true; fails the test after `timeoutMs`. */
export async function waitUntil(
  check: () => boolean,
  what: string,
  timeoutMs = 120_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
