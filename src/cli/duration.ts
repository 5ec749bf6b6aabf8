import type { Eta } from '../status/eta.js';

/** Durations as a person reads them at a glance: `42s`, `4m 05s`, `3h 10m`. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${pad(s % 60)}s`;
  const minutes = Math.round(s / 60);
  if (minutes < 48 * 60) return `${Math.floor(minutes / 60)}h ${pad(minutes % 60)}m`;
  const hours = Math.round(minutes / 60);
  return `${Math.floor(hours / 24)}d ${pad(hours % 24)}h`;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** `ETA ≤ 4m 10s`, or why there is none yet. */
export function formatEta(eta: Eta | null): string {
  if (eta === null) return 'ETA after the first epoch';
  if (eta.trials === 0) return 'finishing';
  const rough = eta.guessed > 0 ? ' (rough)' : '';
  return `ETA ${eta.upperBound ? '≤ ' : ''}${formatDuration(eta.seconds)}${rough}`;
}
