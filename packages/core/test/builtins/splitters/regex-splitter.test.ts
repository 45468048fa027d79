import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RegexSplitter } from '../../../src/builtins/splitters/regex-splitter.js';
import { splitChunks } from './splitter-harness.js';

const split = (options: Record<string, unknown>, chunks: (string | Uint8Array)[]) =>
  splitChunks(RegexSplitter, options, chunks);

test('RegexSplitter drops a delimiter without a capture group', () => {
  assert.deepEqual(split({ delimiter: '\\n-{3,}\\n' }, ['one\n---\ntwo\n-----\nthree']), ['one', 'two']);
});

test('RegexSplitter defaults to newlines', () => {
  assert.deepEqual(split({}, ['a\nb\n', 'c']), ['a', 'b']);
});

test('RegexSplitter appends the capture to the record with delimiter_eol', () => {
  assert.deepEqual(split({ delimiter: '(;)\\n' }, ['a;\nb;\n']), ['a;', 'b;']);
});

test('RegexSplitter starts the next record with the capture without delimiter_eol', () => {
  const log = '2024-06-01 start\n  at line 1\n2024-06-02 next\n  at line 2\n2024-06-03 last';
  const options = { delimiter: '\\n(\\d{4}-\\d\\d-\\d\\d )', delimiter_eol: false };
  assert.deepEqual(split(options, [log]), ['2024-06-01 start\n  at line 1', '2024-06-02 next\n  at line 2']);
  // The same across chunk boundaries, one byte at a time.
  const bytes = Buffer.from(log);
  const oneByOne = Array.from(bytes, (_, i) => bytes.subarray(i, i + 1));
  assert.deepEqual(split(options, oneByOne), ['2024-06-01 start\n  at line 1', '2024-06-02 next\n  at line 2']);
});

test('RegexSplitter keeps a multi-byte character split across chunks', () => {
  const bytes = Buffer.from('é😀\n', 'utf8');
  assert.deepEqual(split({}, [bytes.subarray(0, 3), bytes.subarray(3)]), ['é😀']);
});

test('RegexSplitter refuses more than one capture group and invalid patterns', () => {
  assert.equal(RegexSplitter.options.safeParse({ delimiter: '(a)(b)' }).success, false);
  const bad = RegexSplitter.options.safeParse({ delimiter: '(' });
  assert.equal(bad.success, false);
  assert.match(bad.error!.issues[0]!.message, /invalid RE2/);
  assert.equal(RegexSplitter.options.safeParse({ delimiter: '(?=x)' }).success, false, 'RE2 has no lookahead');
});
