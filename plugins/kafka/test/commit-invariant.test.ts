import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import fc from 'fast-check';
import { KafkaInput, KafkaInputPlugin } from '../src/kafka-input.js';
import { FakeClients } from './support/fake-kafka.js';
import { FakeInputRunner, testContext } from './support/fake-runner.js';

const PARTITIONS = [0, 1, 2];

type Op =
  | { kind: 'fetch'; partition: number; count: number }
  | { kind: 'ack'; pick: number }
  | { kind: 'rebalance'; partitions: number[]; newMember: boolean }
  | { kind: 'tick' };

const opArbitrary: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('fetch' as const),
      partition: fc.constantFrom(...PARTITIONS),
      count: fc.integer({ min: 1, max: 4 }),
    }),
  },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('ack' as const), pick: fc.nat() }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('rebalance' as const),
      partitions: fc.subarray(PARTITIONS),
      newMember: fc.boolean(),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('tick' as const) }) },
);

/** Lets the 0 ms commit timer fire and the commit settle. */
const tick = async () => {
  await sleep(1);
  await sleep(0);
};

const runs = Number(process.env['HEKATE_FC_RUNS'] ?? 150);

const property =
  'commits never pass the lowest unacknowledged offset, never name an unowned partition, ' +
  'and catch up once all is acknowledged';

test(property, async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(opArbitrary, { maxLength: 60 }), async (ops) => {
      const clients = new FakeClients();
      const options = KafkaInput.options.parse({ addrs: ['127.0.0.1:9092'], topic: 't', commit_interval: 0, drain_timeout: 100 });
      const input = new KafkaInputPlugin(options, testContext('kafka_in', 'KafkaInput'), clients);
      const runner = new FakeInputRunner();
      const running = runner.run(input);
      await tick();
      const consumer = clients.consumers[0]!;
      const acked = new Map<number, Set<bigint>>(PARTITIONS.map((p) => [p, new Set()]));
      consumer.onCommit = (offsets) => {
        for (const o of offsets) {
          assert.ok(consumer.assignment.some((a) => a.partition === o.partition), `commit for unowned partition ${o.partition}`);
          const upTo = BigInt(o.offset);
          for (let x = 0n; x < upTo; x++) {
            assert.ok(acked.get(o.partition)!.has(x), `commit ${o.partition}@${upTo} passes unacknowledged ${x}`);
          }
          assert.ok(upTo >= (consumer.groupOffsets.get(`t/${o.partition}`) ?? 0n), 'commit goes backwards');
        }
      };
      const ack = (index: number) => {
        for (const m of runner.deliveries[index]!.messages) {
          acked.get(m.value('Partition') as number)!.add(BigInt(m.value('Offset') as number));
        }
        runner.ack(index);
      };
      let member = 1;
      consumer.join('m1', PARTITIONS.map((partition) => ({ topic: 't', partition })));
      for (const op of ops) {
        if (op.kind === 'fetch') {
          if (consumer.canFetch('t', op.partition)) await consumer.fetch('t', op.partition, op.count);
        } else if (op.kind === 'ack') {
          const pending = runner.pending;
          if (pending.length > 0) ack(pending[op.pick % pending.length]!);
        } else if (op.kind === 'rebalance') {
          if (op.newMember) member++;
          consumer.join(`m${member}`, op.partitions.map((partition) => ({ topic: 't', partition })));
        } else {
          await tick();
        }
      }
      for (const i of runner.pending) ack(i);
      await tick();
      await tick();
      for (const { partition } of consumer.assignment) {
        const key = `t/${partition}`;
        const committed = consumer.groupOffsets.get(key) ?? 0n;
        assert.equal(committed, consumer.positions.get(key), `partition ${partition} committed up to what was read`);
      }
      runner.stop();
      await running;
    }),
    { numRuns: runs },
  );
});
