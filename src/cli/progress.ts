/**
 * Progress bars for `gridsweep run` on a terminal: a live block at the
 * bottom (the sweep's bar, then one line per running trial) redrawn in
 * place, with the lines that matter (a trial finished, failed, stopped,
 * retried or paused; the sweep done) printed above it as they happen. The
 * event lines are the run reporter's own, so a terminal and a log file say
 * the same things in the same words.
 *
 * The renderer writes only to the stream it is given and reads time only
 * from `now`, so a test can drive it with a fake terminal and clock.
 */
import type { SweepEvent } from '../coordinator/events.js';
import type { Axis, Trial } from '../experiment/trial.js';
import { EpochPace, estimateEta } from '../status/eta.js';
import { formatDuration, formatEta } from './duration.js';
import { createRunReporter } from './run-reporter.js';
import { formatNumber } from './table.js';

/** What the renderer needs of a terminal; process.stderr is one. */
export interface ProgressStream {
  write(text: string): unknown;
  /** Width in characters; 80 when unknown. */
  columns?: number;
  /** Height in lines, if known; the block shows fewer trials when short. */
  rows?: number;
}

export interface ProgressOptions {
  /** The grid parameters that vary, shown on each trial's line. */
  varying: readonly Axis[];
  /** Stopping rules may end trials early: the ETA is an upper bound. */
  stopsEarly: boolean;
  /** Print a line above the bars for every epoch. Default false. */
  epochs?: boolean;
  /** Milliseconds on a monotonic clock. Default performance.now. */
  now?: () => number;
  /**
   * Calls `fn` after `ms` milliseconds; returns a function that cancels it.
   * Default: a setTimeout that does not keep the process alive.
   */
  schedule?: (fn: () => void, ms: number) => () => void;
}

export interface ProgressDisplay {
  onEvent(event: SweepEvent): void;
  /** Writes text (whole lines) above the live block, e.g. a log message. */
  write(text: string): void;
  /** Removes the live block; later text is written as plain lines. */
  close(): void;
}

/** At most five redraws a second: more only flickers, and costs writes. */
const REDRAW_MS = 200;
/** Redraw at least this often, so the elapsed time moves between epochs. */
const TICK_MS = 1000;

const ESC = '\x1b[';
const HIDE_CURSOR = `${ESC}?25l`;
const SHOW_CURSOR = `${ESC}?25h`;
const ERASE_DOWN = `${ESC}J`;

const FULL = '█';
const EMPTY = '░';

const SHORT_NAMES: Record<Axis, string> = {
  learningRate: 'lr',
  imageSize: 'size',
  filters: 'filters',
  architecture: 'arch',
  dropout: 'dropout',
  epochs: 'epochs',
  batchSize: 'batch',
  optimizer: 'opt',
  decay: 'decay',
};

type TrialState = 'queued' | 'running' | 'ended' | 'paused';

interface TrialProgress {
  trial: Trial;
  state: TrialState;
  /** Epochs finished, counting those before a resume. */
  done: number;
  /** Epochs the trial will train: its `epochs`, or fewer once it ended. */
  planned: number;
  last: number | null;
  best: number | null;
}

