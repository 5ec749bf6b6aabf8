/**
 * Whether the process recorded as running a sweep still is. On the same
 * host, the kernel knows whether its pid exists. From another host it is a
 * judgement on the heartbeat, which moves with every epoch written.
 */

/** A `runs` row, as `status` reads it. */
export interface RunRecord {
  host: string;
  pid: number;
  status: string;
  heartbeatAt: string;
}

export interface Liveness {
  /**
   * finished: the run ended and said so; alive: it is working; stale: it
   * stopped without finishing (killed, crashed, machine off).
   */
  state: 'finished' | 'alive' | 'stale';
  /**
   * How that was decided: the run's own status, its pid on this host, or
   * (from another host) its heartbeat's age against `silenceLimit`.
   */
  by: 'status' | 'pid' | 'heartbeat';
  /** Seconds without a heartbeat after which a run is stale (by heartbeat). */
  silenceLimit?: number;
}

export interface LivenessContext {
  now: Date;
  hostname: string;
  pidExists: (pid: number) => boolean;
  /**
   * Seconds the slowest running trial takes per epoch, as timed so far;
   * null before any epoch.
   */
  slowestEpoch: number | null;
}

/**
 * Silence shorter than this is never taken for death: decoding a large
 * dataset or compiling the first epoch writes no epoch for minutes.
 */
export const MIN_SILENCE_S = 300;
/** A heartbeat this many epochs late means the run has stopped. */
const EPOCHS_OF_SILENCE = 3;

export function judgeLiveness(run: RunRecord, context: LivenessContext): Liveness {
  if (run.status !== 'running') return { state: 'finished', by: 'status' };

  if (run.host === context.hostname) {
    // A pid can be reused by another process after a crash; with the
    // heartbeat's age shown beside the verdict, a person can tell.
    const state = context.pidExists(run.pid) ? 'alive' : 'stale';
    return { state, by: 'pid' };
  }

  const silenceLimit = Math.max(
    MIN_SILENCE_S,
    EPOCHS_OF_SILENCE * (context.slowestEpoch ?? 0),
  );
  const state = heartbeatAge(run, context.now) <= silenceLimit ? 'alive' : 'stale';
  return { state, by: 'heartbeat', silenceLimit };
}

/** Seconds since the run last wrote an epoch (or started). */
export function heartbeatAge(run: Pick<RunRecord, 'heartbeatAt'>, now: Date): number {
  return Math.max(0, (now.getTime() - Date.parse(run.heartbeatAt)) / 1000);
}

/** process.kill(pid, 0): no signal is sent; it only asks whether pid exists. */
export function pidExists(pid: number): boolean {
  // 0 and negative pids name process groups, not a process.
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
