import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { readStream, StdinInput } from '../../../src/builtins/inputs/stdin-input.js';
import { TokenSplitter } from '../../../src/builtins/splitters/token-splitter.js';
import { Message } from '../../../src/message/message.js';
import type { InputRunner, SplitRecord, Splitter } from '../../../src/plugins/types.js';
import { BufferedSplitterStream } from '../../../src/runners/splitter-stream.js';
import { Counters } from '../../../src/runners/counters.js';
import { collectingLogger, make } from '../test-context.js';

interface FakeInputRunner extends InputRunner {
  readonly batches: Message[][];
  readonly controller: AbortController;
  /** When set, deliver waits for it. */
  gate: Promise<void> | undefined;
}

function fakeInputRunner(deliverIncompleteFinal = true): FakeInputRunner {
  const counters = new Counters();
  const controller = new AbortController();
  const token = make(TokenSplitter);
  const splitter: Splitter = token;
  const runner: FakeInputRunner = {
    name: 'stdin',
    logger: collectingLogger(),
    signal: controller.signal,
    counters,
    batches: [],
    controller,
    gate: undefined,
    createMessage(record: SplitRecord) {
      const m = new Message();
      m.logger = 'stdin';
      if (typeof record === 'string') m.payload = record;
      else m.raw = record;
      return m;
    },
    splitter: () => {
      const limits = { maxRecordSize: 1024, keepTruncated: false, useMessageBytes: false, deliverIncompleteFinal };
      return new BufferedSplitterStream(splitter, limits, counters);
    },
    async deliver(messages) {
      runner.batches.push([...messages]);
      await runner.gate;
    },
  };
  return runner;
}

const payloads = (runner: FakeInputRunner) => runner.batches.flat().map((m) => m.payload);
const tick = () => new Promise((resolve) => setImmediate(resolve));

test('StdinInput reads records chunk by chunk and the final record at end of stream', async () => {
  const stream = new PassThrough();
  const runner = fakeInputRunner();
  const done = readStream(stream, runner, 'stdin');
  stream.write('one\ntw');
  stream.write('o\nthr');
  stream.end('ee');
  await done;
  assert.deepEqual(payloads(runner), ['one', 'two', 'three']);
  assert.ok(runner.batches.flat().every((m) => m.type === 'stdin' && m.logger === 'stdin'));
  assert.equal(stream.listenerCount('data'), 0);
});

test('StdinInput drops an incomplete final record when the splitter does not deliver it', async () => {
  const stream = new PassThrough();
  const runner = fakeInputRunner(false);
  const done = readStream(stream, runner, 'custom');
  stream.end('a\nb');
  await done;
  assert.deepEqual(payloads(runner), ['a']);
  assert.equal(runner.batches[0]![0]!.type, 'custom');
});

test('StdinInput pauses the stream while a batch is delivered', async () => {
  const stream = new PassThrough();
  const runner = fakeInputRunner();
  let open!: () => void;
  runner.gate = new Promise((resolve) => (open = resolve));
  const done = readStream(stream, runner, 'stdin');
  stream.write('a\n');
  await tick();
  assert.equal(runner.batches.length, 1);
  stream.write('b\n');
  stream.write('c\n');
  await tick();
  assert.equal(runner.batches.length, 1, 'no delivery while the previous one is pending');
  assert.equal(stream.isPaused(), true);
  runner.gate = undefined;
  open();
  stream.end();
  await done;
  assert.deepEqual(payloads(runner), ['a', 'b', 'c']);
});

test('StdinInput stops promptly when the runner stops, leaving the stream paused and unlistened', async () => {
  const stream = new PassThrough();
  const runner = fakeInputRunner();
  const done = readStream(stream, runner, 'stdin');
  stream.write('a\n');
  await tick();
  runner.controller.abort();
  await done;
  assert.deepEqual(payloads(runner), ['a']);
  assert.equal(stream.listenerCount('data'), 0);
  assert.equal(stream.listenerCount('end'), 0);
  assert.equal(stream.isPaused(), true);
  stream.emit('error', new Error('EIO after the terminal closed'));
  await readStream(stream, runner, 'stdin');
});

test('StdinInput reports a stream error', async () => {
  const stream = new PassThrough();
  const done = readStream(stream, fakeInputRunner(), 'stdin');
  stream.destroy(new Error('boom'));
  await assert.rejects(done, /boom/);
});

test('StdinInput accepts text chunks and declares its defaults', async () => {
  const stream = new PassThrough();
  stream.setEncoding('utf8');
  const runner = fakeInputRunner();
  const done = readStream(stream, runner, 'stdin');
  stream.end(Buffer.from('é\n'));
  await done;
  assert.deepEqual(payloads(runner), ['é']);
  assert.deepEqual(StdinInput.commonDefaults, { splitter: 'TokenSplitter' });
  assert.deepEqual(StdinInput.options.parse({}), { message_type: 'stdin' });
});

test('StdinInput does not hold the process open once stopped, even with stdin still open', async () => {
  const module = new URL('../../../src/builtins/inputs/stdin-input.js', import.meta.url).href;
  const script = `
    import { readStream } from ${JSON.stringify(module)};
    const controller = new AbortController();
    const runner = {
      signal: controller.signal,
      splitter: () => ({ push: (c) => [c.toString()], end: () => [], pending: 0 }),
      createMessage: (r) => ({ payload: r, type: '' }),
      deliver: async (ms) => { process.stdout.write(ms[0].payload); controller.abort(); },
    };
    await readStream(process.stdin, runner, 'stdin');
  `;
  const { spawn } = await import('node:child_process');
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['pipe', 'pipe', 'inherit'] });
  child.stdin.write('hello');
  const output: Buffer[] = [];
  child.stdout.on('data', (c: Buffer) => output.push(c));
  const code = await new Promise<number | null>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error('the child process was held open'));
    }, 5000);
    child.on('exit', (c) => {
      clearTimeout(timer);
      resolve(c);
    });
  });
  child.stdin.destroy();
  assert.equal(code, 0);
  assert.equal(Buffer.concat(output).toString(), 'hello');
});
