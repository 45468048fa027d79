import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { Counters } from '@hekate/core';
import { hashBytes } from '../src/file-identity.js';
import { TailedFile, type FileBatch, type LineLimit } from '../src/tailed-file.js';
import { LineSplitter } from './support/line-splitter.js';

/** A line as written: content bytes, CRLF or LF ending. */
interface Written {
  readonly content: Buffer;
  readonly crlf: boolean;
}

const contentArb = fc.oneof(
  { weight: 6, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }).map((s) => Buffer.from(s.replace(/[\r\n]/g, ''))) },
  // Invalid UTF-8, NULs and stray continuation bytes.
  { weight: 2, arbitrary: fc.uint8Array({ maxLength: 30 }).map((a) => Buffer.from(a.filter((b) => b !== 10 && b !== 13))) },
  { weight: 1, arbitrary: fc.constant(Buffer.from('😀é漢'.repeat(9))) },
);
const lineArb = fc.record({ content: contentArb, crlf: fc.boolean() });

function fileBytes(lines: readonly Written[], partial: Buffer): Buffer {
  return Buffer.concat([...lines.flatMap((l) => [l.content, Buffer.from(l.crlf ? '\r\n' : '\n')]), partial]);
}

function newFile(start = 0, skip = false, limit: LineLimit = { maxBytes: 1 << 20, action: 'truncate' }, bytes: Buffer = Buffer.alloc(0)) {
  const counters = new Counters();
  const recent = bytes.subarray(Math.max(0, start - 256), start);
  const state = { offset: start, skip, tail: hashBytes(recent) };
  const init = { key: '1:1', path: '/f', stream: 's', place: undefined, serial: 1, head: Buffer.alloc(0), start: state, recent, checkpoint: state };
  return { file: new TailedFile(init, () => new LineSplitter(), limit, counters), counters };
}

/** Feeds `bytes` from the file's read offset in chunks of the given sizes; returns the batches. */
function feed(file: TailedFile, bytes: Buffer, sizes: readonly number[]): FileBatch[] {
  const batches: FileBatch[] = [];
  let i = 0;
  while (file.readOffset < bytes.length) {
    const size = sizes.length === 0 ? bytes.length : sizes[i++ % sizes.length]!;
    const batch = file.consume(bytes.subarray(file.readOffset, Math.min(bytes.length, file.readOffset + size)));
    if (batch !== undefined) batches.push(batch);
  }
  return batches;
}

const recordsOf = (batches: readonly FileBatch[]) => batches.flatMap((b) => b.records.map(String));

test('cuts any chunking of CRLF, invalid UTF-8 and split characters into the written lines', () => {
  fc.assert(
    fc.property(fc.array(lineArb, { maxLength: 40 }), contentArb, fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 8 }), (lines, partial, sizes) => {
      const bytes = fileBytes(lines, partial);
      const { file } = newFile();
      const batches = feed(file, bytes, sizes);
      const expected: string[] = [];
      const starts: number[] = [];
      let at = 0;
      for (const l of lines) {
        if (l.content.length > 0) {
          expected.push(l.content.toString('utf8'));
          starts.push(at);
        }
        at += l.content.length + (l.crlf ? 2 : 1);
      }
      assert.deepEqual(recordsOf(batches), expected);
      assert.deepEqual(batches.flatMap((b) => b.offsets), starts);
      // The partial last line is held: the checkpoint never passes where it starts.
      if (batches.length > 0) assert.ok(batches.at(-1)!.position.offset <= at);
      if (starts.length > 0) assert.ok(batches.at(-1)!.position.offset > starts.at(-1)!);
    }),
    { numRuns: 300 },
  );
});

