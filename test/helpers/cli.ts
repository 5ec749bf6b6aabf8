/** Runs the real gridsweep CLI as a separate process, as a person would. */
import { spawnSync } from 'node:child_process';
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
