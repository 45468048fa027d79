/**
 * Reliability plan F3 (b), at unit scale: the queue's filesystem fills up. Appends must fail with
 * a retryable error and leave the segments consistent, nothing whose append resolved may be lost,
 * and the queue must work again once space returns. Runs on a real 4 MiB tmpfs, so it needs root.
 */
import assert from 'node:assert/strict';
import { statSync, truncateSync } from 'node:fs';
import { readdir, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DiskQueue } from '../../src/queue/disk-queue.js';
import {
  fill,
  mountTmpfs,
  numbered,
  queueOptions,
  readAll,
  texts,
  unmountTmpfs,
  withQueue,
} from './queue-test-kit.js';

describe('disk queue on a full disk', () => {
  it('rejects appends as retryable, loses nothing that was appended, and recovers when space returns', async (t) => {
    const mnt = await mountTmpfs('4m');
    if (typeof mnt !== 'string') {
      t.skip(mnt.skip);
      return;
    }
    let q: DiskQueue | undefined;
    try {
      const dir = join(mnt, 'queue');
      const options = queueOptions(dir, { maxFileSize: 256 * 1024 });
      q = await DiskQueue.open(options);
      const appended: string[] = [];
      const append = async (records: Uint8Array[]) => {
        await q!.append(records);
        appended.push(...texts(records));
      };
      for (let b = 0; b < 10; b++) await append(numbered(`a${b}-`, 0, 100, 1000));
      const consumed = await q.read(250, 1 << 30);
      await q.ack(consumed.at(-1)!.position);

      // Fill the disk but for 30 kB, so the first failing batch (50 kB) is written in part first.
      fill(join(mnt, 'filler'));
      truncateSync(join(mnt, 'filler'), statSync(join(mnt, 'filler')).size - 30_000);
      const before = q.stats();
      const segmentSizes = async () => {
        const names = (await readdir(dir)).filter((n) => n.endsWith('.seg'));
        return Promise.all(names.map(async (n) => (await stat(join(dir, n))).size));
      };
      let rejected = 0;
      for (let i = 0; i < 20; i++) {
        try {
          await append(numbered(`full${i}-`, 0, 50, 1000));
        } catch (err) {
          assert.equal((err as { code?: string }).code, 'HEKATE_ERR_RETRYABLE');
          assert.match((err as Error).message, /ENOSPC|no space/i);
          rejected++;
        }
      }
      assert.ok(rejected > 0, 'the disk never filled up');
      const after = q.stats();
      assert.equal(after.pending, before.pending + (appended.length - 1000));
      // On disk, every segment holds exactly its complete records: failed writes were truncated away.
      assert.equal((await segmentSizes()).reduce((a, b) => a + b, 0), after.bytes);

      // Reading needs no space; acknowledging does (the cursor file), and fails retryably.
      fill(join(mnt, 'filler2')); // the undone partial writes gave some space back
      const middle = await q.read(250, 1 << 30);
      assert.deepEqual(texts(middle), appended.slice(250, 500));
      await assert.rejects(q.ack(middle.at(-1)!.position), { code: 'HEKATE_ERR_RETRYABLE' });

      await unlink(join(mnt, 'filler'));
      await unlink(join(mnt, 'filler2'));
      await append(numbered('later-', 0, 100, 1000));
      await q.ack(middle.at(-1)!.position);
      assert.deepEqual(texts(await readAll(q)), appended.slice(500));
      await q.close();
      await withQueue(options, async (q2) => {
        assert.deepEqual(texts(await readAll(q2)), appended.slice(500), 'after a restart');
        assert.equal(q2.stats().truncatedBytes, 0);
      });
    } finally {
      await q?.close().catch(() => undefined);
      await unmountTmpfs(mnt);
    }
  });
});
