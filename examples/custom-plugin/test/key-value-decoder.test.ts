import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Pipeline, createMessage, silentLogger, type Message } from '@hekate/core';
import { KeyValueDecoder, plugins } from '../src/index.js';

test('KeyValueDecoder turns pairs into typed fields', () => {
  const decoder = KeyValueDecoder.create(KeyValueDecoder.options.parse({}), {} as never);
  const m = decoder.decode(createMessage({ payload: 'status=503 path="/search?q=a b" ms=12.5 host=web-1' })) as Message;
  assert.equal(m.value('status'), 503);
  assert.equal(m.value('path'), '/search?q=a b');
  assert.equal(m.value('ms'), 12.5);
  assert.equal(m.value('host'), 'web-1');
});

test('the package plugs into a pipeline built from TOML', async () => {
  const pipeline = await Pipeline.fromToml(
    `
    [kv]
    type = "KeyValueDecoder"
    prefix = "kv."
  `,
    { plugins, logger: silentLogger },
  );
  assert.equal(pipeline.plan.sections[0]!.type, 'KeyValueDecoder');
});
