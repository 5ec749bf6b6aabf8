import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { createProgressDisplay, type ProgressOptions } from '../../src/cli/progress.js';
import { createRunReporter } from '../../src/cli/run-reporter.js';
import type { SweepEvent } from '../../src/coordinator/events.js';
import type { Trial } from '../../src/experiment/trial.js';
import { FakeTerminal } from '../helpers/terminal.js';
import { trialParams } from '../model/params.js';

const trials: Trial[] = [
  { id: 'aaaa1111ffff', index: 0, params: trialParams({ epochs: 5, learningRate: 0.01 }) },
  { id: 'bbbb2222ffff', index: 1, params: trialParams({ epochs: 5, learningRate: 0.001 }) },
  { id: 'cccc3333ffff', index: 2, params: trialParams({ epochs: 5, imageSize: 32 }) },
];
const [a, b, c] = trials as [Trial, Trial, Trial];

const started = (trial: Trial): SweepEvent => ({
  type: 'trial-started',
  trial,
  backend: 'wasm',
  attempt: 1,
  resumeFrom: 0,
});

const epoch = (trial: Trial, n: number, valAcc = 0.3 + n / 100): SweepEvent => ({
  type: 'epoch',
  trial,
  metrics: { epoch: n, loss: 1, acc: 0.5, valLoss: 1, valAcc, seconds: 2 },
});

const finished = (trial: Trial, status: 'done' | 'failed' | 'stopped', reason?: string): SweepEvent => ({
  type: 'trial-finished',
  trial,
  status,
  seconds: 10,
  ...(reason === undefined ? {} : { reason }),
});

const sweepStarted: SweepEvent = {
  type: 'sweep-started',
  sweepId: 's1',
  total: 3,
  planned: trials.map((trial) => ({ trial, resumeFrom: 0 })),
  workers: 2,
};

/** A display on a fake terminal whose clock moves only when told. */
function setup(columns = 80, options: Partial<ProgressOptions> = {}) {
  const terminal = new FakeTerminal(columns);
  let clock = 0;
  const timers: { fn: () => void; cancelled: boolean }[] = [];
  const display = createProgressDisplay(terminal, {
    varying: ['learningRate', 'imageSize'],
    stopsEarly: true,
    now: () => clock,
    schedule: (fn) => {
      const timer = { fn, cancelled: false };
      timers.push(timer);
      return () => {
        timer.cancelled = true;
      };
    },
    ...options,
  });
  return {
    terminal,
    display,
    /** Moves the clock on, then sends the event. */
    send(event: SweepEvent, afterMs = 1000) {
      clock += afterMs;
      display.onEvent(event);
    },
    /** Runs the timers that are due, as the event loop would. */
    fireTimers() {
      for (const timer of timers.splice(0)) if (!timer.cancelled) timer.fn();
    },
    screen: () => terminal.screen().lines.filter((line) => line !== ''),
  };
}

