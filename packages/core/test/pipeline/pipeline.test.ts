import assert from 'node:assert/strict';
import { test } from 'node:test';
import { z } from 'zod';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { defineFilter } from '../../src/plugins/define.js';
import { createMessage } from '../../src/message/message.js';
import { silentLogger } from '../../src/logger.js';
import { ScriptInput, TestOutput, acceptAll, failFirst, rejectBad, scripts, sinks } from '../support/test-plugins.js';

const PingPongFilter = defineFilter({
  type: 'PingPongFilter',
  summary: 'Injects a message of type `to` for each one it gets (tests only).',
  options: z.object({ to: z.string() }).strict(),
  create: ({ to }) => ({
    process(message, runner) {
      runner.inject(createMessage({ type: to, payload: message.payload }));
    },
  }),
});

const plugins = [ScriptInput, TestOutput, PingPongFilter];

function script(name: string, batches: { stream?: string; position: number; payloads: string[] }[], linger = false) {
  const s = { batches: batches.map((b) => ({ stream: b.stream ?? 'a', ...b })), acknowledged: [] as { stream: string; position: number }[], linger };
  scripts.set(name, s);
  return s;
}

async function run(toml: string): Promise<Pipeline> {
  const pipeline = await Pipeline.fromToml(toml, { plugins, logger: silentLogger });
  await pipeline.start();
  const exit = await pipeline.done;
  assert.equal(exit.reason, 'finished', exit.error);
  return pipeline;
}

test('routes each message to every output whose matcher accepts it, and checkpoints after all acknowledge', async () => {
  const s = script('route', [
    { position: 1, payloads: ['click 1', 'visit 1'] },
    { position: 2, payloads: ['click 2'] },
  ]);
  const clicks = acceptAll('clicks');
  const all = acceptAll('all');
  await run(`
    [in]
    type = "ScriptInput"
    script = "route"
    [clicks]
    type = "TestOutput"
    id = "clicks"
    message_matcher = "Payload =~ /^click/"
    [all]
    type = "TestOutput"
    id = "all"
    message_matcher = "TRUE"
  `);
  assert.deepEqual(clicks.written, ['click 1', 'click 2']);
  assert.deepEqual(all.written, ['click 1', 'visit 1', 'click 2']);
  assert.deepEqual(s.acknowledged.at(-1), { stream: 'a', position: 2 });
});

test('a message that matches nothing is acknowledged at once', async () => {
  const s = script('nomatch', [{ position: 7, payloads: ['x'] }]);
  acceptAll('none');
  await run(`
    [in]
    type = "ScriptInput"
    script = "nomatch"
    [none]
    type = "TestOutput"
    id = "none"
    message_matcher = "FALSE"
  `);
  assert.deepEqual(s.acknowledged, [{ stream: 'a', position: 7 }]);
});

test('a failing output is retried with backoff and the checkpoint waits for it', async () => {
  const s = script('retry', [{ position: 1, payloads: ['m1'] }]);
  const sink = failFirst('flaky', 3);
  await run(`
    [in]
    type = "ScriptInput"
    script = "retry"
    [flaky]
    type = "TestOutput"
    id = "flaky"
    message_matcher = "TRUE"
    [flaky.retries]
    delay = "20ms"
    max_jitter = "0ms"
  `);
  assert.deepEqual(sink.written, ['m1']);
  assert.equal(sink.attempts.length, 4);
  const gaps = sink.attempts.slice(1).map((t, i) => t - sink.attempts[i]!);
  // 20, 40, 80 ms: each wait at least the backoff, doubling.
  assert.ok(gaps[0]! >= 19 && gaps[1]! >= 39 && gaps[2]! >= 79, `gaps ${gaps}`);
  assert.deepEqual(s.acknowledged, [{ stream: 'a', position: 1 }]);
});

test('refused messages go to the dead-letter route with their reason, and the checkpoint advances', async () => {
  const s = script('dlq', [{ position: 3, payloads: ['good 1', 'bad 2', 'good 3'] }]);
  const main = rejectBad('main');
  const dead: string[] = [];
  acceptAll('dead');
  const pipeline = await Pipeline.fromToml(
    `
    [in]
    type = "ScriptInput"
    script = "dlq"
    [main]
    type = "TestOutput"
    id = "main"
    message_matcher = "Type != 'hekate.dead_letter'"
    batch = 10
    [dead]
    type = "TestOutput"
    id = "dead"
    message_matcher = "Type == 'hekate.dead_letter' && Fields[dead_letter.reason] == 'bad row'"
  `,
    { plugins, logger: silentLogger },
  );
  sinks.get('dead')!.behaviour = (batch) => void dead.push(...batch.map((m) => `${m.payload}|${m.value('dead_letter.plugin')}`));
  await pipeline.start();
  await pipeline.done;
  assert.deepEqual(main.written, ['good 1', 'good 3']);
  assert.deepEqual(dead, ['bad 2|main']);
  assert.deepEqual(s.acknowledged, [{ stream: 'a', position: 3 }]);
  assert.equal(pipeline.stats().plugins.main!.counters.messages_dead_lettered, 1);
});

