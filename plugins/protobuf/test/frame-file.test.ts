// readFrameFile, what `hekate cat` reads files with: offsets, garbage, size limits and tailing.
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { createMessage, frameHekaRecord } from '@hekate/core';
import {
  decodeHekaMessage,
  encodeHekaMessage,
  readFrameFile,
  type FrameFileStats,
} from '../src/index.js';

const DIR = mkdtempSync(path.join(tmpdir(), 'hekate-frames-'));
const frame = (payload: string) => frameHekaRecord(encodeHekaMessage(createMessage({ payload })));

async function payloads(
  file: string,
  options: Parameters<typeof readFrameFile>[1] = {},
  stats?: FrameFileStats,
): Promise<string[]> {
  const out: string[] = [];
  for await (const record of readFrameFile(file, options, stats))
    out.push(decodeHekaMessage(record).payload);
  return out;
}

test('reads every frame of a file, skipping garbage, from an offset, within a size limit', async () => {
  const file = path.join(DIR, 'output.log');
  const [a, b] = [frame('a'), frame('b'.repeat(5000))];
  writeFileSync(file, Buffer.concat([a, Buffer.from('garbage'), b, a]));
  const stats: FrameFileStats = { rejected: {}, bytesSkipped: 0, offset: 0 };
  assert.deepEqual(await payloads(file, {}, stats), ['a', 'b'.repeat(5000), 'a']);
  assert.equal(stats.bytesSkipped, 7);
  assert.equal(stats.offset, a.length * 2 + b.length + 7);
  assert.deepEqual(await payloads(file, { offset: a.length + 7 + b.length }), ['a']);
  // From inside a frame, the scan resyncs on the next one.
  assert.deepEqual(await payloads(file, { offset: 3 }), ['b'.repeat(5000), 'a']);
  const limited: FrameFileStats = { rejected: {}, bytesSkipped: 0, offset: 0 };
  assert.deepEqual(await payloads(file, { maxMessageSize: 1000 }, limited), ['a', 'a']);
  assert.equal(limited.rejected.too_large, 1);
});

test('with tail, frames appended later are read until the signal aborts', async () => {
  const file = path.join(DIR, 'growing.log');
  writeFileSync(file, frame('first'));
  const stop = new AbortController();
  const seen: string[] = [];
  const reading = (async () => {
    for await (const record of readFrameFile(file, {
      tail: true,
      pollMs: 10,
      signal: stop.signal,
    })) {
      seen.push(decodeHekaMessage(record).payload);
      if (seen.length === 3) stop.abort();
    }
  })();
  const half = frame('second');
  await new Promise((resolve) => setTimeout(resolve, 50));
  appendFileSync(file, half.subarray(0, 10)); // a frame written in two parts
  await new Promise((resolve) => setTimeout(resolve, 50));
  appendFileSync(file, Buffer.concat([half.subarray(10), frame('third')]));
  await reading;
  assert.deepEqual(seen, ['first', 'second', 'third']);
});
