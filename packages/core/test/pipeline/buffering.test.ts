import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { RetryableError } from '../../src/errors.js';
import { silentLogger } from '../../src/logger.js';
import { ScriptInput, TestOutput, acceptAll, createMessage, scripts } from '../support/test-plugins.js';
import { defineFilter } from '../../src/plugins/define.js';
import { z } from 'zod';

test('with use_buffering, inputs keep moving while the output is down; everything arrives after it returns', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'hekate-buffering-'));
  const batches = Array.from({ length: 40 }, (_, i) => ({ stream: 'a', position: i + 1, payloads: [`m${2 * i}`, `m${2 * i + 1}`] }));
  const script = { batches, acknowledged: [] as { stream: string; position: number }[], linger: true };
  scripts.set('steady', script);
  const sink = acceptAll('down-for-a-while');
  let up = false;
  sink.behaviour = () => {
    if (!up) throw new RetryableError('connection refused');
  };
  const pipeline = await Pipeline.fromToml(
    `
    [hekate]
    base_dir = "${dir}"
    [in]
    type = "ScriptInput"
    script = "steady"
    [out]
    type = "TestOutput"
    id = "down-for-a-while"
    batch = 20
    message_matcher = "TRUE"
    queue_max_messages = 4
    use_buffering = true
    [out.retries]
    delay = "20ms"
    max_delay = "200ms"
    max_jitter = "0ms"
  `,
    { plugins: [ScriptInput, TestOutput], logger: silentLogger },
  );
  await pipeline.start();
  // The memory queue holds 4 messages, yet every batch is acknowledged to the input while the
  // output is down: they are durably in the disk queue.
  const deadline = Date.now() + 10_000;
  while (script.acknowledged.at(-1)?.position !== 40 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  assert.equal(script.acknowledged.at(-1)?.position, 40);
  assert.equal(sink.written.length, 0);
  await new Promise((r) => setTimeout(r, 500));
  up = true;
  const back = Date.now();
  while (sink.written.length < 80 && Date.now() < back + 10_000) await new Promise((r) => setTimeout(r, 10));
  assert.deepEqual(sink.written, Array.from({ length: 80 }, (_, i) => `m${i}`));
  assert.ok(Date.now() - back < 1_000, 'delivered within a backoff or two of the output returning');
  // Attempts while down follow the capped backoff: 20, 40, 80, 160, 200, 200… ms apart.
  const gaps = sink.attempts.slice(1, 6).map((t, i) => t - sink.attempts[i]!);
  for (const [i, expected] of [20, 40, 80, 160, 200].entries()) assert.ok(gaps[i]! >= expected - 2, `gap ${i}: ${gaps}`);
  assert.ok(gaps.every((g) => g < 400), `the delay is capped: ${gaps}`);
  await pipeline.stop();
});

test('a message the disk queue cannot encode goes to the dead-letter route; the rest are buffered', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'hekate-buffering-'));
  const BadFieldFilter = defineFilter({
    type: 'BadFieldFilter',
    summary: 'Re-injects each message as type "checked", one of them with an ill-typed field (tests only).',
    options: z.object({}).strict(),
    create: () => ({
      process(message, runner) {
        const copy = createMessage({ type: 'checked', payload: message.payload });
        if (message.payload === 'm1') copy.fields = [{ name: 'n', type: 'integer', values: ['not a number'], representation: '' }];
        runner.inject(copy);
      },
    }),
  });
  scripts.set('unencodable', {
    batches: [{ stream: 'a', position: 1, payloads: ['m0', 'm1', 'm2'] }],
    acknowledged: [],
    linger: false,
  });
  const sink = acceptAll('buffered-out');
  const dead = acceptAll('dead-letters');
  const pipeline = await Pipeline.fromToml(
    `
    [hekate]
    base_dir = "${dir}"
    [in]
    type = "ScriptInput"
    script = "unencodable"
    [check]
    type = "BadFieldFilter"
    message_matcher = "Type != 'checked' && Type != 'hekate.dead_letter'"
    [out]
    type = "TestOutput"
    id = "buffered-out"
    message_matcher = "Type == 'checked'"
    use_buffering = true
    [dead]
    type = "TestOutput"
    id = "dead-letters"
    message_matcher = "Type == 'hekate.dead_letter'"
  `,
    { plugins: [ScriptInput, TestOutput, BadFieldFilter], logger: silentLogger },
  );
  await pipeline.start();
  assert.equal((await pipeline.done).reason, 'finished');
  assert.deepEqual(sink.written, ['m0', 'm2']);
  assert.deepEqual(dead.written, ['m1']);
  assert.equal(pipeline.stats().plugins.out!.counters.queue_encode_failures, 1);
  assert.deepEqual(scripts.get('unencodable')!.acknowledged, [{ stream: 'a', position: 1 }]);
});
