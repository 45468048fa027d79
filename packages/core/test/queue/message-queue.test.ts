import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FieldSource } from '../../src/message/field-source.js';
import { createMessage } from '../../src/message/message.js';
import { MemoryBudget } from '../../src/queue/memory-budget.js';
import { MessageQueue } from '../../src/queue/message-queue.js';

test('a queued message owns its payload, and keeps its parsed fields only near the head', () => {
  const queue = new MessageQueue({
    maxMessages: 10_000,
    maxBytes: Infinity,
    fullAction: 'block',
    budget: new MemoryBudget(Infinity),
    onDrop: () => {},
  });
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
