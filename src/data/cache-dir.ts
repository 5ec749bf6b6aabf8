/** Where gridsweep keeps generated and decoded data between runs. */
import os from 'node:os';
import path from 'node:path';

/**
 * $GRIDSWEEP_CACHE, else $XDG_CACHE_HOME/gridsweep, else ~/.cache/gridsweep.
 * Empty variables count as unset, as the XDG base directory spec asks.
 */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.GRIDSWEEP_CACHE) return path.resolve(env.GRIDSWEEP_CACHE);
  if (env.XDG_CACHE_HOME) return path.resolve(env.XDG_CACHE_HOME, 'gridsweep');
  return path.join(os.homedir(), '.cache', 'gridsweep');
}
