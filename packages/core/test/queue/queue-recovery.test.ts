/**
 * Reliability plan F2 fixtures: torn or corrupt queue state on disk. Every open must succeed,
 * deliver the valid records, and report (log + count) what it had to repair; the cursor is never
 * silently reset.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { appendFile, readdir, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { formatCursor } from '../../src/queue/cursor-file.js';
import { inspectQueue } from '../../src/queue/inspect-queue.js';
import { FRAME_HEADER_BYTES, writeFrames } from '../../src/queue/record-frame.js';
import { segmentName } from '../../src/queue/segment-files.js';
import {
  bytes,
  captureLogger,
  numbered,
  queueOptions,
  readAll,
  removeDir,
  tempDir,
  texts,
  withQueue,
} from './queue-test-kit.js';

let dir: string;
beforeEach(async () => {
  dir = await tempDir();
});
afterEach(async () => {
  await removeDir(dir);
});

const seg = (id: number) => join(dir, segmentName(id));
const cursorPath = () => join(dir, 'cursor');
/** The texts of records r<i>, as written: padded to 20 bytes. */
const R = (...ids: number[]) => ids.map((i) => `r${i}`.padEnd(20, '.'));
const ALL = R(0, 1, 2, 3, 4, 5, 6, 7);
/** The framed size of one of those records. */
const F = FRAME_HEADER_BYTES + 20;

/**
 * Writes r0…r7 (20 B records, F bytes framed) as four appends of two, with 2F-byte segments:
 * segments 1–4 hold two records each. Then reads and acknowledges r0–r2 (the cursor is at 2:F).
 */
async function seed(): Promise<void> {
  await withQueue(queueOptions(dir, { maxFileSize: 2 * F }), async (q) => {
    for (let i = 0; i < 8; i += 2) await q.append(numbered('r', i, 2, 20));
    const got = await q.read(3, 1 << 20);
    await q.ack(got[2]!.position);
  });
  assert.equal((await readFile(cursorPath(), 'latin1')).split(' ').slice(2, 4).join(':'), `2:${F}`);
}

/** Opens the queue on the damaged directory, reads everything, and returns what happened. */
async function reopen() {
  const logger = captureLogger();
  return withQueue(queueOptions(dir, { logger, maxFileSize: 2 * F }), async (q) => {
    const stats = q.stats();
    const read = texts(await readAll(q));
    return { read, stats, after: q.stats(), logger };
  });
}

function assertRecovered(r: Awaited<ReturnType<typeof reopen>>, problem: RegExp): void {
  assert.equal(r.stats.cursorRecoveries, 1);
  const errors = r.logger.at('error');
  assert.equal(errors.length, 1);
  assert.match(errors[0]!.message, /cursor is unusable/);
  assert.match(String(errors[0]!.fields['problem']), problem);
}

