import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { RetryableError } from '../../src/errors.js';
import { silentLogger } from '../../src/logger.js';
import { ScriptInput, TestOutput, acceptAll, createMessage, scripts } from '../support/test-plugins.js';
import { until } from '../support/until.js';
import { defineFilter } from '../../src/plugins/define.js';
import { z } from 'zod';

test('with use_buffering, inputs keep moving while the output is down; everything arrives after it returns', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'hekate-buffering-'));
  const script = steadyScript('steady');
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

test('a message the disk queue cannot encode goes to the dead-letter route; the rest are spooled', async () => {
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
    [out.buffering]
    spool_after = 0
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

/** 40 scripted batches of two messages each: m0 … m79. */
function steadyScript(name: string) {
  const batches = Array.from({ length: 40 }, (_, i) => ({ stream: 'a', position: i + 1, payloads: [`m${2 * i}`, `m${2 * i + 1}`] }));
  const script = { batches, acknowledged: [] as { stream: string; position: number }[], linger: true };
  scripts.set(name, script);
  return script;
}

function bufferedConfig(dir: string, script: string, sink: string, spoolAfter: string): string {
  return `
    [hekate]
    base_dir = "${dir}"
    shutdown_timeout = "300ms"
    [in]
    type = "ScriptInput"
    script = "${script}"
    [out]
    type = "TestOutput"
    id = "${sink}"
    batch = 20
    message_matcher = "TRUE"
    queue_max_messages = 4
    use_buffering = true
    [out.buffering]
    spool_after = "${spoolAfter}"
    [out.retries]
    delay = "20ms"
    max_delay = "50ms"
    max_jitter = "0ms"
  `;
}

test('with use_buffering, an output that keeps up takes messages straight from memory: nothing is spooled', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'hekate-buffering-'));
  const script = steadyScript('keeps-up');
  const sink = acceptAll('keeps-up');
  // Each message is acknowledged upstream only after it is written, as without buffering.
  const early: string[] = [];
  sink.behaviour = (batch) => {
    for (const m of batch) if (script.acknowledged.some((a) => a.position === Number(m.payload.slice(1)) / 2 + 1)) early.push(m.payload);
  };
  const pipeline = await Pipeline.fromToml(bufferedConfig(dir, 'keeps-up', 'keeps-up', '1h'), {
    plugins: [ScriptInput, TestOutput],
    logger: silentLogger,
  });
  await pipeline.start();
  await until('every batch is acknowledged', () => script.acknowledged.at(-1)?.position === 40);
  assert.deepEqual(sink.written, Array.from({ length: 80 }, (_, i) => `m${i}`));
  assert.deepEqual(early, []);
  assert.equal(pipeline.stats().plugins.out!.counters.messages_spooled, undefined);
  await pipeline.stop();
});

test('with use_buffering, an output slower than spool_after gets its messages through the disk queue, each once and in order', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'hekate-buffering-'));
  const script = steadyScript('slow');
  const sink = acceptAll('slow');
  let slow = true;
  sink.behaviour = () => (slow ? new Promise((r) => setTimeout(r, 150)) : undefined);
  const pipeline = await Pipeline.fromToml(bufferedConfig(dir, 'slow', 'slow', '50ms'), {
    plugins: [ScriptInput, TestOutput],
    logger: silentLogger,
  });
  await pipeline.start();
  // Stuck on its first batch for longer than spool_after: the input is acknowledged meanwhile.
  await until('every batch is acknowledged', () => script.acknowledged.at(-1)?.position === 40);
  assert.ok(sink.written.length < 80, 'acknowledged before it was all written');
  slow = false;
  await until('everything is written', () => sink.written.length >= 80);
  await new Promise((r) => setTimeout(r, 100));
  assert.deepEqual(sink.written, Array.from({ length: 80 }, (_, i) => `m${i}`));
  assert.ok((pipeline.stats().plugins.out!.counters.messages_spooled ?? 0) > 0);
  await pipeline.stop();
});

test('with use_buffering, messages whose input cannot replay them are spooled at once, even to an output that keeps up', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'hekate-buffering-'));
  const script = { ...steadyScript('untracked'), untracked: true };
  scripts.set('untracked', script);
  const sink = acceptAll('untracked');
  const pipeline = await Pipeline.fromToml(bufferedConfig(dir, 'untracked', 'untracked', '1h'), {
    plugins: [ScriptInput, TestOutput],
    logger: silentLogger,
  });
  await pipeline.start();
  await until('everything is written', () => sink.written.length === 80);
  assert.deepEqual(sink.written, Array.from({ length: 80 }, (_, i) => `m${i}`));
  const spooled = pipeline.stats().plugins.out!.counters.messages_spooled ?? 0;
  // The output may take what arrives while it waits idle (a write is as quick as an append); the
  // rest must go through the disk queue.
  assert.ok(spooled >= 40, `spooled ${spooled}`);
  await pipeline.stop();
});

test('with use_buffering, a batch the output is stuck on at shutdown is spooled with the rest and written after a restart', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'hekate-buffering-'));
  const script = steadyScript('stuck');
  const sink = acceptAll('stuck');
  sink.behaviour = () => {
    throw new RetryableError('connection refused');
  };
  // spool_after = 1h: the output never counts as stalled, so only the shutdown spools.
  const options = { plugins: [ScriptInput, TestOutput], logger: silentLogger };
  const first = await Pipeline.fromToml(bufferedConfig(dir, 'stuck', 'stuck', '1h'), options);
  await first.start();
  await until('the output has failed a few times', () => sink.attempts.length >= 3);
  assert.equal(script.acknowledged.length, 0, 'nothing acknowledged before it is written or spooled');
  await first.stop();
  // The first batch, taken straight from memory, and the messages behind it are on disk now:
  // each was acknowledged to the input.
  const spooled = first.stats().plugins.out!.counters.messages_spooled ?? 0;
  assert.ok(spooled >= 4, `spooled ${spooled}`);
  assert.ok(script.acknowledged.length > 0);

  sink.behaviour = () => undefined;
  scripts.set('nothing', { batches: [], acknowledged: [], linger: true });
  const second = await Pipeline.fromToml(bufferedConfig(dir, 'nothing', 'stuck', '1h'), options);
  await second.start();
  await until('the spooled messages are written', () => sink.written.length >= spooled);
  const acknowledged = script.acknowledged.flatMap((a) => script.batches[a.position - 1]!.payloads);
  assert.deepEqual(sink.written, acknowledged, 'exactly what was acknowledged, in order, once');
  await second.stop();
});

test('a message routed to a buffered output and to another output is acknowledged once both have it', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'hekate-buffering-'));
  const script = steadyScript('two-outputs');
  const buffered = acceptAll('two-outputs-buffered');
  const plain = acceptAll('two-outputs-plain');
  const pipeline = await Pipeline.fromToml(
    `${bufferedConfig(dir, 'two-outputs', 'two-outputs-buffered', '0s')}
    [plain]
    type = "TestOutput"
    id = "two-outputs-plain"
    batch = 20
    message_matcher = "TRUE"
  `,
    { plugins: [ScriptInput, TestOutput], logger: silentLogger },
  );
  await pipeline.start();
  await until('every batch is acknowledged', () => script.acknowledged.at(-1)?.position === 40);
  const all = Array.from({ length: 80 }, (_, i) => `m${i}`);
  await until('both outputs have everything', () => buffered.written.length === 80 && plain.written.length === 80);
  assert.deepEqual(buffered.written, all);
  assert.deepEqual(plain.written, all);
  await pipeline.stop();
});