test('loop protection drops a message re-injected more than max_message_loops times', async () => {
  script('loops', [{ position: 1, payloads: ['ping'] }]);
  acceptAll('sink');
  const pipeline = await run(`
    [hekate]
    max_message_loops = 4
    [in]
    type = "ScriptInput"
    script = "loops"
    [to_b]
    type = "PingPongFilter"
    to = "b"
    message_matcher = "Type == 'a' || Logger == 'in'"
    [to_a]
    type = "PingPongFilter"
    to = "a"
    message_matcher = "Type == 'b'"
    [sink]
    type = "TestOutput"
    id = "sink"
    message_matcher = "TRUE"
  `);
  assert.equal(pipeline.stats().pipeline.messages_looped, 1);
  // The original and four generations of injections reach the sink.
  assert.equal(sinks.get('sink')!.written.length, 5);
});

test('a full queue under "block" holds the input back until the output catches up', async () => {
  const batches = Array.from({ length: 20 }, (_, i) => ({ position: i + 1, payloads: [`m${i}`] }));
  const s = script('block', batches);
  const sink = acceptAll('slow');
  sink.behaviour = () => new Promise((resolve) => setTimeout(resolve, 2));
  const pipeline = await run(`
    [in]
    type = "ScriptInput"
    script = "block"
    [slow]
    type = "TestOutput"
    id = "slow"
    message_matcher = "TRUE"
    queue_max_messages = 2
  `);
  assert.equal(sink.written.length, 20);
  assert.ok(pipeline.stats().plugins.in!.counters.backpressure_waits! > 0);
  assert.deepEqual(s.acknowledged.at(-1), { stream: 'a', position: 20 });
});

test('an input batch is routed a slice at a time, so a full queue overfills by one slice at most', async () => {
  script('slices', [{ position: 1, payloads: Array.from({ length: 2000 }, (_, i) => `m${i}`) }]);
  const sink = acceptAll('sliced');
  const batchSizes: number[] = [];
  sink.behaviour = async (batch) => {
    batchSizes.push(batch.length);
    await new Promise((resolve) => setTimeout(resolve, 1));
  };
  const pipeline = await run(`
    [in]
    type = "ScriptInput"
    script = "slices"
    [sliced]
    type = "TestOutput"
    id = "sliced"
    batch = 100000
    message_matcher = "TRUE"
    queue_max_messages = 10
  `);
  assert.equal(sink.written.length, 2000);
  assert.ok(Math.max(...batchSizes) <= 10 + 256, `largest batch ${Math.max(...batchSizes)}`);
  assert.ok(pipeline.stats().plugins.in!.counters.backpressure_waits! > 1);
});

test('an output stops lingering for a fuller batch once its queue is full', { timeout: 60_000 }, async () => {
  script('full', [{ position: 1, payloads: Array.from({ length: 50 }, (_, i) => `m${i}`) }]);
  const sink = acceptAll('lingering');
  // A batch of 1000 can never fill from a queue of 10: without the fix, each batch waited an hour.
  await run(`
    [in]
    type = "ScriptInput"
    script = "full"
    [lingering]
    type = "TestOutput"
    id = "lingering"
    batch = 1000
    linger_ms = 3600000
    message_matcher = "TRUE"
    queue_max_messages = 10
  `);
  assert.equal(sink.written.length, 50);
});

test('"drop_newest" drops and counts instead of blocking, and acknowledges what it dropped', async () => {
  const s = script('drop', [{ position: 1, payloads: Array.from({ length: 50 }, (_, i) => `m${i}`) }]);
  const sink = acceptAll('dropper');
  sink.behaviour = () => new Promise((resolve) => setTimeout(resolve, 1));
  const pipeline = await run(`
    [in]
    type = "ScriptInput"
    script = "drop"
    [dropper]
    type = "TestOutput"
    id = "dropper"
    message_matcher = "TRUE"
    queue_max_messages = 5
    queue_full_action = "drop_newest"
  `);
  const dropped = pipeline.stats().plugins.dropper!.counters.messages_dropped!;
  assert.equal(sink.written.length + dropped, 50);
  assert.ok(dropped > 0);
  assert.deepEqual(s.acknowledged, [{ stream: 'a', position: 1 }]);
});

