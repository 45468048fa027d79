import assert from 'node:assert/strict';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { DiskQueue } from '../../src/queue/disk-queue.js';
import type { QueueRecord } from '../../src/queue/disk-queue-types.js';
import { FRAME_HEADER_BYTES } from '../../src/queue/record-frame.js';
import {
  bytes,
  closeAsCrash,
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

const segmentFiles = async () => (await readdir(dir)).filter((n) => n.endsWith('.seg')).sort();
/** The framed size of the 40-byte records these tests use. */
const F = FRAME_HEADER_BYTES + 40;

describe('DiskQueue', () => {
  it('reads back appended records in order, across batches and segments', async () => {
    await withQueue(queueOptions(dir, { maxFileSize: 200 }), async (q) => {
      for (let b = 0; b < 10; b++) await q.append(numbered('r', b * 5, 5, 20));
      assert.ok((await segmentFiles()).length > 3);
      assert.equal(q.stats().pending, 50);
      const got = await readAll(q, 7);
      assert.deepEqual(texts(got).map((t) => t.replace(/\.+$/, '')), Array.from({ length: 50 }, (_, i) => `r${i}`));
      const positions = got.map((r) => String(r.position));
      assert.equal(new Set(positions).size, 50);
      assert.deepEqual(await q.read(10, 1000), []);
    });
  });

  it('skips records its caller appended, giving the positions a read would have, across segments', async () => {
    const twin = await tempDir();
    try {
      await withQueue(queueOptions(dir, { maxFileSize: 200 }), async (q) =>
        withQueue(queueOptions(twin, { maxFileSize: 200 }), async (t) => {
          const records = Array.from({ length: 10 }, (_, b) => numbered('r', b * 5, 5, 20 + (b % 3))).flat();
          for (let b = 0; b < 10; b++) {
            await q.append(records.slice(b * 5, b * 5 + 5));
            await t.append(records.slice(b * 5, b * 5 + 5));
          }
          const read = await readAll(t, 7);
          const sizes = records.map((r) => r.length);
          // Mixed with reads, in uneven steps, and asking for more than was appended at the end.
          const got = [...(await q.read(3, 1 << 20)).map((r) => r.position)];
          got.push(...(await q.skip(sizes.slice(3, 20))));
          got.push(...(await q.read(4, 1 << 20)).map((r) => r.position));
          got.push(...(await q.skip([...sizes.slice(24), 20, 20])));
          assert.deepEqual(got.map(String), read.map((r) => String(r.position)));
          assert.equal(q.stats().pending, 50, 'skipped, not yet acknowledged');
          assert.deepEqual(await q.skip([20]), [], 'nothing left to skip');
          await q.ack(got[29]!);
          assert.equal(q.stats().pending, 20);
        }),
      );
      await withQueue(queueOptions(dir), async (q) => {
        assert.deepEqual(texts(await readAll(q)).map((x) => x.replace(/\.+$/, '')), Array.from({ length: 20 }, (_, i) => `r${i + 30}`));
      });
    } finally {
      await removeDir(twin);
    }
  });

  it('stops skipping at a record that is not written yet', async () => {
    await withQueue(queueOptions(dir), async (q) => {
      await q.append([bytes('a'.repeat(10))]);
      assert.equal((await q.skip([10, 50])).length, 1);
      await q.append([bytes('b'.repeat(100))]);
      assert.deepEqual(await q.skip([200]), [], 'a size past the end of what is written');
      assert.deepEqual(texts(await q.read(10, 1 << 20)), ['b'.repeat(100)]);
    });
  });

  it('limits a read by records and by bytes, but always returns at least one record', async () => {
    await withQueue(queueOptions(dir), async (q) => {
      await q.append([bytes('a'.repeat(100)), bytes('b'.repeat(100)), bytes('c'.repeat(10)), bytes('d')]);
      assert.deepEqual(texts(await q.read(10, 50)).map((t) => t[0]), ['a']); // over budget, but one is returned
      assert.deepEqual(texts(await q.read(10, 110)).map((t) => t[0]), ['b', 'c']); // 'd' would make 111
      assert.deepEqual(texts(await q.read(1, 1000)), ['d']);
      assert.deepEqual(await q.read(1, 1000), []);
    });
  });

  it('resumes after the last acknowledged record on reopen, without duplicates', async () => {
    await withQueue(queueOptions(dir, { cursorUpdateCount: 100 }), async (q) => {
      await q.append(numbered('m', 0, 10));
      const got = await q.read(4, 1 << 20);
      await q.ack(got[3]!.position);
      await q.read(3, 1 << 20); // read but not acknowledged: delivered again
    });
    await withQueue(queueOptions(dir), async (q) => {
      assert.equal(q.stats().pending, 6);
      assert.deepEqual(texts(await readAll(q)), ['m4', 'm5', 'm6', 'm7', 'm8', 'm9']);
    });
  });

  it('after a crash, re-reads at most cursorUpdateCount - 1 acknowledged batches', async () => {
    const q = await DiskQueue.open(queueOptions(dir, { cursorUpdateCount: 3 }));
    await q.append(numbered('m', 0, 10));
    for (let i = 0; i < 5; i++) {
      const [r] = await q.read(1, 1 << 20);
      await q.ack(r!.position); // persisted after the 3rd ack only
    }
    await closeAsCrash(q, dir);
    await withQueue(queueOptions(dir), async (q2) => {
      assert.deepEqual(texts(await readAll(q2)), ['m3', 'm4', 'm5', 'm6', 'm7', 'm8', 'm9']);
    });
  });

  it('ignores acknowledgements at or before the current one, and rejects foreign positions', async () => {
    let foreign: QueueRecord | undefined;
    await withQueue(queueOptions(dir), async (q) => {
      await q.append(numbered('m', 0, 3));
      const got = await q.read(3, 1 << 20);
      await q.ack(got[2]!.position);
      await q.ack(got[0]!.position);
      assert.equal(q.stats().pending, 0);
      foreign = got[0];
    });
    await withQueue(queueOptions(dir), async (q) => {
      await assert.rejects(q.ack(foreign!.position), RangeError);
    });
  });

  it('deletes a segment as soon as the cursor passes it, and stats().bytes drops', async () => {
    await withQueue(queueOptions(dir, { maxFileSize: 2 * F, cursorUpdateCount: 1000 }), async (q) => {
      for (let i = 0; i < 6; i++) await q.append(numbered('record-', i, 1, 40)); // two per segment
      assert.deepEqual(await segmentFiles(), ['0000000000000001.seg', '0000000000000002.seg', '0000000000000003.seg']);
      const before = q.stats().bytes;
      assert.equal(before, 6 * F);
      const got = await q.read(3, 1 << 20);
      await q.ack(got[0]!.position);
      assert.equal((await segmentFiles()).length, 3, 'segment 1 is not fully acknowledged yet');
      await q.ack(got[1]!.position); // the end of segment 1
      assert.deepEqual(await segmentFiles(), ['0000000000000002.seg', '0000000000000003.seg']);
      assert.equal(q.stats().bytes, before - 2 * F);
      assert.equal(q.stats().segments, 2);
      assert.equal(q.stats().cursor, '2:0');
      await q.ack(got[2]!.position);
      assert.deepEqual(await segmentFiles(), ['0000000000000002.seg', '0000000000000003.seg']);
      const rest = await readAll(q);
      await q.ack(rest.at(-1)!.position);
      assert.deepEqual(await segmentFiles(), ['0000000000000003.seg'], 'the active segment stays');
      assert.equal(q.stats().pending, 0);
    });
  });

  it('rejects a batch that would exceed maxBufferSize with QueueFullError and writes nothing', async () => {
    await withQueue(queueOptions(dir, { maxBufferSize: 6 * F, maxFileSize: 2 * F }), async (q) => {
      for (let i = 0; i < 5; i++) await q.append(numbered('x', i, 1, 40)); // two per segment
      const files = await segmentFiles();
      const sizes = async () => Promise.all(files.map(async (f) => (await stat(join(dir, f))).size));
      const before = await sizes();
      await assert.rejects(q.append(numbered('y', 0, 2, 40)), (err: Error & { code?: string }) => {
        assert.equal(err.code, 'HEKATE_ERR_QUEUE_FULL');
        assert.equal(err.name, 'QueueFullError');
        return true;
      });
      assert.deepEqual(await segmentFiles(), files);
      assert.deepEqual(await sizes(), before);
      assert.equal(q.stats().bytes, 5 * F);
      assert.equal(q.stats().pending, 5);
      // Acknowledging frees the first segment, and then the batch fits.
      const got = await q.read(2, 1 << 20);
      await q.ack(got[1]!.position);
      await q.append(numbered('y', 0, 2, 40));
      assert.equal(q.stats().bytes, 5 * F);
      assert.deepEqual(texts(await readAll(q)).map((t) => t.slice(0, 2)), ['x2', 'x3', 'x4', 'y0', 'y1']);
    });
  });

  it('does not count a fully acknowledged active segment as used: it is sealed and deleted', async () => {
    await withQueue(queueOptions(dir, { maxBufferSize: 6 * F, maxFileSize: 1000 }), async (q) => {
      await q.append(numbered('x', 0, 5, 40)); // 5 F in the active segment
      const got = await readAll(q);
      await q.ack(got.at(-1)!.position);
      await q.append(numbered('y', 0, 2, 40)); // 7 F on disk, but 5 F of them acknowledged
      await q.read(0, 0); // queued behind the reclaim the append started
      assert.deepEqual(await segmentFiles(), ['0000000000000002.seg']);
      assert.equal(q.stats().bytes, 2 * F);
      assert.deepEqual(texts(await readAll(q)).map((t) => t.slice(0, 2)), ['y0', 'y1']);
    });
  });

  it('drops the oldest segment for drop_oldest, acknowledging what was read from it', async () => {
    await withQueue(queueOptions(dir, { maxBufferSize: 6 * F, maxFileSize: 2 * F }), async (q) => {
      for (let i = 0; i < 5; i++) await q.append(numbered('x', i, 1, 40)); // segments: 2, 2, 1
      const early = await q.read(3, 1 << 20); // x0, x1 from segment 1, x2 from segment 2
      assert.equal(await q.dropOldest(2 * F), 2);
      assert.deepEqual(await segmentFiles(), ['0000000000000002.seg', '0000000000000003.seg']);
      assert.equal(q.stats().pending, 3);
      await q.ack(early[1]!.position); // from the dropped segment: nothing to do
      assert.equal(q.stats().pending, 3);
      await q.append(numbered('y', 0, 2, 40));
      assert.deepEqual(texts(await readAll(q)).map((t) => t.slice(0, 2)), ['x3', 'x4', 'y0', 'y1']);
      await q.ack(early[2]!.position);
      assert.equal(q.stats().pending, 4);
    });
  });

  it('seals and drops the active segment when it is the oldest, and returns 0 when nothing is left', async () => {
    await withQueue(queueOptions(dir, { maxBufferSize: 6 * F, maxFileSize: 100 * F }), async (q) => {
      await q.append(numbered('x', 0, 5, 40));
      assert.equal((await q.read(10, 100)).length, 2); // x0, x1; x2 is carried to the next read
      assert.equal(await q.dropOldest(2 * F), 5);
      assert.equal(q.stats().pending, 0);
      assert.equal(q.stats().bytes, 0);
      assert.equal(await q.dropOldest(7 * F), 0, 'a batch larger than the limit can never fit');
      await q.append(numbered('y', 0, 2, 40));
      assert.deepEqual(texts(await readAll(q)).map((t) => t.slice(0, 2)), ['y0', 'y1']);
    });
  });

  it('rejects a record over 64 MiB as permanent, writing nothing', async () => {
    await withQueue(queueOptions(dir), async (q) => {
      const huge = new Uint8Array(64 * 1024 * 1024 + 1);
      await assert.rejects(q.append([bytes('ok'), huge]), { code: 'HEKATE_ERR_PERMANENT' });
      assert.equal(q.stats().bytes, 0);
    });
  });

  it('wakes a waiter when data arrives, honours an abort signal, and releases waiters on close', async () => {
    const q = await DiskQueue.open(queueOptions(dir));
    let woke = false;
    const waiting = q.waitForData().then(() => (woke = true));
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(woke, false);
    await q.append([bytes('hello')]);
    await waiting;
    await q.waitForData(); // data is there: resolves at once
    await q.read(1, 100);
    const controller = new AbortController();
    const aborted = q.waitForData(controller.signal);
    controller.abort(new Error('stop'));
    await assert.rejects(aborted, /stop/);
    const released = q.waitForData();
    await q.close();
    await released;
  });

  it('is closed for good after close(), which is idempotent', async () => {
    const q = await DiskQueue.open(queueOptions(dir));
    await q.append([bytes('a')]);
    await Promise.all([q.close(), q.close()]);
    await q.close();
    await assert.rejects(q.append([bytes('b')]), { code: 'HEKATE_ERR_QUEUE_CLOSED' });
    await assert.rejects(q.read(1, 1), { code: 'HEKATE_ERR_QUEUE_CLOSED' });
  });

  it('lets reads run while appends are in flight, and waits for both on close', async () => {
    const q = await DiskQueue.open(queueOptions(dir, { maxFileSize: 4096 }));
    const appends = Array.from({ length: 20 }, (_, i) => q.append(numbered(`b${i}-`, 0, 10, 50)));
    const seen: string[] = [];
    while (seen.length < 200) {
      await q.waitForData();
      const got = await q.read(64, 1 << 20);
      seen.push(...texts(got));
      if (got.length > 0) await q.ack(got.at(-1)!.position);
    }
    await Promise.all(appends);
    await q.close();
    assert.equal(new Set(seen).size, 200);
  });

  it('creates the directory 0700 and its files 0600', async () => {
    const sub = join(dir, 'nested', 'queue');
    await withQueue(queueOptions(sub), async (q) => {
      await q.append([bytes('a')]);
      const [r] = await q.read(1, 10);
      await q.ack(r!.position);
    });
    assert.equal((await stat(sub)).mode & 0o777, 0o700);
    for (const name of await readdir(sub)) assert.equal((await stat(join(sub, name))).mode & 0o777, 0o600, name);
  });

  for (const fsync of ['interval', 'never'] as const) {
    it(`keeps appended records across close and reopen with fsync '${fsync}'`, async () => {
      await withQueue(queueOptions(dir, { fsync, fsyncIntervalMs: 10 }), async (q) => {
        await q.append(numbered('f', 0, 3));
        await new Promise((r) => setTimeout(r, 30)); // let an interval fsync run
        await q.append(numbered('f', 3, 2));
        await q.flush();
      });
      await withQueue(queueOptions(dir), async (q) => {
        assert.deepEqual(texts(await readAll(q)), ['f0', 'f1', 'f2', 'f3', 'f4']);
      });
    });
  }
});