describe('disk queue recovery', () => {
  it('an intact queue resumes at its cursor and reports nothing', async () => {
    await seed();
    const r = await reopen();
    assert.deepEqual(r.read, ALL.slice(3));
    assert.equal(r.stats.cursorRecoveries, 0);
    assert.deepEqual(r.logger.at('error'), []);
    assert.deepEqual(r.logger.at('warn'), []);
  });

  it('a 0-byte cursor file (logstash#8218): error, counted, read again from the oldest segment', async () => {
    await seed();
    await writeFile(cursorPath(), '');
    const r = await reopen();
    assertRecovered(r, /empty/);
    assert.deepEqual(r.read, ALL.slice(2)); // segment 1 was already deleted: r2 is re-delivered
  });

  it('a cursor with a trailing "}" (heka#1275): recovered, not half-parsed', async () => {
    await seed();
    await appendFile(cursorPath(), '}');
    const r = await reopen();
    assertRecovered(r, /malformed/);
    assert.deepEqual(r.read, ALL.slice(2));
  });

  it('NaN offsets (logagent-js#26) and a bad checksum are recovered', async () => {
    await seed();
    await writeFile(cursorPath(), 'hekate-queue-cursor 1 2 NaN 00000000\n');
    assertRecovered(await reopen(), /malformed/);
    await writeFile(cursorPath(), formatCursor({ segment: 3, offset: 0 }).replace(' 3 ', ' 4 '));
    const r = await reopen();
    assertRecovered(r, /checksum/);
    assert.deepEqual(r.read, ALL.slice(2));
  });

  it('a cursor beyond the end of its segment is recovered', async () => {
    await seed();
    await writeFile(cursorPath(), formatCursor({ segment: 2, offset: 2 * F + 1 }));
    const r = await reopen();
    assertRecovered(r, /past the end/);
    assert.deepEqual(r.read, ALL.slice(2));
  });

  it('a cursor pointing at a deleted segment (vector#25570) is recovered', async () => {
    await seed();
    await writeFile(cursorPath(), formatCursor({ segment: 1, offset: F }));
    const r = await reopen();
    assertRecovered(r, /missing segment/);
    assert.deepEqual(r.read, ALL.slice(2));
  });

  it('a cursor beyond the last segment is recovered', async () => {
    await seed();
    await writeFile(cursorPath(), formatCursor({ segment: 9, offset: 0 }));
    const r = await reopen();
    assertRecovered(r, /missing segment/);
    assert.deepEqual(r.read, ALL.slice(2));
  });

  it('a newer valid cursor.tmp (a crash between fsync and rename) is used; a torn one is ignored', async () => {
    await seed();
    await writeFile(join(dir, 'cursor.tmp'), formatCursor({ segment: 3, offset: F }));
    let r = await reopen();
    assert.equal(r.stats.cursorRecoveries, 0);
    assert.deepEqual(r.read, ALL.slice(5));
    assert.ok(!(await readdir(dir)).includes('cursor.tmp'));
    await writeFile(join(dir, 'cursor.tmp'), 'hekate-queue-cur');
    r = await reopen();
    assert.equal(r.stats.cursorRecoveries, 0);
    assert.deepEqual(r.read, ALL.slice(5));
  });

  it('a torn tail is truncated, logged and counted, and appends continue after it', async () => {
    await seed();
    const good = (await stat(seg(4))).size;
    await appendFile(seg(4), Uint8Array.from([20, 0, 0, 0, 1, 2, 3, 4, 65, 66])); // half a record
    const r = await reopen();
    assert.deepEqual(r.read, ALL.slice(3));
    assert.equal(r.stats.truncatedBytes, 10);
    assert.equal(r.stats.cursorRecoveries, 0);
    assert.match(r.logger.at('warn')[0]!.message, /Truncated a torn record/);
    assert.equal((await stat(seg(4))).size, good);
    await withQueue(queueOptions(dir), async (q) => {
      await q.append([bytes('after')]);
      assert.deepEqual(texts(await readAll(q)), [...ALL.slice(3), 'after']);
    });
  });

  it('a bad CRC mid-segment is quarantined and every valid record around it delivered', async () => {
    await withQueue(queueOptions(dir), async (q) => q.append(numbered('r', 0, 8, 20)));
    const data = await readFile(seg(1));
    data[3 * F + FRAME_HEADER_BYTES + 5]! ^= 0x40; // a payload byte of r3
    await writeFile(seg(1), data);
    const r = await reopen();
    assert.deepEqual(r.read, R(0, 1, 2, 4, 5, 6, 7));
    assert.equal(r.stats.pending, 7, 'pending counts the valid records found at open');
    assert.equal(r.after.corruptRecords, 1);
    assert.equal(r.after.quarantinedBytes, F);
    assert.equal(r.after.pending, 7, 'read, not acknowledged; the corrupt record is not counted');
    assert.match(r.logger.at('warn')[0]!.message, /corrupt regions/);
    assert.match(r.logger.at('error')[0]!.message, /quarantine/);
    const quarantined = await readdir(join(dir, 'quarantine'));
    assert.deepEqual(quarantined, [`${segmentName(1)}-${3 * F}.bad`]);
    assert.deepEqual(await readFile(join(dir, 'quarantine', quarantined[0]!)), data.subarray(3 * F, 4 * F));
  });

  it('an impossible length mid-segment is skipped by resynchronising on the next valid record', async () => {
    await withQueue(queueOptions(dir), async (q) => q.append(numbered('r', 0, 8, 20)));
    const data = await readFile(seg(1));
    data.writeUInt32LE(0xfffffff0, 2 * F); // r2's length
    data.writeUInt32LE(5, 5 * F); // r5's length: sane, but its check fails
    await writeFile(seg(1), data);
    const r = await reopen();
    assert.deepEqual(r.read, R(0, 1, 3, 4, 6, 7));
    assert.equal(r.after.corruptRecords, 2);
  });

  it('a segment that is all garbage, then a good one: the garbage goes, the good records come', async () => {
    await seed();
    await writeFile(seg(2), Buffer.from('garbage '.repeat(20)));
    const r = await reopen();
    assert.deepEqual(r.read, ALL.slice(4));
    assert.equal(r.stats.truncatedBytes, 160 - F); // from the cursor on
    assert.equal(r.stats.cursorRecoveries, 0);
  });

  it('skips megabytes of random bytes in linear time (a header check keeps candidates rare)', { timeout: 60_000 }, async () => {
    const r0 = bytes('r0'.padEnd(20, '.'));
    const r1 = bytes('r1'.padEnd(20, '.'));
    const frames = new Uint8Array(2 * F);
    writeFrames([r0, r1], frames);
    const garbage = randomBytes(8 * 1024 * 1024);
    await writeFile(seg(1), Buffer.concat([frames.subarray(0, F), garbage, frames.subarray(F)]));
    const r = await reopen();
    assert.deepEqual(r.read, R(0, 1));
    assert.equal(r.after.corruptRecords, 1);
    assert.equal(r.after.quarantinedBytes, garbage.length);
  });

  it('corruption that appears while the queue is open is found by the reader', async () => {
    await withQueue(queueOptions(dir), async (q) => {
      await q.append(numbered('r', 0, 4, 20));
      const data = await readFile(seg(1));
      data[F + FRAME_HEADER_BYTES + 1]! ^= 1; // r1
      await writeFile(seg(1), data);
      assert.deepEqual(texts(await readAll(q)), R(0, 2, 3));
      assert.equal(q.stats().corruptRecords, 1);
      assert.equal(q.stats().pending, 3, 'read but not acknowledged');
    });
  });

  it('removes segments the cursor has passed (a crash between cursor write and unlink)', async () => {
    await seed();
    await writeFile(seg(1), Buffer.alloc(0));
    const r = await reopen();
    assert.deepEqual(r.read, ALL.slice(3));
    assert.equal(r.stats.cursorRecoveries, 0);
    assert.ok(!(await readdir(dir)).includes(segmentName(1)));
  });

  it('ignores files it does not own', async () => {
    await seed();
    await writeFile(join(dir, 'notes.txt'), 'hello');
    await writeFile(join(dir, '12.seg'), 'not a segment name');
    const r = await reopen();
    assert.deepEqual(r.read, ALL.slice(3));
  });

  it('a queue with no segments and a cursor past them starts fresh without complaint', async () => {
    await seed();
    for (const name of await readdir(dir)) if (name.endsWith('.seg')) await unlink(join(dir, name));
    await writeFile(cursorPath(), formatCursor({ segment: 5, offset: 0 }));
    const r = await reopen();
    assert.deepEqual(r.read, []);
    assert.equal(r.stats.cursorRecoveries, 0);
    await withQueue(queueOptions(dir), async (q) => {
      await q.append([bytes('new')]);
      assert.deepEqual(texts(await readAll(q)), ['new']);
    });
    assert.ok((await readdir(dir)).includes(segmentName(5)));
  });
});

