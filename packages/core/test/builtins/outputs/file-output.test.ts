import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, renameSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { FileOutput } from '../../../src/builtins/outputs/file-output.js';
import { hasCode } from '../../../src/errors.js';
import { createMessage } from '../../../src/message/message.js';
import type { Output, OutputBatch, SplitRecord } from '../../../src/plugins/types.js';
import { fakeOutputRunner, make, testContext } from '../test-context.js';

function batch(...records: SplitRecord[]): OutputBatch {
  return { messages: records.map(() => createMessage()), records };
}

function fileOutput(options: Record<string, unknown>) {
  const ctx = testContext({ name: 'file' });
  return { output: make(FileOutput, options, ctx), dir: ctx.configDir };
}

/** Counts FileHandle#datasync calls, or makes FileHandle#write fail after half a buffer. */
async function patchFileHandle<K extends 'datasync' | 'write'>(
  method: K,
  replacement: (original: Function) => Function,
) {
  const probe = await open(process.execPath, 'r');
  const proto = Object.getPrototypeOf(probe) as Record<K, Function>;
  await probe.close();
  const original = proto[method];
  proto[method] = replacement(original);
  return () => {
    proto[method] = original;
  };
}

test('FileOutput writes batches, creating directories with folder_perm and the file with perm', async () => {
  const { output, dir } = fileOutput({ path: 'logs/app/out.log', perm: '640', folder_perm: '750' });
  const runner = fakeOutputRunner();
  await output.open!(runner);
  await output.write(batch('a\n', 'b\n'), runner);
  await output.write(batch(Buffer.from('c\n'), 'd\n'), runner);
  await output.close!(runner);
  const file = join(dir, 'logs/app/out.log');
  assert.equal(readFileSync(file, 'utf8'), 'a\nb\nc\nd\n');
  const umask = process.umask();
  assert.equal(statSync(file).mode & 0o777, 0o640 & ~umask);
  assert.equal(statSync(join(dir, 'logs/app')).mode & 0o777, 0o750 & ~umask);
  assert.equal(statSync(join(dir, 'logs')).mode & 0o777, 0o750 & ~umask);
});

test('FileOutput appends to an existing file, or truncates it once with append = false', async () => {
  const runner = fakeOutputRunner();
  const appending = fileOutput({ path: 'out.log' });
  writeFileSync(join(appending.dir, 'out.log'), 'old\n');
  await appending.output.open!(runner);
  await appending.output.write(batch('new\n'), runner);
  await appending.output.close!(runner);
  assert.equal(readFileSync(join(appending.dir, 'out.log'), 'utf8'), 'old\nnew\n');

  const truncating = fileOutput({ path: 'out.log', append: false });
  writeFileSync(join(truncating.dir, 'out.log'), 'old\n');
  await truncating.output.open!(runner);
  await truncating.output.write(batch('one\n'), runner);
  await truncating.output.reopen!(runner);
  await truncating.output.write(batch('two\n'), runner);
  await truncating.output.close!(runner);
  assert.equal(readFileSync(join(truncating.dir, 'out.log'), 'utf8'), 'one\ntwo\n', 'a reopen does not truncate');
});

test('FileOutput reopens the path after logrotate renamed the file', async () => {
  const { output, dir } = fileOutput({ path: 'app.log' });
  const runner = fakeOutputRunner();
  await output.open!(runner);
  await output.write(batch('before\n'), runner);
  renameSync(join(dir, 'app.log'), join(dir, 'app.log.1'));
  await output.write(batch('still old file\n'), runner);
  await Promise.all([output.reopen!(runner), output.write(batch('after\n'), runner)]);
  await output.close!(runner);
  assert.equal(readFileSync(join(dir, 'app.log.1'), 'utf8'), 'before\nstill old file\n');
  assert.equal(readFileSync(join(dir, 'app.log'), 'utf8'), 'after\n');
});

test('FileOutput fsyncs every batch before acknowledging it, unless fsync = false', async () => {
  let syncs = 0;
  const restore = await patchFileHandle('datasync', (original) => function (this: unknown) {
    syncs++;
    return original.call(this);
  });
  try {
    const runner = fakeOutputRunner();
    const synced = fileOutput({ path: 'a.log' }).output;
    await synced.open!(runner);
    await synced.write(batch('1\n'), runner);
    await synced.write(batch('2\n'), runner);
    assert.equal(syncs, 2);
    await synced.close!(runner);
    assert.equal(syncs, 2, 'nothing left to sync at close');

    syncs = 0;
    const unsynced = fileOutput({ path: 'b.log', fsync: false }).output;
    await unsynced.open!(runner);
    await unsynced.write(batch('1\n'), runner);
    assert.equal(syncs, 0);
    await unsynced.close!(runner);
    assert.equal(syncs, 1, 'close flushes');
  } finally {
    restore();
  }
});

test('FileOutput takes back a partly written batch and asks for a retry', async () => {
  const { output, dir } = fileOutput({ path: 'torn.log' });
  const runner = fakeOutputRunner();
  await output.open!(runner);
  await output.write(batch('whole\n'), runner);
  const restore = await patchFileHandle('write', (original) => async function (this: unknown, buf: Buffer) {
    await original.call(this, buf, 0, Math.floor(buf.length / 2));
    throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
  });
  try {
    const failed = output.write(batch('a long record\n'), runner);
    await assert.rejects(failed, (e: unknown) => hasCode(e, 'HEKATE_ERR_RETRYABLE'));
  } finally {
    restore();
  }
  await output.write(batch('retried\n'), runner);
  await output.close!(runner);
  assert.equal(readFileSync(join(dir, 'torn.log'), 'utf8'), 'whole\nretried\n');
});

test('FileOutput refuses to write through a symlink at its path', async () => {
  const { output, dir } = fileOutput({ path: 'link.log' });
  mkdirSync(join(dir, 'elsewhere'));
  symlinkSync(join(dir, 'elsewhere', 'target.log'), join(dir, 'link.log'));
  await assert.rejects(output.open!(fakeOutputRunner()), /ELOOP|symbolic link/);
});

test('FileOutput needs an encoder', async () => {
  const { output } = fileOutput({ path: 'x.log' });
  const runner = fakeOutputRunner();
  await output.open!(runner);
  await assert.rejects(output.write({ messages: [createMessage()], records: undefined }, runner), (e: unknown) =>
    hasCode(e, 'HEKATE_ERR_PERMANENT'),
  );
  await output.close!(runner);
});

test('FileOutput options map to its batching policy', () => {
  const output: Output = fileOutput({ path: 'x.log', flush_count: 50, flush_interval: '5s' }).output;
  assert.deepEqual(output.batching, { maxMessages: 50, maxBytes: 8 * 1024 * 1024, lingerMs: 5000 });
  const defaults = FileOutput.options.parse({ path: 'x' });
  assert.deepEqual(defaults, {
    path: 'x',
    perm: 0o644,
    folder_perm: 0o700,
    flush_interval: 1000,
    flush_count: 1000,
    flush_operator: 'OR',
    append: true,
    fsync: true,
  });
  assert.equal(FileOutput.options.safeParse({ path: 'x', perm: '999' }).success, false);
  assert.equal(FileOutput.options.safeParse({ path: 'x', flush_operator: 'XOR' }).success, false);
  assert.equal(FileOutput.options.safeParse({}).success, false);
  assert.deepEqual(FileOutput.commonDefaults, { encoder: 'PayloadEncoder' });
});