test('resuming from any acknowledged position delivers exactly the rest, with the right tail hash', () => {
  fc.assert(
    fc.property(fc.array(lineArb, { minLength: 1, maxLength: 30 }), fc.array(fc.integer({ min: 1, max: 48 }), { minLength: 1, maxLength: 5 }), fc.nat(), (lines, sizes, pick) => {
      const bytes = fileBytes(lines, Buffer.alloc(0));
      const { file } = newFile();
      const batches = feed(file, bytes, sizes);
      if (batches.length === 0) return;
      const k = pick % batches.length;
      const p = batches[k]!.position;
      assert.equal(p.tail, hashBytes(bytes.subarray(Math.max(0, p.offset - 256), p.offset)));
      const resumed = newFile(p.offset, p.skip, undefined, bytes).file;
      assert.deepEqual(recordsOf(feed(resumed, bytes, sizes)), recordsOf(batches.slice(k + 1)));
    }),
    { numRuns: 300 },
  );
});

for (const action of ['truncate', 'skip'] as const) {
  test(`max_line_bytes ${action}s over-long lines, counts them exactly, and resumes consistently`, () => {
    const max = 16;
    fc.assert(
      fc.property(
        fc.array(fc.record({ content: fc.oneof(contentArb, fc.string({ minLength: 10, maxLength: 60 }).map((s) => Buffer.from(s.replace(/[\r\n]/g, 'x')))), crlf: fc.boolean() }), { maxLength: 25 }),
        fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 5 }),
        fc.nat(),
        (lines, sizes, pick) => {
          const bytes = fileBytes(lines, Buffer.alloc(0));
          const { file, counters } = newFile(0, false, { maxBytes: max, action });
          const batches: FileBatch[] = [];
          let i = 0;
          while (file.readOffset < bytes.length) {
            const batch = file.consume(bytes.subarray(file.readOffset, Math.min(bytes.length, file.readOffset + sizes[i++ % sizes.length]!)));
            if (batch !== undefined) batches.push(batch);
          }
          const got = recordsOf(batches);
          let long = 0;
          let j = 0;
          for (const l of lines) {
            const raw = l.crlf ? Buffer.concat([l.content, Buffer.from('\r')]) : l.content;
            if (raw.length <= max) {
              if (l.content.length > 0) assert.equal(got[j++], l.content.toString('utf8'));
              continue;
            }
            long++;
            if (action === 'skip') continue;
            const record = got[j++]!;
            assert.equal(record, raw.subarray(0, max).toString('utf8'));
          }
          assert.equal(j, got.length);
          assert.equal(counters.get(action === 'skip' ? 'lines_skipped' : 'lines_truncated'), long);
          if (batches.length > 0) {
            const k = pick % batches.length;
            const p = batches[k]!.position;
            const resumed = newFile(p.offset, p.skip, { maxBytes: max, action }, bytes).file;
            assert.deepEqual(recordsOf(feed(resumed, bytes, sizes)), recordsOf(batches.slice(k + 1)));
          }
        },
      ),
      { numRuns: 300 },
    );
  });
}

test('a 10 MiB line between short lines is cut without being buffered', () => {
  let peak = 0;
  class Watched extends LineSplitter {
    override push(chunk: Uint8Array) {
      const out = super.push(chunk);
      peak = Math.max(peak, this.pending);
      return out;
    }
  }
  const counters = new Counters();
  const state = { offset: 0, skip: false, tail: hashBytes(Buffer.alloc(0)) };
  const init = { key: '1:1', path: '/f', stream: 's', place: undefined, serial: 1, head: Buffer.alloc(0), start: state, recent: Buffer.alloc(0), checkpoint: state };
  const file = new TailedFile(init, () => new Watched(), { maxBytes: 1024, action: 'truncate' }, counters);
  const big = Buffer.alloc(10 * 1024 * 1024, 'x');
  const bytes = Buffer.concat([Buffer.from('before\n'), big, Buffer.from('\nafter\n')]);
  const batches: FileBatch[] = [];
  while (file.readOffset < bytes.length) {
    const batch = file.consume(bytes.subarray(file.readOffset, file.readOffset + 65536));
    if (batch !== undefined) batches.push(batch);
  }
  assert.deepEqual(recordsOf(batches).map((r) => r.slice(0, 8)), ['before', 'xxxxxxxx', 'after']);
  assert.equal(recordsOf(batches)[1]!.length, 1024);
  assert.equal(counters.get('lines_truncated'), 1);
  assert.ok(peak <= 1024, `the splitter held ${peak} bytes`);
});
