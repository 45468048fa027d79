// SIGKILL of a real hekate process with use_buffering on: nothing that was acknowledged to the
// input (checkpointed) is lost, because it is durably in the output's disk queue or written. Run
// with every message spooled (spool_after = 0) and with the default, where a FileInput's lines go
// straight to an output that keeps up and the input replays what was not acknowledged.
import assert from 'node:assert/strict';
import { readFile, writeFile, truncate } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { startHekate, tempDir, waitFor, writeConfig } from './support.js';

const LINES = 100_000;

async function outputLines(file) {
  try {
    return (await readFile(file, 'utf8')).split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

/** Cuts a line a killed FileOutput left half-written, as logrotate-style consumers do. */
async function dropTornTail(file) {
  const text = await readFile(file, 'utf8').catch(() => '');
  if (text.length > 0 && !text.endsWith('\n')) await truncate(file, Buffer.byteLength(text.slice(0, text.lastIndexOf('\n') + 1)));
}

for (const spoolAfter of ['0s', '1s']) test(`SIGKILL mid-stream with use_buffering (spool_after = ${spoolAfter}): zero loss after restart`, async () => {
  const dir = await tempDir();
  const input = path.join(dir, 'app.log');
  const output = path.join(dir, 'out.log');
  await writeFile(input, Array.from({ length: LINES }, (_, i) => `line ${String(i).padStart(6, '0')} ${'x'.repeat(60)}`).join('\n') + '\n');
  const config = await writeConfig(
    dir,
    `
[hekate]
base_dir = "${path.join(dir, 'state')}"

[app]
type = "FileInput"
paths = ["${input}"]

[out]
type = "FileOutput"
message_matcher = "TRUE"
path = "${output}"
flush_count = 500
use_buffering = true
[out.buffering]
fsync = "batch"
cursor_update_count = 20
spool_after = "${spoolAfter}"
`,
  );
  const first = startHekate(['run', '-config', config, '-log-level', 'warn']);
  await waitFor(async () => (await outputLines(output)).length > LINES / 5, 60_000);
  first.kill('SIGKILL');
  await first.exited;
  await dropTornTail(output);

  const second = startHekate(['run', '-config', config, '-log-level', 'warn']);
  await waitFor(async () => new Set(await outputLines(output)).size >= LINES, 120_000);
  second.kill('SIGTERM');
  assert.equal((await second.exited).code, 0, second.output.stderr);
  const lines = await outputLines(output);
  const distinct = new Set(lines);
  assert.equal(distinct.size, LINES, 'every line arrived');
  for (const line of distinct) assert.match(line, /^line \d{6} x{60}$/, 'no corrupt line');
});
