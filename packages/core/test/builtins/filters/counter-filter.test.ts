import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CounterFilter, createCounterFilter } from '../../../src/builtins/filters/counter-filter.js';
import { createMessage } from '../../../src/message/message.js';
import { fakeFilterRunner } from '../test-context.js';

test('CounterFilter reports the count and rate every tick in which messages arrived', async () => {
  let now = 1_000_000;
  const filter = createCounterFilter('counter', 'h1', () => now);
  const runner = fakeFilterRunner();
  for (let i = 0; i < 10; i++) await filter.process(createMessage(), runner);
  now += 2000;
  await filter.onTick!(runner);
  assert.equal(runner.injected.length, 1);
  const report = runner.injected[0]!;
  assert.equal(report.type, 'heka.counter-output');
  assert.equal(report.logger, 'counter');
  assert.equal(report.hostname, 'h1');
  assert.equal(report.payload, 'Got 10 messages. 5.00 msg/sec');
  assert.deepEqual(
    report.fields.map((f) => [f.name, f.type, f.values[0]]),
    [['count', 'integer', 10], ['rate', 'double', 5], ['interval', 'double', 2]],
  );
  now += 5000;
  await filter.onTick!(runner);
  assert.equal(runner.injected.length, 1, 'no report without new messages');
  await filter.process(createMessage(), runner);
  now += 1000;
  await filter.onTick!(runner);
  // The rate covers the time since the last report.
  assert.equal(runner.injected[1]!.payload, 'Got 11 messages. 0.17 msg/sec');
});

test('CounterFilter adds a summary every ten reports', async () => {
  let now = 0;
  const filter = createCounterFilter('counter', 'h1', () => now);
  const runner = fakeFilterRunner();
  for (let tick = 1; tick <= 10; tick++) {
    for (let i = 0; i < tick; i++) await filter.process(createMessage(), runner);
    now += 1000;
    await filter.onTick!(runner);
  }
  assert.equal(runner.injected.length, 11);
  const summary = runner.injected[10]!;
  assert.equal(summary.payload, 'AGG Sum. Min: 1.00    Max: 10.00    Mean: 5.50');
  assert.deepEqual(summary.fields.map((f) => f.name), ['min', 'max', 'mean']);
});

test("CounterFilter's defaults keep its reports out of its own count", () => {
  assert.deepEqual(CounterFilter.commonDefaults, {
    ticker_interval: 5,
    message_matcher: "Type != 'heka.counter-output'",
  });
  assert.equal(CounterFilter.options.safeParse({ ticker: 1 }).success, false);
});
