import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { TokenSplitter } from '../../../src/builtins/splitters/token-splitter.js';
import { splitChunks } from './splitter-harness.js';

const lines = (chunks: (string | Uint8Array)[], options: Record<string, unknown> = {}, maxRecordSize?: number) =>
  splitChunks(TokenSplitter, options, chunks, maxRecordSize === undefined ? {} : { maxRecordSize });

test('TokenSplitter cuts lines and drops the newline', () => {
  assert.deepEqual(lines(['a\nbb\nccc\n']), ['a', 'bb', 'ccc']);
});

test('TokenSplitter holds a line split across chunks until it is complete', () => {
  assert.deepEqual(lines(['hel', 'lo\nwor', 'ld', '\n', 'tail']), ['hello', 'world']);
});

test('TokenSplitter strips CRLF, also when CR and LF arrive in different chunks', () => {
  assert.deepEqual(lines(['a\r\nb\r', '\nc\n']), ['a', 'b', 'c']);
  assert.deepEqual(lines(['\r\n']), [], 'a CRLF alone is an empty line');
  assert.deepEqual(lines(['x\ry\n']), ['x\ry'], 'a CR inside a line stays');
});

test('TokenSplitter decodes a 4-byte UTF-8 character split across chunks', () => {
  const bytes = Buffer.from('x😀y\n', 'utf8');
  for (let cut = 1; cut < bytes.length; cut++) {
    assert.deepEqual(lines([bytes.subarray(0, cut), bytes.subarray(cut)]), ['x😀y'], `cut at ${cut}`);
  }
});

test('TokenSplitter skips empty lines unless skip_empty is false', () => {
  assert.deepEqual(lines(['a\n\n\nb\n']), ['a', 'b']);
  assert.deepEqual(lines(['a\n\nb\n'], { skip_empty: false }), ['a', '', 'b']);
});

test("TokenSplitter keep_delimiter gives Heka's records", () => {
  assert.deepEqual(lines(['a\r\n\nb\n'], { keep_delimiter: true }), ['a\r\n', '\n', 'b\n']);
});

test('TokenSplitter count groups several delimiters into one record', () => {
  assert.deepEqual(lines(['1\n2\n3\n', '4\n5\n'], { count: 2 }), ['1\n2', '3\n4']);
  assert.deepEqual(lines(['1\n2\n3\n4\n'], { count: 2, keep_delimiter: true }), ['1\n2\n', '3\n4\n']);
});

test('TokenSplitter splits on another one-byte delimiter', () => {
  assert.deepEqual(lines(['a;b', ';c;'], { delimiter: ';' }), ['a', 'b', 'c']);
  assert.deepEqual(lines(['a\r;'], { delimiter: ';' }), ['a\r'], 'CR is only special before LF');
});

test('TokenSplitter refuses a delimiter that is not one ASCII character', () => {
  assert.equal(TokenSplitter.options.safeParse({ delimiter: 'ab' }).success, false);
  assert.equal(TokenSplitter.options.safeParse({ delimiter: 'é' }).success, false);
  assert.equal(TokenSplitter.options.safeParse({ count: 0 }).success, false);
  assert.equal(TokenSplitter.options.safeParse({ delimeter: '\n' }).success, false, 'unknown keys are refused');
});

test('TokenSplitter gives the same lines however the bytes are chunked', () => {
  const line = fc.string({ unit: 'binary', maxLength: 12 }).filter((s) => !s.includes('\n') && !s.endsWith('\r'));
  fc.assert(
    fc.property(fc.array(line, { maxLength: 12 }), fc.array(fc.nat(), { maxLength: 6 }), (input, cuts) => {
      const bytes = Buffer.from(input.map((l) => l + '\n').join(''), 'utf8');
      const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
      const chunks: Buffer[] = [];
      let from = 0;
      for (const p of [...points, bytes.length]) {
        chunks.push(bytes.subarray(from, p));
        from = p;
      }
      assert.deepEqual(lines(chunks), input.filter((l) => l !== ''));
    }),
    { numRuns: 100 },
  );
});

test('TokenSplitter cuts a chunk of many windows the same way: long, short and multi-byte lines', () => {
  // Lines are decoded 48 KiB at a time; lines around, across and longer than that bound.
  const input: string[] = [];
  for (let i = 0; i < 400; i++) input.push(`${i}:` + 'é😀x'.repeat(i % 37) + 'a'.repeat((i * 997) % 600));
  input.push('b'.repeat(49 * 1024), 'c'.repeat(48 * 1024 - 1), '😀'.repeat(30_000), 'd');
  for (let i = 0; i < 50; i++) input.push('e'.repeat(i * 1013));
  const bytes = Buffer.from(input.map((l) => l + '\n').join(''), 'utf8');
  assert.ok(bytes.length > 1024 * 1024);
  assert.deepEqual(lines([bytes], {}, 2 * 1024 * 1024), input.filter((l) => l !== ''));
  assert.deepEqual(lines([bytes.subarray(0, 500_000), bytes.subarray(500_000)], {}, 2 * 1024 * 1024), input.filter((l) => l !== ''));
});
