import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fillChecksumsOffThread } from '../../src/queue/frame-checksums.js';
import { FRAME_HEADER_BYTES, layFrames, probeFrame, writeFrames } from '../../src/queue/record-frame.js';

const records = Array.from({ length: 400 }, (_, i) => new TextEncoder().encode(`record ${i} `.repeat(1 + (i % 40))));
const bytes = records.reduce((n, r) => n + FRAME_HEADER_BYTES + r.length, 0);

test('frames in shared memory get the same checksums on the worker thread as in line', async () => {
  const expected = new Uint8Array(bytes);
  writeFrames(records, expected);
  const shared = new Uint8Array(new SharedArrayBuffer(bytes + 100), 50, bytes);
  layFrames(records, shared);
  assert.notDeepEqual(shared, expected, 'laid out without checksums');
  // Several jobs at once, answered by id.
  const copies = [shared, ...Array.from({ length: 3 }, () => new Uint8Array(new SharedArrayBuffer(bytes)))];
  for (const c of copies.slice(1)) layFrames(records, c);
  await Promise.all(copies.map((c) => fillChecksumsOffThread(c)));
  for (const c of copies) assert.deepEqual(c, expected);
  assert.equal(probeFrame(shared, 0, bytes), records[0]!.length);
});

test('frames outside shared memory, or small ones, are checksummed in line', async () => {
  for (const out of [new Uint8Array(bytes), new Uint8Array(new SharedArrayBuffer(64))]) {
    const some = out.length === 64 ? records.slice(0, 1).map((r) => r.subarray(0, 20)) : records;
    const expected = new Uint8Array(out.length === 64 ? FRAME_HEADER_BYTES + 20 : bytes);
    writeFrames(some, expected);
    const frames = out.subarray(0, expected.length);
    layFrames(some, frames);
    const done = fillChecksumsOffThread(frames);
    assert.deepEqual(frames, expected, 'filled before the promise settles');
    await done;
  }
});
