import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FieldSource } from '../../src/message/field-source.js';
import { Delivery } from '../../src/delivery/delivery.js';
import { createMessage } from '../../src/message/message.js';
import { DELIVERY } from '../../src/message/slots.js';
import { MemoryBudget } from '../../src/queue/memory-budget.js';
import { MessageQueue } from '../../src/queue/message-queue.js';

/** A queue of at most `maxMessages`, with no byte or memory limit. */
function queueOf(maxMessages: number, fullAction: 'block' | 'drop_oldest'): MessageQueue {
  return new MessageQueue({ maxMessages, maxBytes: Infinity, fullAction, budget: new MemoryBudget(Infinity), onDrop: () => {} });
}

test('a queued message owns its payload, and keeps its parsed fields only near the head', () => {
  const queue = queueOf(10_000, 'block');
  const kept: boolean[] = [];
  const source: FieldSource = {
    lookup: () => undefined,
    materialize: () => [],
    shrink: (_payload, keepParsed) => void kept.push(keepParsed),
  };
  const chunk = 'x'.repeat(100_000);
  for (let i = 0; i < 300; i++) {
    const message = createMessage({ payload: chunk.slice(i, i + 100) });
    message.setFieldSource(source);
    queue.push(message);
  }
  assert.deepEqual(kept.slice(0, 256), Array(256).fill(true), 'taken soon: nothing to parse again');
  assert.deepEqual(kept.slice(256), Array(44).fill(false), 'behind a backlog: let go');
  assert.equal(queue.take(1, Infinity)[0]!.payload, 'x'.repeat(100));
});

test('a queue counts the messages whose delivery nobody tracks, until they are taken or dropped', () => {
  const queue = queueOf(4, 'drop_oldest');
  const tracked = new Delivery(() => {});
  const untracked = new Delivery();
  const message = (delivery: Delivery | undefined) => {
    const m = createMessage({ payload: 'x' });
    m[DELIVERY] = delivery;
    return m;
  };
  queue.push(message(untracked));
  queue.push(message(tracked));
  queue.push(message(undefined));
  queue.push(message(tracked));
  assert.equal(queue.untracked, 2, 'no delivery at all counts as untracked');
  queue.push(message(tracked)); // full: drops the oldest, an untracked one
  assert.equal(queue.untracked, 1);
  queue.take(2, Infinity);
  assert.equal(queue.untracked, 0);
  assert.equal(queue.length, 2);
});
