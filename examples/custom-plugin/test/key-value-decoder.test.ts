import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Pipeline, createMessage, silentLogger, type Message } from '@hekate/core';
import { KeyValueDecoder } from '../src/index.js';

test('KeyValueDecoder turns pairs into typed fields', () => {
  const decoder = KeyValueDecoder.create(KeyValueDecoder.options.parse({}), {} as never);
  const m = decoder.decode(createMessage({ payload: 'status=503 path="/search?q=a b" ms=12.5 host=web-1' })) as Message;
  assert.equal(m.value('status'), 503);
  assert.equal(m.value('path'), '/search?q=a b');
  assert.equal(m.value('ms'), 12.5);
  assert.equal(m.value('host'), 'web-1');
});

test('the README sample loads this package by name and validates', async () => {
  const { readFile } = await import('node:fs/promises');
  const { fileURLToPath } = await import('node:url');
  const path = await import('node:path');
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
  const readme = await readFile(path.join(root, 'README.md'), 'utf8');
  const toml = /```toml\n([\s\S]*?)```/.exec(readme)![1]!;
  // Resolved from the package's own directory, where npm workspaces link it into node_modules.
  const pipeline = await Pipeline.fromToml(toml, { configDir: root, logger: silentLogger });
  assert.deepEqual(
    pipeline.plan.sections.map((s) => s.type).sort(),
    ['KeyValueDecoder', 'StdinInput', 'TokenSplitter'],
  );
});
