import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { copyFileSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { before, describe, test } from 'node:test';

import sharp from 'sharp';

import { findMetric } from '../../src/query/metrics.js';
import { writeReport, type ReportOptions } from '../../src/report/index.js';
import { PNG_SCALE } from '../../src/report/render.js';
import { SweepStore } from '../../src/store/sweep-store.js';
import { runCli } from '../helpers/cli.js';
import { fixtureDir, makeSweepFixture, type SweepFixture } from '../query/sweep-fixture.js';

let fixture: SweepFixture;

function options(db: string, out: string, extra: Partial<ReportOptions> = {}): ReportOptions {
  return {
    db,
    out,
    formats: ['html', 'svg', 'png'],
    metric: findMetric('best_val_acc'),
    top: 10,
    train: false,
    loss: false,
    ...extra,
  };
}

function read(file: string): string {
  return readFileSync(file, 'utf8');
}

function sha256(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

/** The width and height an SVG root declares. */
function svgSize(svg: string): { width: number; height: number } {
  const root = /^<svg\b[^>]*>/.exec(svg);
  assert.ok(root, 'the document starts with an <svg> element');
  const number = (name: string) => Number(new RegExp(`\\b${name}="([\\d.]+)"`).exec(root[0])![1]);
  return { width: number('width'), height: number('height') };
}

/**
 * A copy of the fixture's database changed by `change`, the way a sweep
 * that is still going (or has not started) leaves it.
 */
function changedCopy(name: string, change: (store: SweepStore, ids: string[]) => void): string {
  const file = path.join(fixtureDir(), name);
  copyFileSync(fixture.db, file);
  const store = new SweepStore(file);
  try {
    const ids = store.db
      .prepare('SELECT id FROM trials ORDER BY trial_index')
      .pluck()
      .all() as string[];
    change(store, ids);
  } finally {
    store.close();
  }
  return file;
}

describe('a report of a real sweep', () => {
  let out: string;
  let files: string[];

  before(async () => {
    fixture = await makeSweepFixture();
    out = path.join(fixture.dir, 'report');
    ({ files } = await writeReport(options(fixture.db, out)));
  });

  test('writes the page, and each chart as SVG and PNG', () => {
    assert.deepEqual(
      files.map((file) => path.relative(out, file)),
      ['report.html', 'curves.svg', 'curves.png', 'interaction.svg', 'interaction.png'],
    );
  });

  test('each SVG is well-formed, with the titles a reader needs', async () => {
    const curves = read(path.join(out, 'curves.svg'));
    const interaction = read(path.join(out, 'interaction.svg'));
    for (const svg of [curves, interaction]) {
      // librsvg, inside sharp, parses the SVG as strict XML.
      const meta = await sharp(Buffer.from(svg)).metadata();
      assert.equal(meta.format, 'svg');
      assert.deepEqual({ width: meta.width, height: meta.height }, svgSize(svg));
    }
    for (const text of [
      'tiny: validation accuracy per epoch',
      'epoch',
      'validation accuracy',
      'lr 0.0001',
      'lr 0.001',
      '16 px',
      'repeat 2',
    ]) {
      assert.ok(curves.includes(`>${text}</text>`), `curves.svg shows "${text}"`);
    }
    for (const text of [
      'tiny: best validation accuracy by learning rate and image size',
      'learning rate',
      'image size (px)',
      'best validation accuracy, mean of trials',
    ]) {
      assert.ok(interaction.includes(`>${text}</text>`), `interaction.svg shows "${text}"`);
    }
  });

  test('each PNG decodes to its SVG size at the PNG scale', async () => {
    for (const name of ['curves', 'interaction']) {
      const { width, height } = svgSize(read(path.join(out, `${name}.svg`)));
      const meta = await sharp(readFileSync(path.join(out, `${name}.png`))).metadata();
      assert.equal(meta.format, 'png');
      assert.equal(meta.width, Math.ceil(width * PNG_SCALE));
      assert.equal(meta.height, Math.ceil(height * PNG_SCALE));
    }
  });

  test('the page holds every chart inline, the best cells and the experiment', () => {
    const html = read(path.join(out, 'report.html'));
    for (const name of ['curves', 'interaction']) {
      const svg = read(path.join(out, `${name}.svg`));
      assert.ok(html.includes(svg), `${name} is inline`);
    }
    assert.match(html, /<h1>tiny<\/h1>/);
    assert.match(html, /<h2>Best cells by best validation accuracy<\/h2>/);
    assert.equal((html.match(/<tr><td>\d+<\/td>/g) ?? []).length, 4, 'four cells ranked');
    assert.match(html, /<pre>\{\n {2}&quot;name&quot;: &quot;tiny&quot;/);
  });

  test('the page needs nothing from the network: no script, stylesheet or font link', () => {
    const html = read(path.join(out, 'report.html'));
    assert.doesNotMatch(html, /<script|<link|<img|<iframe|@import|url\((?!#)/i);
    const outside = [...html.matchAll(/\b(?:src|href)="([^"]*)"/g)]
      .map((match) => match[1]!)
      .filter((target) => !target.startsWith('#'));
    assert.deepEqual(outside, []);
  });

  test('reading leaves the database as it was', async () => {
    const before = { hash: sha256(fixture.db), mtime: statSync(fixture.db).mtimeMs };
    await writeReport(options(fixture.db, path.join(fixtureDir(), 'again')));
    const cli = runCli(['report', '--db', fixture.db, '--out', path.join(fixtureDir(), 'cli')]);
    assert.equal(cli.status, 0, cli.stderr);
    assert.deepEqual({ hash: sha256(fixture.db), mtime: statSync(fixture.db).mtimeMs }, before);
  });
});

describe('a report of a sweep that is not finished', () => {
  test('a sweep with no epoch yet says so in the page and in each chart', async () => {
    const db = changedCopy('empty.sqlite', (store, ids) => {
      for (const id of ids) store.resetTrial(id);
      store.db.prepare("UPDATE sweeps SET status = 'running', finished_at = NULL").run();
    });
    const out = path.join(fixtureDir(), 'empty');
    const report = await writeReport(options(db, out));

    assert.deepEqual(report.notices, [
      'No trial has recorded an epoch yet (8 trials, 8 pending, 0 running).',
      'No trial has a result yet (8 trials, 8 pending, 0 running).',
    ]);
    const html = read(path.join(out, 'report.html'));
    assert.match(html, /No trial of this sweep has recorded an epoch yet/);
    assert.match(html, /This sweep is still running/);
    assert.match(html, /No trial has a result yet\./);
    assert.doesNotMatch(html, /<svg/, 'no empty chart in the page');
    const curves = read(path.join(out, 'curves.svg'));
    assert.match(curves, />No trial has recorded an epoch yet \(8 trials, 8 pending,/);
    const meta = await sharp(readFileSync(path.join(out, 'curves.png'))).metadata();
    assert.equal(meta.format, 'png');
  });

  test('a running sweep shows the curves so far and marks what is unfinished', async () => {
    const db = changedCopy('running.sqlite', (store, ids) => {
      store.db.prepare("UPDATE sweeps SET status = 'running', finished_at = NULL").run();
      store.startTrial(ids[0]!);
      store.db.prepare('DELETE FROM epochs WHERE trial_id = ? AND epoch = 2').run(ids[0]);
      // Repeats are adjacent: trials 2 and 3 are the two repeats of a cell.
      store.resetTrial(ids[2]!);
      store.resetTrial(ids[3]!);
    });
    const out = path.join(fixtureDir(), 'running');
    await writeReport(options(db, out, { formats: ['html'] }));

    const html = read(path.join(out, 'report.html'));
    assert.match(html, /This sweep is still running/);
    assert.match(html, /Still running: 5 of 8 trials have a result \(1 running\)/);
    assert.match(html, />still running<\/text>/, 'the running trial is marked');
    assert.match(html, />no epoch yet \(pending\)<\/text>/, 'a panel waiting for both repeats');
    assert.equal((html.match(/<svg/g) ?? []).length, 2);
  });
});

describe('gridsweep report', () => {
  test('writes PNG and SVG files and prints their paths', () => {
    const out = path.join(fixtureDir(), 'cli');
    const { status, stdout, stderr } = runCli([
      'report', '--db', fixture.db, '--out', out, '--format', 'png', '--format', 'svg',
      '--loss', '--train',
    ]);
    assert.equal(status, 0, stderr);
    assert.deepEqual(
      stdout.trim().split('\n').map((file) => path.relative(out, file)),
      ['curves.svg', 'curves.png', 'loss.svg', 'loss.png', 'interaction.svg', 'interaction.png'],
    );
  });

  test('a missing database, an unknown sweep or an unwritable --out exit 2 naming it', () => {
    const dir = fixtureDir();
    const missing = path.join(dir, 'nope.sqlite');
    const noDb = runCli(['report', '--db', missing, '--out', dir]);
    assert.equal(noDb.status, 2);
    assert.match(noDb.stderr, new RegExp(`no database at ${missing}`));

    const noSweep = runCli(['report', '--db', fixture.db, '--sweep', 'huge', '--out', dir]);
    assert.equal(noSweep.status, 2);
    assert.match(noSweep.stderr, /--sweep: no sweep "huge" in .*tiny\.sqlite; it holds tiny/);

    // Tests run as root, whom file modes do not stop: a file in the way
    // is what makes a folder unwritable here.
    const file = path.join(dir, 'a-file');
    writeFileSync(file, '');
    const onFile = runCli(['report', '--db', fixture.db, '--out', file]);
    assert.equal(onFile.status, 2);
    assert.ok(onFile.stderr.includes(`--out: ${file} is a file, not a folder`), onFile.stderr);
    const below = path.join(file, 'below');
    const underFile = runCli(['report', '--db', fixture.db, '--out', below]);
    assert.equal(underFile.status, 2);
    assert.ok(
      underFile.stderr.includes(`--out: cannot write to ${below} (ENOTDIR)`),
      underFile.stderr,
    );
  });

  test('bad arguments are refused with the value received', () => {
    const format = runCli(['report', '--db', fixture.db, '--format', 'pdf']);
    assert.equal(format.status, 2);
    assert.match(format.stderr, /Invalid values:[\s\S]*format, Given: "pdf"/);
    const same = runCli([
      'report', '--db', fixture.db, '--x-axis', 'imageSize', '--lines', 'image_size',
    ]);
    assert.equal(same.status, 2);
    assert.match(same.stderr, /--x-axis and --lines must differ, received imageSize twice/);
  });
});
