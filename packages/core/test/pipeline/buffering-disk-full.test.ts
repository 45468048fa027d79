/**
 * Reliability plan F3 (b), at pipeline scale: an output's disk queue runs out of space while the
 * output is down. The input must be held back (not acknowledged past what is durably queued),
 * nothing acknowledged may be lost, and everything must arrive once space returns and the output
 * is back. Runs on a real tmpfs, so it needs root.
 */
import assert from 'node:assert/strict';
import { statSync, truncateSync } from 'node:fs';
import { unlink } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { RetryableError } from '../../src/errors.js';
import { silentLogger } from '../../src/logger.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { fill, mountTmpfs, unmountTmpfs } from '../queue/queue-test-kit.js';
import { ScriptInput, TestOutput, acceptAll, scripts } from '../support/test-plugins.js';
import { until } from '../support/until.js';

test('a full disk holds the input back without losing anything, and the pipeline recovers', { timeout: 120_000 }, async (t) => {
  const mnt = await mountTmpfs('8m');
  if (typeof mnt !== 'string') {
    t.skip(mnt.skip);
    return;
  }
  let pipeline: Pipeline | undefined;
  try {
    // 400 batches of 10 messages of ~1 kB: 4 MB, more than the 1 MiB left beside the filler.
    const payload = (i: number) => `m${String(i).padStart(6, '0')}-${'x'.repeat(1000)}`;
    const batches = Array.from({ length: 400 }, (_, b) => ({
      stream: 'a',
      position: b + 1,
      payloads: Array.from({ length: 10 }, (_, j) => payload(b * 10 + j)),
    }));
    const script = { batches, acknowledged: [] as { stream: string; position: number }[], linger: true };
    scripts.set('disk-full', script);
    const sink = acceptAll('down-then-up');
    let up = false;
    sink.behaviour = () => {
      if (!up) throw new RetryableError('connection refused');
    };
    const filler = path.join(mnt, 'filler');
    fill(filler);
    truncateSync(filler, statSync(filler).size - 1024 * 1024); // leave 1 MiB
    pipeline = await Pipeline.fromToml(
      `
      [in]
      type = "ScriptInput"
      script = "disk-full"
      [out]
      type = "TestOutput"
      id = "down-then-up"
      batch = 100
      message_matcher = "TRUE"
      queue_max_messages = 20
      use_buffering = true
      [out.buffering]
      dir = "${path.join(mnt, 'queue')}"
      max_file_size = "256KiB"
      [out.retries]
      delay = "20ms"
      max_delay = "100ms"
      max_jitter = "0ms"
    `,
      { plugins: [ScriptInput, TestOutput], logger: silentLogger },
    );
    await pipeline.start();
    const counters = () => pipeline!.stats().plugins;
    await until('the disk queue fails to append', () => (counters().out!.counters.queue_write_failures ?? 0) > 0, 20_000);
    const held = script.acknowledged.at(-1)?.position ?? 0;
    assert.ok(held < 400, 'the input was acknowledged past what fits on the disk');
    // Held back: the input waits for room and its acknowledgements stop.
    await new Promise((r) => setTimeout(r, 500));
    assert.ok((counters().in!.counters.backpressure_waits ?? 0) > 0);
    assert.ok((script.acknowledged.at(-1)?.position ?? 0) <= held + 3, 'acknowledged while nothing could be queued');
    assert.equal(sink.written.length, 0);

    await unlink(filler);
    await until('every batch is acknowledged to the input', () => script.acknowledged.at(-1)?.position === 400, 20_000);
    up = true;
    await until('every message is written', () => sink.written.length >= 4000, 20_000);
    assert.deepEqual(sink.written, Array.from({ length: 4000 }, (_, i) => payload(i)));
    const positions = script.acknowledged.map((a) => a.position);
    assert.deepEqual(positions, [...positions].sort((a, b) => a - b), 'acknowledged in order');
  } finally {
    await pipeline?.stop();
    await unmountTmpfs(mnt);
  }
});