describe('progress bars', () => {
  test('show the sweep bar and one line per running trial, redrawn in place', () => {
    const run = setup();
    run.send(sweepStarted);
    run.send(started(a));
    run.send(started(b));
    run.send(epoch(a, 1));
    run.send(epoch(b, 1));
    run.send(epoch(a, 2));

    const screen = run.screen();
    const bars = screen.filter((line) => /trials · /.test(line));
    assert.equal(bars.length, 1, `one sweep bar on screen:\n${screen.join('\n')}`);
    assert.match(bars[0]!, /^\[█*░+\] 0\/3 trials · 3\/15 epochs · 5s · ETA ≤ 12s \(rough\)$/);

    const trialLines = screen.filter((line) => /^ {2}[0-9a-f]{8} /.test(line));
    assert.deepEqual(
      trialLines.map((line) => line.slice(2, 10)),
      ['aaaa1111', 'bbbb2222'],
    );
    assert.match(trialLines[0]!, /^ {2}aaaa1111 {2}2\/5 \[███░░░░░\] {2}val 0\.320 best 0\.320 {2}lr 0\.01 size 16$/);
    assert.match(trialLines[1]!, /1\/5 \[██░░░░░░\] {2}val 0\.310 best 0\.310 {2}lr 0\.001 size 16$/);
    assert.equal(screen.at(-1), trialLines[1], 'the live block is at the bottom');
  });

  test('give an ETA from the epochs timed, as an upper bound when rules may stop trials', () => {
    const run = setup();
    run.send(sweepStarted);
    run.send(started(a));
    run.send(started(b));
    assert.match(run.screen()[1]!, /ETA after the first epoch$/);

    run.send(epoch(a, 1));
    run.send(epoch(b, 1));
    // 4 + 4 epochs left of 16 px at 2 s, 5 of 32 px priced at the mean
    // (2 s, so rough): 26 s over 2 workers.
    assert.match(run.screen()[1]!, /ETA ≤ 13s \(rough\)$/);

    const plain = setup(80, { stopsEarly: false });
    for (const event of [sweepStarted, started(a), started(c), epoch(a, 1), epoch(c, 1)]) {
      plain.send(event);
    }
    assert.match(plain.screen().at(-3)!, /ETA 13s$/, 'exact when no rule stops early');
  });

  test('print the lines that matter above the live block, and not trial starts', () => {
    const run = setup();
    run.send(sweepStarted);
    run.send(started(a));
    run.send(started(b));
    run.send(epoch(a, 1, 0.6));
    run.send(finished(a, 'stopped', 'median: best val acc 0.6 below the median 0.7 of 3 trials'));
    run.send({ type: 'trial-retrying', trial: b, attempt: 2, error: 'worker died: out of memory', resumeFrom: 0 });
    run.send(finished(b, 'failed', 'worker died: out of memory'));
    run.send(started(c));

    const screen = run.screen();
    assert.match(screen[0]!, /^3 trials: 0 already finished, 3 to run on 2 workers$/);
    assert.match(screen[1]!, /^\[1\/3\] aaaa1111 stopped in 10\.0 s, best val acc 0\.600 at epoch 1 \(final 0\.600\): median: best val acc 0\.6 below/);
    assert.match(screen[2]!, /^\[2\/3\] bbbb2222 worker died: out of memory; trying again \(attempt 2\) from the start$/);
    assert.match(screen[3]!, /^\[2\/3\] bbbb2222 failed in 10\.0 s, no epoch finished: worker died: out of memory$/);
    assert.match(screen[4]!, /^\[█+░*\] 2\/3 trials · 1\/6 epochs/, 'ended trials stop counting their unrun epochs');
    assert.match(screen[5]!, /^ {2}cccc3333 {2}0\/5/);
    assert.equal(screen.length, 6);
    assert.doesNotMatch(run.terminal.output, /started on wasm/);
  });

  test('keep every line of the live block within the terminal width', () => {
    for (const columns of [80, 40]) {
      const run = setup(columns, {
        varying: ['learningRate', 'imageSize', 'filters', 'dropout', 'optimizer', 'batchSize'],
      });
      run.send(sweepStarted);
      for (const trial of trials) run.send(started(trial));
      for (const trial of trials) run.send(epoch(trial, 1));

      const screen = run.screen();
      assert.equal(screen.length, 1 + 1 + 3, `header, sweep bar, 3 trials at ${columns}`);
      for (const line of screen.slice(1)) {
        assert.ok(line.length < columns, `${line.length} chars at ${columns}: ${line}`);
      }
      assert.ok(screen.slice(2).every((line) => line.endsWith('…')), 'cut lines say so');
    }
  });

  test('show as many trials as a short terminal has room for', () => {
    const run = setup();
    run.terminal.rows = 4;
    run.send(sweepStarted);
    for (const trial of trials) run.send(started(trial));
    const screen = run.screen();
    assert.match(screen.at(-2)!, /^ {2}aaaa1111/);
    assert.equal(screen.at(-1), '  … and 2 more running');
  });

  test('redraw at most five times a second, catching up on a timer', () => {
    const run = setup();
    run.send(sweepStarted);
    run.send(started(a));
    const writes = run.terminal.chunks.length;
    run.send(epoch(a, 1), 50);
    run.send(epoch(a, 2), 50);
    assert.equal(run.terminal.chunks.length, writes, 'no frame within 200 ms of the last');

    run.fireTimers();
    assert.equal(run.terminal.chunks.length, writes + 1, 'one frame once the timer fires');
    assert.match(run.screen().at(-1)!, / 2\/5 /);
  });

  test('write log messages above the bars, and plainly before the sweep starts', () => {
    const run = setup();
    run.display.write('generating the synthetic set\n');
    assert.equal(run.terminal.output, 'generating the synthetic set\n');
    run.send(sweepStarted);
    run.send(started(a));
    run.display.write('warning: checkpoint unusable\n');
    run.fireTimers();
    const screen = run.screen();
    assert.equal(screen[2], 'warning: checkpoint unusable');
    assert.match(screen[3]!, /trials · /);
  });

  test('on sweep-finished, leave the summary and the cursor visible on a fresh line', () => {
    const run = setup();
    run.send(sweepStarted);
    run.send(started(a));
    run.send(epoch(a, 1));
    run.send(finished(a, 'done'), 10);
    run.send({ type: 'sweep-finished', status: 'done', counts: { done: 3 } }, 10);

    const { lines, cursor, hidden } = run.terminal.screen();
    assert.equal(hidden, false);
    assert.deepEqual(cursor, { row: lines.length - 1, column: 0 });
    assert.equal(lines.at(-1), '');
    assert.match(lines.at(-3)!, /^sweep done: 3 done$/);
    assert.match(lines.at(-2)!, /^\[.+\] 1\/3 trials · 1\/11 epochs · 2s$/, 'the last bar, without an ETA');
    assert.ok(!lines.some((line) => line.startsWith('  aaaa1111')), 'no trial lines left');

    run.fireTimers();
    run.display.write('later\n');
    assert.equal(run.terminal.screen().lines.at(-2), 'later', 'plain lines after the end');
  });

  test('every frame shows the cursor again, so a killed run leaves it visible', () => {
    const run = setup();
    run.send(sweepStarted);
    run.send(started(a));
    for (const chunk of run.terminal.chunks.slice(1)) {
      assert.ok(chunk.endsWith('\x1b[?25h'), JSON.stringify(chunk.slice(-12)));
    }
  });
});

describe('plain run lines', () => {
  test('over 3 trials × 5 epochs: one line per event that matters, none per epoch', () => {
    const events: SweepEvent[] = [sweepStarted];
    for (const trial of trials) {
      events.push(started(trial));
      for (let n = 1; n <= 5; n++) events.push(epoch(trial, n));
      events.push(finished(trial, 'done'));
    }
    events.push({ type: 'sweep-finished', status: 'done', counts: { done: 3 } });

    const lines: string[] = [];
    const report = createRunReporter((line) => lines.push(line), {
      varying: ['learningRate', 'imageSize'],
    });
    for (const event of events) report(event);

    assert.equal(lines.length, 1 + 3 * 2 + 1);
    assert.ok(!lines.some((line) => /epoch \d+:/.test(line)), lines.join('\n'));
    assert.ok(!lines.some((line) => line.includes('\x1b')), 'no escape codes');

    const withEpochs: string[] = [];
    const verbose = createRunReporter((line) => withEpochs.push(line), {
      varying: [],
      epochs: true,
    });
    for (const event of events) verbose(event);
    assert.equal(withEpochs.filter((line) => /epoch \d+:/.test(line)).length, 15);
  });
});
