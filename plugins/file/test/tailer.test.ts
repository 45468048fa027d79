import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync, renameSync, statSync, symlinkSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { FAST, TailerRun, sleep, tempDir } from './support/harness.js';
import { append, expectedLines, numbered, openFilesUnder, Writer } from './support/files.js';

/** Runs `body` with a temp dir holding `logs/` and `state/`. */
async function withDirs(body: (logs: string, state: string) => Promise<void>): Promise<void> {
  const { dir, cleanup } = await tempDir();
  const logs = path.join(dir, 'logs');
  mkdirSync(logs);
  try {
    await body(logs, path.join(dir, 'state'));
  } finally {
    await cleanup();
  }
}

test('tails a file from the head, then what is appended, with path, stream and byte offsets', () =>
  withDirs(async (logs, state) => {
    const file = path.join(logs, 'app.log');
    writeFileSync(file, 'first\r\nsecond\n');
    const run = new TailerRun({ source: { include: [file] }, stateDir: state });
    await run.untilLines(2);
    append(file, 'third\n');
    await run.untilLines(3);
    await run.stop();
    assert.deepEqual(run.texts, ['first', 'second', 'third']);
    assert.deepEqual(run.lines.map((l) => l.offset), [0, 7, 14]);
    assert.deepEqual(new Set(run.lines.map((l) => `${l.path} ${l.stream}`)), new Set([`${file} in`]));
  }));

test('rename rotation: late writes to the renamed file are drained, the new file is read from its start', () =>
  withDirs(async (logs, state) => {
    const file = path.join(logs, 'app.log');
    const writer = new Writer(file);
    writer.write(numbered('a', 0, 100));
    const run = new TailerRun({ source: { include: [file] }, stateDir: state });
    await run.untilLines(100);
    renameSync(file, `${file}.1`);
    writer.write(numbered('a', 100, 50)); // the application has not reopened yet
    append(file, numbered('b', 0, 100));
    writer.close();
    await run.untilLines(250);
    await sleep(FAST.rotateWaitMs * 3);
    await run.stop();
    assert.deepEqual(run.texts.filter((t) => t.startsWith('a')), expectedLines('a', 0, 150));
    assert.deepEqual(run.texts.filter((t) => t.startsWith('b')), expectedLines('b', 0, 100));
    assert.equal(run.counters.get('files_finished'), 1);
  }));

test('several rename rotations while stopped: every line once, when the glob includes rotated names', () =>
  withDirs(async (logs, state) => {
    const file = path.join(logs, 'app.log');
    append(file, numbered('g0', 0, 50));
    let run = new TailerRun({ source: { include: [`${file}*`] }, stateDir: state });
    await run.untilLines(50);
    append(file, numbered('g0', 50, 10));
    await run.untilLines(60);
    await run.stop();
    const first = run.texts;
    append(file, numbered('g0', 60, 5)); // written after the stop, before rotating
    renameSync(file, `${file}.1`);
    append(file, numbered('g1', 0, 30));
    renameSync(`${file}.1`, `${file}.2`);
    renameSync(file, `${file}.1`);
    append(file, numbered('g2', 0, 20));
    run = new TailerRun({ source: { include: [`${file}*`] }, stateDir: state });
    await run.untilLines(55);
    await sleep(100);
    await run.stop();
    const all = [...first, ...run.texts].sort();
    assert.deepEqual(all, [...expectedLines('g0', 0, 65), ...expectedLines('g1', 0, 30), ...expectedLines('g2', 0, 20)].sort());
  }));

test('a rotation while stopped with a glob that misses the rotated name: found by identity nearby', () =>
  withDirs(async (logs, state) => {
    const file = path.join(logs, 'app.log');
    append(file, numbered('old', 0, 40));
    let run = new TailerRun({ source: { include: [file] }, stateDir: state });
    await run.untilLines(40);
    await run.stop();
    append(file, numbered('old', 40, 10));
    renameSync(file, `${file}.1`);
    append(file, numbered('new', 0, 10));
    run = new TailerRun({ source: { include: [file] }, stateDir: state });
    await run.untilLines(20);
    await sleep(FAST.rotateWaitMs * 3);
    await run.stop();
    assert.deepEqual([...run.texts].sort(), [...expectedLines('old', 40, 10), ...expectedLines('new', 0, 10)].sort());
  }));

