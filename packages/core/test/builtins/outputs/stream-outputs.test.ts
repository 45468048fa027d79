import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { LogOutput } from '../../../src/builtins/outputs/log-output.js';
import { NullOutput } from '../../../src/builtins/outputs/null-output.js';
import { createStreamOutput } from '../../../src/builtins/outputs/stream-output.js';
import { hasCode } from '../../../src/errors.js';
import { createMessage } from '../../../src/message/message.js';
import { fakeOutputRunner, make } from '../test-context.js';

function sink(fail = false) {
  const chunks: string[] = [];
  let release: (() => void) | undefined;
  const stream = new Writable({
    highWaterMark: 4,
    write(chunk: Buffer, _enc, callback) {
      chunks.push(chunk.toString());
      if (fail) callback(new Error('EPIPE: broken pipe'));
      else release = () => callback();
    },
  });
  return { stream, chunks, flush: () => release?.() };
}

test('LogOutput writes a batch with one write and acknowledges it once the stream took it', async () => {
  const { stream, chunks, flush } = sink();
  const output = createStreamOutput('LogOutput', () => stream);
  const runner = fakeOutputRunner();
  await output.open!(runner);
  let done = false;
  const batch = { messages: [createMessage(), createMessage()], records: ['a\n', 'b\n'] };
  const write = output.write(batch, runner).then(() => {
    done = true;
  });
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(done, false, 'not acknowledged before the stream took the data');
  flush();
  await write;
  assert.deepEqual(chunks, ['a\nb\n']);
  await output.close!(runner);
  assert.equal(stream.listenerCount('error'), 0);
});

test('LogOutput sends a batch the stream refused to the dead-letter route', async () => {
  const { stream } = sink(true);
  const output = createStreamOutput('LogOutput', () => stream);
  const runner = fakeOutputRunner();
  await output.open!(runner);
  await assert.rejects(output.write({ messages: [createMessage()], records: ['a\n'] }, runner), (e: unknown) =>
    hasCode(e, 'HEKATE_ERR_PERMANENT'),
  );
  assert.equal(runner.logs[0]?.message, 'Output stream failed.');
  assert.deepEqual(LogOutput.commonDefaults, { encoder: 'PayloadEncoder' });
});

test('NullOutput discards and counts', async () => {
  const output = make(NullOutput);
  const runner = fakeOutputRunner();
  await output.write({ messages: [createMessage(), createMessage()], records: undefined }, runner);
  assert.equal(runner.counters.get('messages_discarded'), 2);
});