export function createProgressDisplay(
  stream: ProgressStream,
  options: ProgressOptions,
): ProgressDisplay {
  const now = options.now ?? (() => performance.now());
  const schedule = options.schedule ?? unrefTimeout;
  const progress = new SweepProgress(options.varying, options.stopsEarly);
  /** Lines waiting to be printed above the block at the next frame. */
  const above: string[] = [];
  /** Lengths of the block's lines on screen, to know how far to go back. */
  let drawn: number[] = [];
  let lastDraw = Number.NEGATIVE_INFINITY;
  let timer: { due: number; cancel: () => void } | null = null;
  let closed = false;

  // The reporter's words for events, without its trial-started lines:
  // the block shows those trials.
  let muted = false;
  const report = createRunReporter(
    (line) => {
      if (!muted) above.push(line);
    },
    { varying: options.varying, epochs: options.epochs ?? false },
  );

  const draw = (): void => {
    timer?.cancel();
    timer = null;
    lastDraw = now();

    const width = Math.max(20, stream.columns ?? 80);
    const block = progress
      .lines(width, stream.rows, now())
      .map((line) => truncate(line, width - 1));
    const back = drawn.reduce(
      (rows, length) => rows + Math.max(1, Math.ceil(length / width)),
      0,
    );
    let frame = HIDE_CURSOR + (back > 0 ? `\r${ESC}${back}A` : '') + ERASE_DOWN;
    for (const line of [...above.splice(0), ...block]) frame += `${line}\n`;
    stream.write(frame + SHOW_CURSOR);

    drawn = progress.finished ? [] : block.map((line) => line.length);
    if (!progress.finished) wakeIn(TICK_MS);
  };

  /** Draws now if the last frame is old enough, else once it is. */
  const requestDraw = (): void => {
    const wait = lastDraw + REDRAW_MS - now();
    if (wait <= 0) draw();
    else wakeIn(wait);
  };

  const wakeIn = (ms: number): void => {
    const due = now() + ms;
    if (timer && timer.due <= due) return;
    timer?.cancel();
    timer = { due, cancel: schedule(draw, ms) };
  };

  /** Before the sweep starts and after it ends, lines go straight out. */
  const live = () => progress.started && !progress.finished && !closed;

  return {
    onEvent(event) {
      const wasLive = live();
      muted = event.type === 'trial-started';
      report(event);
      muted = false;
      progress.apply(event, now());

      if (wasLive && event.type === 'sweep-finished') draw();
      else if (live()) requestDraw();
      else if (above.length > 0) stream.write(above.splice(0).map((l) => `${l}\n`).join(''));
    },
    write(text) {
      if (!live()) {
        stream.write(text);
        return;
      }
      above.push(...text.replace(/\n$/, '').split('\n'));
      requestDraw();
    },
    close() {
      if (closed) return;
      if (live()) {
        progress.finished = true;
        draw();
      }
      timer?.cancel();
      timer = null;
      closed = true;
    },
  };
}

/**
 * What the live block shows, kept up to date from the events: the sweep's
 * counts, each trial's epochs and accuracy, and the pace of its epochs.
 */
class SweepProgress {
  private readonly trials = new Map<string, TrialProgress>();
  private readonly pace = new EpochPace();
  private sweep: { total: number; before: number; workers: number; since: number } | null =
    null;
  private stopping: 'after-epoch' | 'now' | null = null;
  /** Set by sweep-finished: the block shrinks to the sweep's last bar. */
  finished = false;

  constructor(
    private readonly varying: readonly Axis[],
    private readonly stopsEarly: boolean,
  ) {}

  get started(): boolean {
    return this.sweep !== null;
  }

  apply(event: SweepEvent, now: number): void {
    switch (event.type) {
      case 'sweep-started':
        this.sweep = {
          total: event.total,
          before: event.total - event.planned.length,
          workers: event.workers,
          since: now,
        };
        for (const { trial, resumeFrom } of event.planned) {
          this.trials.set(trial.id, newProgress(trial, resumeFrom));
        }
        break;
      case 'trial-started': {
        const entry = this.of(event.trial);
        entry.state = 'running';
        entry.done = event.resumeFrom;
        break;
      }
      case 'epoch': {
        const entry = this.of(event.trial);
        const { epoch, valAcc, seconds } = event.metrics;
        entry.done = epoch;
        entry.last = valAcc;
        if (entry.best === null || valAcc > entry.best) entry.best = valAcc;
        this.pace.add(event.trial.params, seconds);
        break;
      }
      case 'trial-retrying':
        this.of(event.trial).done = event.resumeFrom;
        break;
      case 'trial-paused':
        this.of(event.trial).state = 'paused';
        break;
      case 'trial-finished': {
        // Epochs it will never train (stopped early, failed) leave the plan.
        const entry = this.of(event.trial);
        entry.state = 'ended';
        entry.planned = entry.done;
        break;
      }
      case 'interrupting':
        this.stopping = event.immediate ? 'now' : 'after-epoch';
        break;
      case 'sweep-finished':
        this.finished = true;
        break;
      case 'data-ready':
      case 'decision':
      case 'checkpoint':
        break;
    }
  }