test('copytruncate with the copy in the glob: the copy continues where the original was read to', () =>
  withDirs(async (logs, state) => {
    const file = path.join(logs, 'app.log');
    const writer = new Writer(file);
    writer.write(numbered('a', 0, 200));
    const run = new TailerRun({ source: { include: [file, `${file}.1`] }, stateDir: state });
    // The pipeline is full: a200… are written, copied and truncated away before they are read.
    const release = run.hold();
    await sleep(100);
    writer.write(numbered('a', 200, 100));
    copyFileSync(file, `${file}.1`);
    truncateSync(file, 0);
    writer.write(numbered('b', 0, 10));
    release();
    await run.untilLines(310);
    await sleep(200);
    await run.stop();
    writer.close();
    assert.deepEqual(run.texts.filter((t) => t.startsWith('a')), expectedLines('a', 0, 300));
    assert.deepEqual(run.texts.filter((t) => t.startsWith('b')), expectedLines('b', 0, 10));
    assert.equal(run.counters.get('truncations'), 1);
    assert.equal(run.counters.get('copies_adopted'), 1);
  }));

test('truncation below the offset, even when the file grew back past it before the next poll', () =>
  withDirs(async (logs, state) => {
    const file = path.join(logs, 'app.log');
    append(file, numbered('a', 0, 10));
    const run = new TailerRun({ source: { include: [file] }, stateDir: state, options: { checkMs: 60_000 } });
    await run.untilLines(10);
    // Replace the content with more bytes than were read: only the tail check can notice.
    writeFileSync(file, numbered('bb', 0, 30));
    await run.untilLines(40);
    await run.stop();
    assert.deepEqual(run.texts, [...expectedLines('a', 0, 10), ...expectedLines('bb', 0, 30)]);
    assert.equal(run.counters.get('truncations'), 1);
  }));

test('delete and recreate with the same first line: the new file is read from its start', () =>
  withDirs(async (logs, state) => {
    const file = path.join(logs, 'app.log');
    append(file, 'HEADER v1\n' + numbered('a', 0, 20));
    let run = new TailerRun({ source: { include: [file] }, stateDir: state });
    await run.untilLines(21);
    unlinkSync(file);
    append(file, 'HEADER v1\n' + numbered('b', 0, 5));
    await run.untilLines(27);
    await sleep(FAST.rotateWaitMs * 2);
    await run.stop();
    assert.deepEqual(run.texts, ['HEADER v1', ...expectedLines('a', 0, 20), 'HEADER v1', ...expectedLines('b', 0, 5)]);
    // The same while stopped.
    unlinkSync(file);
    append(file, 'HEADER v1\n' + numbered('c', 0, 3));
    run = new TailerRun({ source: { include: [file] }, stateDir: state });
    await run.untilLines(4);
    await sleep(50);
    await run.stop();
    assert.deepEqual(run.texts, ['HEADER v1', ...expectedLines('c', 0, 3)]);
  }));

test('inode reuse while stopped: another file with the checkpointed identity is read from its start', () =>
  withDirs(async (logs, state) => {
    const file = path.join(logs, 'app.log');
    append(file, numbered('a', 0, 30));
    let run = new TailerRun({ source: { include: [file] }, stateDir: state });
    await run.untilLines(30);
    await run.stop();
    const ino = statSync(file).ino;
    unlinkSync(file);
    writeFileSync(file, numbered('b', 0, 40));
    assert.equal(statSync(file).ino, ino, 'the filesystem reused the inode');
    run = new TailerRun({ source: { include: [file] }, stateDir: state });
    await run.untilLines(40);
    await sleep(50);
    await run.stop();
    assert.deepEqual(run.texts, expectedLines('b', 0, 40));
    assert.equal(run.counters.get('inode_reuses'), 1);
  }));

test('a partial last line is held, survives a restart, and is delivered once, complete', () =>
  withDirs(async (logs, state) => {
    const file = path.join(logs, 'app.log');
    append(file, 'one\ntw');
    let run = new TailerRun({ source: { include: [file] }, stateDir: state });
    await run.untilLines(1);
    await sleep(100);
    await run.stop();
    assert.deepEqual(run.texts, ['one']);
    append(file, 'o\nthree\n');
    run = new TailerRun({ source: { include: [file] }, stateDir: state });
    await run.untilLines(2);
    await sleep(50);
    await run.stop();
    assert.deepEqual(run.texts, ['two', 'three']);
  }));