describe('inspectQueue', () => {
  it('reports segments, corruption, torn tails, the cursor and pending records without changing anything', async () => {
    await seed();
    const data = await readFile(seg(3));
    data[F + FRAME_HEADER_BYTES + 1]! ^= 1; // r5
    await writeFile(seg(3), Buffer.concat([data, Buffer.from('torn')]));
    await appendFile(seg(4), Buffer.from('torn!'));
    const listing = async () =>
      Promise.all(
        (await readdir(dir)).sort().map(async (n) => {
          const st = await stat(join(dir, n));
          return [n, st.size, st.mtimeMs];
        }),
      );
    const before = await listing();
    const report = await inspectQueue(dir);
    assert.deepEqual(await listing(), before);
    assert.deepEqual(report.cursor, { state: 'ok', segment: 2, offset: F });
    assert.deepEqual(
      report.segments.map((s) => [s.name, s.size, s.records, s.corruptRegions, s.corruptBytes, s.tornTailBytes]),
      [
        [segmentName(2), 2 * F, 2, 0, 0, 0],
        [segmentName(3), 2 * F + 4, 1, 0, 0, F + 4], // r5 is last: with the 4 bytes, a torn tail
        [segmentName(4), 2 * F + 5, 2, 0, 0, 5],
      ],
    );
    assert.equal(report.pending, 4); // r3, r4, r6, r7
    assert.equal(report.bytes, 6 * F + 9);
    await writeFile(cursorPath(), '');
    assert.deepEqual((await inspectQueue(dir)).cursor, { state: 'invalid', problem: 'the cursor file is empty' });
    assert.equal((await inspectQueue(dir)).pending, 5); // from the oldest segment: r2, r3, r4, r6, r7
  });
});
