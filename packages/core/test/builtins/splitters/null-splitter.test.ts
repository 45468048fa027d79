import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NullSplitter } from '../../../src/builtins/splitters/null-splitter.js';
import { splitChunks } from './splitter-harness.js';

test('NullSplitter makes each chunk one record', () => {
  assert.deepEqual(splitChunks(NullSplitter, {}, ['a\nb', '', 'c']), ['a\nb', 'c']);
  assert.equal(NullSplitter.options.safeParse({ x: 1 }).success, false);
});
