import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { z } from 'zod';
import { defineOutput, Pipeline, silentLogger, type Message } from '@hekate/core';
import { plugins } from '../src/index.js';
import { tempDir } from './support/util.js';
import { waitFor } from './support/cli.js';

const captured: Message[] = [];
const CaptureOutput = defineOutput({
  type: 'CaptureOutput',
  summary: 'Keeps every message it gets (tests only).',
  options: z.object({}).strict(),
  create: () => ({
    batching: { maxMessages: 500, lingerMs: 0 },
    async write(batch) {
      captured.push(...batch.messages);
    },
  }),
});

const build = (toml: string) => Pipeline.fromToml(toml, { plugins: [...plugins, CaptureOutput], logger: silentLogger });

test('messages carry Type, Logger, Payload and lazily built path and offset fields', async () => {
  const { dir, cleanup } = await tempDir();
  captured.length = 0;
  const file = path.join(dir, 'app.log');
  writeFileSync(file, '{"status":200}\r\n\n{"status":503}\n');
  const pipeline = await build(`
[hekate]
base_dir = ${JSON.stringify(path.join(dir, 'state'))}
[app_logs]
type = "FileInput"
paths = ${JSON.stringify(file)}
[raw]
type = "CaptureOutput"
message_matcher = "Fields[offset] >= 0 && Logger == 'app_logs'"
`);
  await pipeline.start();
  await waitFor(() => captured.length === 2, 10_000, 'two messages');
  await pipeline.stop();
  assert.deepEqual(
    captured.map((m) => [m.type, m.logger, m.payload, m.value('path'), m.value('offset')]),
    [
      ['logfile', 'app_logs', '{"status":200}', file, 0],
      ['logfile', 'app_logs', '{"status":503}', file, 17],
    ],
  );
  const counters = pipeline.stats().plugins.app_logs!.counters;
  assert.equal(counters.files_tracked, 1);
  assert.ok((counters.checkpoints_written ?? 0) >= 1);
  // Stopped cleanly: the journal holds the end of the file.
  const journal = JSON.parse(readFileSync(path.join(dir, 'state', 'input', 'app_logs', 'checkpoints.json'), 'utf8'));
  assert.equal(journal.journal.files[0].offset, statSync(file).size);
  await cleanup();
});

test('a decoder from core applies, and message_type is configurable', async () => {
  const { dir, cleanup } = await tempDir();
  captured.length = 0;
  const logs = path.join(dir, 'logs');
  mkdirSync(logs);
  writeFileSync(path.join(logs, 'a.log'), '{"status":503,"path":"/search"}\n');
  const pipeline = await build(`
[hekate]
base_dir = ${JSON.stringify(path.join(dir, 'state'))}
[in]
type = "FileInput"
paths = [${JSON.stringify(path.join(logs, '*.log'))}]
message_type = "api.request"
decoder = "JsonDecoder"
[errors]
type = "CaptureOutput"
message_matcher = "Fields[status] >= 500"
`);
  await pipeline.start();
  await waitFor(() => captured.length === 1, 10_000, 'the decoded message');
  await pipeline.stop();
  assert.equal(captured[0]!.value('status'), 503);
  assert.equal(captured[0]!.type, 'api.request');
  await cleanup();
});

test('configuration mistakes are refused before anything starts', async () => {
  const input = (body: string) => `[in]\ntype = "FileInput"\n${body}\n[out]\ntype = "NullOutput"\nmessage_matcher = "TRUE"\n`;
  const cases: [string, RegExp][] = [
    ['', /paths or file_match/],
    ['paths = ["/x"]\nfile_match = "x"', /paths or file_match/],
    ['file_match = "a(?=b)\\\\.log"', /not a valid RE2 regex/],
    ['file_match = "(?P<Seq>\\\\d+)"\npriority = ["Index"]', /not a named group/],
    ['paths = ["/x"]\npriority = ["Seq"]', /priority needs file_match/],
    ['paths = ["/x"]\nstart_position = "tail"\ninitial_tail = true', /not both/],
    ['paths = ["/x"]\nmax_lines_bytes = 10', /max_lines_bytes/],
  ];
  for (const [body, message] of cases) await assert.rejects(build(input(body)), message, body);
});