test('inject() resolves once the matched outputs acknowledged, and subscribe() sees messages', async () => {
  script('idle', [], true);
  const sink = acceptAll('inj');
  const pipeline = await Pipeline.fromToml(
    `
    [in]
    type = "ScriptInput"
    script = "idle"
    [inj]
    type = "TestOutput"
    id = "inj"
    message_matcher = "Type == 'app'"
  `,
    { plugins, logger: silentLogger },
  );
  const seen: string[] = [];
  const unsubscribe = pipeline.subscribe("Type == 'app'", (m) => seen.push(m.payload));
  await pipeline.start();
  await pipeline.inject([createMessage({ type: 'app', payload: 'hello' }), createMessage({ type: 'other', payload: 'x' })]);
  assert.deepEqual(sink.written, ['hello']);
  assert.deepEqual(seen, ['hello']);
  unsubscribe();
  await pipeline.inject(createMessage({ type: 'app', payload: 'again' }));
  assert.deepEqual(seen, ['hello']);
  assert.equal((await pipeline.stop()).reason, 'stopped');
});

test('stop() drains what is queued before closing outputs', async () => {
  const s = script('drain', [{ position: 1, payloads: Array.from({ length: 30 }, (_, i) => `m${i}`) }], true);
  const sink = acceptAll('drain');
  sink.behaviour = () => new Promise((resolve) => setTimeout(resolve, 1));
  const pipeline = await Pipeline.fromToml(
    `
    [in]
    type = "ScriptInput"
    script = "drain"
    [drain]
    type = "TestOutput"
    id = "drain"
    message_matcher = "TRUE"
  `,
    { plugins, logger: silentLogger },
  );
  await pipeline.start();
  while (sink.written.length === 0) await new Promise((r) => setTimeout(r, 1));
  await pipeline.stop();
  assert.equal(sink.written.length, 30);
  assert.deepEqual(s.acknowledged, [{ stream: 'a', position: 1 }]);
});

test('a dead letter made by the last write of a drain is still written before the pipeline stops', async () => {
  script('late-dlq', [{ position: 1, payloads: ['bad late'] }]);
  const main = rejectBad('slow-main');
  const refuse = main.behaviour;
  main.behaviour = async (batch, attempt) => {
    await new Promise((r) => setTimeout(r, 100));
    return refuse(batch, attempt);
  };
  const dead = acceptAll('late-dead');
  await run(`
    [in]
    type = "ScriptInput"
    script = "late-dlq"
    [main]
    type = "TestOutput"
    id = "slow-main"
    message_matcher = "Type != 'hekate.dead_letter'"
    [dead]
    type = "TestOutput"
    id = "late-dead"
    message_matcher = "Type == 'hekate.dead_letter'"
  `);
  assert.deepEqual(dead.written, ['bad late']);
});

test('an output throwing FatalPluginError stops the pipeline as failed, its batch unacknowledged', async () => {
  const { FatalPluginError } = await import('../../src/errors.js');
  const s = script('fatal', [{ position: 1, payloads: ['m'] }], true);
  const sink = acceptAll('fatal');
  sink.behaviour = () => {
    throw new FatalPluginError('credentials revoked');
  };
  const pipeline = await Pipeline.fromToml(
    `
    [in]
    type = "ScriptInput"
    script = "fatal"
    [out]
    type = "TestOutput"
    id = "fatal"
    message_matcher = "TRUE"
  `,
    { plugins, logger: silentLogger },
  );
  await pipeline.start();
  const exit = await pipeline.done;
  assert.equal(exit.reason, 'failed');
  assert.match(exit.error ?? '', /output "out" failed: credentials revoked/);
  assert.deepEqual(s.acknowledged, []);
  assert.equal(sink.attempts.length, 1, 'no retry after a fatal error');
});

test('a long-running output does not accumulate memory per batch', async () => {
  const { setFlagsFromString } = await import('node:v8');
  const { runInNewContext } = await import('node:vm');
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  script('idle-long', [], true);
  acceptAll('per-batch');
  const pipeline = await Pipeline.fromToml(
    `
    [in]
    type = "ScriptInput"
    script = "idle-long"
    [out]
    type = "TestOutput"
    id = "per-batch"
    message_matcher = "TRUE"
  `,
    { plugins, logger: silentLogger },
  );
  await pipeline.start();
  const sink = sinks.get('per-batch')!;
  const send = async (n: number) => {
    for (let i = 0; i < n; i++) await pipeline.inject(createMessage({ payload: 'x' }));
    sink.written.length = 0;
    sink.attempts.length = 0;
  };
  await send(2_000);
  gc();
  const before = process.memoryUsage().heapUsed;
  await send(50_000);
  gc();
  const grown = process.memoryUsage().heapUsed - before;
  // It grew by ~15 MB when each batch left a pending wake-up promise behind.
  assert.ok(grown < 3_000_000, `heap grew by ${grown} bytes over 50,000 batches`);
  await pipeline.stop();
});