test('unacknowledged lines are read again after a restart; acknowledged ones are not', () =>
  withDirs(async (logs, state) => {
    const file = path.join(logs, 'app.log');
    append(file, numbered('a', 0, 10));
    let run = new TailerRun({ source: { include: [file] }, stateDir: state, manualAcks: true });
    await run.untilLines(10);
    run.ackAll();
    append(file, numbered('a', 10, 10));
    await run.untilLines(20);
    await run.stop(); // the last 10 were never acknowledged
    run = new TailerRun({ source: { include: [file] }, stateDir: state });
    await run.untilLines(10);
    await sleep(50);
    await run.stop();
    assert.deepEqual(run.texts, expectedLines('a', 10, 10));
  }));

test('symlinks are skipped and counted once by default, read when allowed', () =>
  withDirs(async (logs, state) => {
    const outside = path.join(path.dirname(logs), 'canary.txt');
    writeFileSync(outside, 'CANARY\n');
    symlinkSync(outside, path.join(logs, 'evil.log'));
    append(path.join(logs, 'good.log'), 'good\n');
    let run = new TailerRun({ source: { include: [path.join(logs, '*.log')] }, stateDir: state });
    await run.untilLines(1);
    await sleep(200);
    await run.stop();
    assert.deepEqual(run.texts, ['good']);
    assert.equal(run.counters.get('files_skipped_symlink'), 1);
    run = new TailerRun({ source: { include: [path.join(logs, '*.log')] }, stateDir: `${state}-2`, options: { followSymlinks: true } });
    await run.untilLines(2);
    await run.stop();
    assert.deepEqual([...run.texts].sort(), ['CANARY', 'good']);
  }));

test('many files under an open-file cap: every line, never more handles than the cap', () =>
  withDirs(async (logs, state) => {
    const files = 120;
    for (let i = 0; i < files; i++) append(path.join(logs, `f${i}.log`), numbered(`f${i}`, 0, 5));
    const run = new TailerRun({ source: { include: [path.join(logs, '*.log')] }, stateDir: state, options: { maxOpenFiles: 16 } });
    let peak = 0;
    const sampler = setInterval(() => (peak = Math.max(peak, openFilesUnder(logs))), 5);
    try {
      await run.untilLines(files * 5, 20_000);
      // Half the files grow again: parked ones are reopened.
      for (let i = 0; i < files; i += 2) append(path.join(logs, `f${i}.log`), numbered(`f${i}`, 5, 5));
      await run.untilLines(files * 5 + (files / 2) * 5, 20_000);
    } finally {
      clearInterval(sampler);
    }
    await run.stop();
    const expected = Array.from({ length: files }, (_, i) => expectedLines(`f${i}`, 0, i % 2 === 0 ? 10 : 5)).flat();
    assert.deepEqual([...run.texts].sort(), expected.sort());
    assert.ok(peak <= 16 + 1, `peak open files ${peak}`);
    assert.ok(run.counters.get('files_parked') > 0);
  }));

test('Logstreamer: streams named by the differentiator, each read oldest file first', () =>
  withDirs(async (logs, state) => {
    for (const host of ['web1', 'web2']) {
      mkdirSync(path.join(logs, host));
      append(path.join(logs, host, 'access.log.2'), numbered(`${host}-2`, 0, 3));
      append(path.join(logs, host, 'access.log.1'), numbered(`${host}-1`, 0, 3));
      append(path.join(logs, host, 'access.log'), numbered(`${host}-0`, 0, 3));
    }
    const run = new TailerRun({
      source: {
        directory: logs,
        file_match: '(?P<Host>[a-z0-9]+)/access\\.log\\.?(?P<Index>\\d+)?',
        priority: ['^Index'],
        differentiator: ['nginx-', 'Host'],
        translation: {},
      },
      stateDir: state,
    });
    await run.untilLines(18);
    await run.stop();
    for (const host of ['web1', 'web2']) {
      const mine = run.lines.filter((l) => l.stream === `nginx-${host}`).map((l) => l.text);
      assert.deepEqual(mine, [...expectedLines(`${host}-2`, 0, 3), ...expectedLines(`${host}-1`, 0, 3), ...expectedLines(`${host}-0`, 0, 3)]);
    }
  }));