  /** The block: the sweep's line, then one per running trial that fits. */
  lines(width: number, rows: number | undefined, now: number): string[] {
    if (!this.sweep) return [];
    const lines = [this.sweepLine(width, now)];
    if (this.finished) return lines;

    const running = [...this.trials.values()]
      .filter((entry) => entry.state === 'running')
      .sort((a, b) => a.trial.index - b.trial.index);
    // Room for the sweep's line and the cursor's; some ptys report 0 rows.
    const room = Math.max(1, (rows !== undefined && rows > 0 ? rows : Infinity) - 2);
    const shown = running.length > room ? running.slice(0, room - 1) : running;
    for (const entry of shown) lines.push(this.trialLine(entry));
    if (shown.length < running.length) {
      lines.push(`  … and ${running.length - shown.length} more running`);
    }
    return lines;
  }

  private of(trial: Trial): TrialProgress {
    let entry = this.trials.get(trial.id);
    if (!entry) {
      entry = newProgress(trial, 0);
      this.trials.set(trial.id, entry);
    }
    return entry;
  }

  private sweepLine(width: number, now: number): string {
    const sweep = this.sweep!;
    const entries = [...this.trials.values()];
    const ended = entries.filter((entry) => entry.state === 'ended').length;
    const done = entries.reduce((sum, entry) => sum + entry.done, 0);
    const planned = entries.reduce((sum, entry) => sum + entry.planned, 0);
    const trialsDone = sweep.before + ended;

    const parts = [
      `${trialsDone}/${sweep.total} trials`,
      `${done}/${planned} epochs`,
      formatDuration((now - sweep.since) / 1000),
    ];
    if (!this.finished) parts.push(this.etaText());
    const text = parts.join(' · ');
    const barWidth = clamp(width - 1 - text.length - 3, 10, 30);
    const fraction =
      planned > 0 ? done / planned : sweep.total > 0 ? trialsDone / sweep.total : 1;
    return `${bar(fraction, barWidth)} ${text}`;
  }

  private etaText(): string {
    if (this.stopping === 'now') return 'stopping now';
    if (this.stopping === 'after-epoch') return 'stopping after this epoch';
    const work = [...this.trials.values()]
      .filter((entry) => entry.state === 'running' || entry.state === 'queued')
      .map((entry) => ({ shape: entry.trial.params, epochs: entry.planned - entry.done }));
    return formatEta(estimateEta(this.pace, work, this.sweep!.workers, this.stopsEarly));
  }

  private trialLine(entry: TrialProgress): string {
    const { trial } = entry;
    const { epochs } = trial.params;
    const count = `${String(entry.done).padStart(String(epochs).length)}/${epochs}`;
    const params = this.varying
      .map((axis) => `${SHORT_NAMES[axis]} ${showValue(trial.params[axis])}`)
      .join(' ');
    return [
      `  ${trial.id.slice(0, 8)}`,
      `${count} ${bar(entry.done / epochs, 8)}`,
      `val ${accuracy(entry.last)} best ${accuracy(entry.best)}`,
      params,
    ]
      .filter((part) => part !== '')
      .join('  ');
  }
}

function newProgress(trial: Trial, resumeFrom: number): TrialProgress {
  return {
    trial,
    state: 'queued',
    done: resumeFrom,
    planned: trial.params.epochs,
    last: null,
    best: null,
  };
}

function bar(fraction: number, width: number): string {
  const full = Math.round(clamp(fraction, 0, 1) * width);
  return `[${FULL.repeat(full)}${EMPTY.repeat(width - full)}]`;
}

function accuracy(value: number | null): string {
  return value === null || !Number.isFinite(value) ? '  –  ' : value.toFixed(3);
}

function showValue(value: unknown): string {
  return typeof value === 'number' ? formatNumber(value) : String(value);
}

/** Cuts a line to `max` characters, marking the cut. */
function truncate(line: string, max: number): string {
  return line.length <= max ? line : `${line.slice(0, Math.max(0, max - 1))}…`;
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, value));
}

function unrefTimeout(fn: () => void, ms: number): () => void {
  const handle = setTimeout(fn, ms);
  handle.unref();
  return () => clearTimeout(handle);
}