test('start at the tail on a first start only; files that appear later are read from their start', () =>
  withDirs(async (logs, state) => {
    const file = path.join(logs, 'app.log');
    append(file, numbered('old', 0, 10) + 'partial');
    let run = new TailerRun({ source: { include: [path.join(logs, '*.log')] }, stateDir: state, options: { startAtTail: true } });
    await sleep(100);
    append(file, ' line\n' + numbered('new', 0, 2));
    append(path.join(logs, 'other.log'), numbered('other', 0, 2));
    await run.untilLines(5);
    await run.stop();
    assert.deepEqual([...run.texts].sort(), ['partial line', ...expectedLines('new', 0, 2), ...expectedLines('other', 0, 2)].sort());
    // A journal exists now: a restart does not skip anything written meanwhile.
    append(file, numbered('later', 0, 2));
    run = new TailerRun({ source: { include: [path.join(logs, '*.log')] }, stateDir: state, options: { startAtTail: true } });
    await run.untilLines(2);
    await sleep(50);
    await run.stop();
    assert.deepEqual(run.texts, expectedLines('later', 0, 2));
  }));

test('the journal keeps one entry per live file through rotations and deletions', () =>
  withDirs(async (logs, state) => {
    const file = path.join(logs, 'app.log');
    const run = new TailerRun({ source: { include: [file] }, stateDir: state });
    for (let r = 0; r < 5; r++) {
      append(file, numbered(`r${r}`, 0, 10));
      await run.untilLines((r + 1) * 10);
      renameSync(file, `${file}.${r}`);
    }
    append(file, numbered('live', 0, 1));
    await run.untilLines(51);
    await sleep(FAST.rotateWaitMs * 4);
    await run.stop();
    const journal = JSON.parse(readFileSync(path.join(state, 'checkpoints.json'), 'utf8')) as { journal: { files: { path: string }[] } };
    assert.deepEqual(journal.journal.files.map((f) => f.path), [file]);
  }));

test('new files are picked up within a second with the default rescan interval', () =>
  withDirs(async (logs, state) => {
    const run = new TailerRun({ source: { include: [path.join(logs, '*.log')] }, stateDir: state, options: { rescanMs: 1000, checkMs: 250 } });
    await sleep(300);
    const t0 = Date.now();
    append(path.join(logs, 'fresh.log'), 'hello\n');
    await run.untilLines(1, 2000);
    const latency = Date.now() - t0;
    await run.stop();
    assert.ok(latency < 1000, `picked up after ${latency} ms`);
  }));

test('a rotated file whose last line never ends is delivered at finish when the splitter allows', () =>
  withDirs(async (logs, state) => {
    const file = path.join(logs, 'app.log');
    append(file, 'done\nunfinished');
    const run = new TailerRun({ source: { include: [file] }, stateDir: state, deliverIncompleteFinal: true });
    await run.untilLines(1);
    unlinkSync(file);
    await run.untilLines(2, 5000);
    await run.stop();
    assert.deepEqual(run.texts, ['done', 'unfinished']);
  }));

test('renamed, and recreated only later: the old file is drained and the new one still picked up', () =>
  withDirs(async (logs, state) => {
    const file = path.join(logs, 'app.log');
    append(file, numbered('a', 0, 10));
    const run = new TailerRun({ source: { include: [file] }, stateDir: state });
    await run.untilLines(10);
    renameSync(file, `${file}.1`);
    append(`${file}.1`, numbered('a', 10, 5));
    await sleep(FAST.rotateWaitMs * 3); // several scans see no app.log at all
    append(file, numbered('b', 0, 5));
    await run.untilLines(20);
    await run.stop();
    assert.deepEqual(run.texts, [...expectedLines('a', 0, 15), ...expectedLines('b', 0, 5)]);
  }));

test('a file truncated while stopped (checkpoint past its end) is read from its start, counted', () =>
  withDirs(async (logs, state) => {
    const file = path.join(logs, 'app.log');
    append(file, numbered('a', 0, 50));
    let run = new TailerRun({ source: { include: [file] }, stateDir: state });
    await run.untilLines(50);
    await run.stop();
    truncateSync(file, 0);
    append(file, numbered('b', 0, 3));
    run = new TailerRun({ source: { include: [file] }, stateDir: state });
    await run.untilLines(3);
    await sleep(50);
    await run.stop();
    assert.deepEqual(run.texts, expectedLines('b', 0, 3));
    assert.equal(run.counters.get('truncations'), 1);
  }));
