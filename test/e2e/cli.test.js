// The `hekate` command line, end to end: exit codes, error messages, and a whole pipeline run.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { hekate, startHekate, tempDir, waitFor, writeConfig } from './support.js';

const LINES = [
  { type: 'click', status: 503, url: '/api/v2/clickout?o=1' },
  { type: 'visit', status: 200, url: '/en/flights' },
  { type: 'click', status: 200, url: '/api/v2/clickout?o=2' },
  { type: 'search', status: 500, url: '/api/v2/search' },
].map((r) => JSON.stringify(r));

function pipeline(dir, extra = '') {
  return `
[hekate]
base_dir = "state"

[stdin]
type = "StdinInput"
splitter = "TokenSplitter"
decoder = "RequestDecoder"

[RequestDecoder]
type = "JsonDecoder"
Type = "type"

[click_errors]
type = "FileOutput"
message_matcher = "Type == 'click' && Fields[status] >= 500"
path = "${path.join(dir, 'click-errors.log')}"
${extra}`;
}

test('run: reads stdin, routes by matcher, writes the file, exits 0 when the input ends', async () => {
  const dir = await tempDir();
  const config = await writeConfig(dir, pipeline(dir));
  const result = await hekate(['run', '-config', config, '-log-level', 'warn'], { stdin: LINES.join('\n') + '\n' });
  assert.equal(result.code, 0, result.stderr);
  assert.equal(await readFile(path.join(dir, 'click-errors.log'), 'utf8'), LINES[0] + '\n');
});

test("Heka's flag spelling works: hekate -config=<file> runs the pipeline", async () => {
  const dir = await tempDir();
  const config = await writeConfig(dir, pipeline(dir));
  const result = await hekate([`-config=${config}`, '-log-level=warn'], { stdin: LINES.join('\n') });
  assert.equal(result.code, 0, result.stderr);
  assert.equal(await readFile(path.join(dir, 'click-errors.log'), 'utf8'), LINES[0] + '\n');
});

test('SIGTERM stops a running pipeline gracefully: queued messages are written, exit 0', async () => {
  const dir = await tempDir();
  const config = await writeConfig(dir, pipeline(dir, 'flush_interval = "10s"\nflush_count = 100000'));
  const child = startHekate(['run', '-config', config, '-log-level', 'info']);
  child.stdin.write(LINES.join('\n') + '\n');
  await waitFor(() => child.output.stderr.includes('Pipeline started'));
  await new Promise((r) => setTimeout(r, 200));
  child.kill('SIGTERM');
  const { code } = await child.exited;
  assert.equal(code, 0, child.output.stderr);
  assert.equal(await readFile(path.join(dir, 'click-errors.log'), 'utf8'), LINES[0] + '\n');
});

test('run stays up while every plugin idles without a handle, until SIGTERM: exit 0', async () => {
  const dir = await tempDir();
  const plugin = path.join(path.dirname(new URL(import.meta.url).pathname), 'fixtures/idle-input.js');
  const config = await writeConfig(
    dir,
    `
[hekate]
plugins = ["${plugin}"]

[idle]
type = "IdleInput"

[out]
type = "NullOutput"
message_matcher = "TRUE"
`,
  );
  const child = startHekate(['run', '-config', config, '-log-level', 'info']);
  await waitFor(() => child.output.stderr.includes('Pipeline started'));
  // Without something holding the event loop, node would exit here with 13 (unsettled await).
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(child.exitCode, null, child.output.stderr);
  child.kill('SIGTERM');
  const { code } = await child.exited;
  assert.equal(code, 0, child.output.stderr);
});

test('validate: a good config prints OK and starts nothing', async () => {
  const dir = await tempDir();
  const config = await writeConfig(dir, pipeline(dir));
  const result = await hekate(['validate', '-config', config]);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /OK \(1 input, 1 decoder, 1 output, 1 splitter\)|OK \(/);
  assert.equal(existsSync(path.join(dir, 'click-errors.log')), false);
});

test('malformed TOML: exit 78 with file, line, column and an excerpt', async () => {
  const dir = await tempDir();
  const config = await writeConfig(dir, '[stdin]\ntype = "StdinInput"\nsplitter = \n');
  const result = await hekate(['validate', '-config', config]);
  assert.equal(result.code, 78);
  assert.match(result.stderr, new RegExp(`${config.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:3:12: invalid TOML`));
  assert.match(result.stderr, /3:\s+splitter =/);
});

test('unknown key, unknown type, missing decoder, bad matcher: all named, exit 78, no output file created', async () => {
  const dir = await tempDir();
  const config = await writeConfig(
    dir,
    `
[stdin]
type = "StdinInput"
decoder = "NoSuchDecoder"

[click_errors]
type = "FileOutput"
message_matcher = "Type == 'click' && Fields[status] >= "
path = "${path.join(dir, 'click-errors.log')}"
flush_intervall = "1s"

[tail]
type = "LogstreamerInput"
`,
  );
  const result = await hekate(['run', '-config', config]);
  assert.equal(result.code, 78);
  const err = result.stderr;
  assert.match(err, /4 problems/);
  assert.match(err, /\[click_errors\] flush_intervall: unknown option "flush_intervall"; did you mean "flush_interval"\?/);
  assert.match(err, /\[tail\] type: unknown plugin type "LogstreamerInput"; Heka's LogstreamerInput is FileInput in Hekate/);
  assert.match(err, /\[stdin\] decoder: decoder "NoSuchDecoder" is not a section/);
  assert.match(err, /:8 \[click_errors\] message_matcher: invalid message_matcher/);
  assert.match(err, /\^/, 'the matcher error shows a caret line');
  assert.equal(existsSync(path.join(dir, 'click-errors.log')), false);
  assert.equal(existsSync(path.join(dir, 'state')), false);
});

test('plugins: lists built-in and first-party types with summaries', async () => {
  const result = await hekate(['plugins']);
  assert.equal(result.code, 0, result.stderr);
  for (const type of ['StdinInput', 'JsonDecoder', 'FileOutput', 'FileInput', 'KafkaInput', 'KafkaOutput', 'BqOutput']) {
    assert.match(result.stdout, new RegExp(`\\b${type}\\b`), type);
  }
});

test('graph: shows who feeds whom, as text and as Graphviz', async () => {
  const dir = await tempDir();
  const config = await writeConfig(dir, pipeline(dir));
  const text = await hekate(['graph', '-config', config]);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /stdin \(StdinInput\) → splitter TokenSplitter → decoder RequestDecoder → router/);
  assert.match(text.stdout, /router → \[Type == 'click' && Fields\[status\] >= 500\] → click_errors \(FileOutput\)/);
  const dot = await hekate(['graph', '-config', config, '-format', 'dot']);
  assert.match(dot.stdout, /digraph hekate/);
});

test('usage errors exit 64; an unknown command is named', async () => {
  assert.equal((await hekate(['frobnicate'])).code, 64);
  assert.equal((await hekate(['validate'])).code, 64);
  assert.equal((await hekate(['run', '-nope'])).code, 64);
});

test('the quick start runs and prints its summary', async () => {
  const out = await tempDir();
  const { spawnSync } = await import('node:child_process');
  const { ROOT } = await import('./support.js');
  const run = spawnSync(process.execPath, [path.join(ROOT, 'examples/quickstart/run.js')], {
    env: { ...process.env, QUICKSTART_OUT: out, QUICKSTART_STATE: path.join(out, 'state') },
    encoding: 'utf8',
  });
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /Hekate read 1000 API requests/);
  assert.match(run.stdout, /12 {2}failed click-outs/);
});

test('the embedding example runs', async () => {
  const { spawnSync } = await import('node:child_process');
  const { ROOT } = await import('./support.js');
  const run = spawnSync(process.execPath, [path.join(ROOT, 'examples/embedding/embed.js')], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /errors\.log: 503 \/book/);
  assert.match(run.stdout, /slow: \[ '\/book' \]/);
  assert.match(run.stdout, /404s seen by the subscription: \[ '\/missing' \]/);
});

test('cat reads a Heka-framed protobuf file written by FileOutput; queue inspect reads a disk queue', async () => {
  const dir = await tempDir();
  const framed = path.join(dir, 'messages.hpb');
  const config = await writeConfig(
    dir,
    `
[hekate]
base_dir = "${path.join(dir, 'state')}"

[stdin]
type = "StdinInput"
splitter = "TokenSplitter"
decoder = "RequestDecoder"

[RequestDecoder]
type = "JsonDecoder"
Type = "type"

[framed]
type = "FileOutput"
message_matcher = "TRUE"
path = "${framed}"
encoder = "ProtobufEncoder"
use_framing = true

[buffered]
type = "NullOutput"
message_matcher = "Type == 'click'"
use_buffering = true
`,
  );
  const run = await hekate(['run', '-config', config, '-log-level', 'warn'], { stdin: LINES.join('\n') + '\n' });
  assert.equal(run.code, 0, run.stderr);
  const count = await hekate(['cat', framed, '-format', 'count', '-match', "Type == 'click'"]);
  assert.equal(count.code, 0, count.stderr);
  assert.match(count.stdout, /^2\b/m);
  const json = await hekate(['cat', framed, '-format', 'json', '-match', 'Fields[status] >= 500']);
  const lines = json.stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(lines.map((m) => m.Type), ['click', 'search']);
  const inspect = await hekate(['queue', 'inspect', path.join(dir, 'state/output_queue/buffered')]);
  assert.equal(inspect.code, 0, inspect.stderr);
  const report = JSON.parse(inspect.stdout);
  assert.equal(report.pending, 0, 'every buffered message was written before the clean stop');
});

test('dead letters written to a framed file are replayed with their original Type by queue replay', async () => {
  const dir = await tempDir();
  const plugin = path.join(path.dirname(new URL(import.meta.url).pathname), 'fixtures/rejecting-output.js');
  const first = await writeConfig(
    dir,
    `
[hekate]
base_dir = "${path.join(dir, 'state')}"
plugins = ["${plugin}"]

[stdin]
type = "StdinInput"
splitter = "TokenSplitter"
decoder = "RequestDecoder"

[RequestDecoder]
type = "JsonDecoder"
Type = "type"

[strict]
type = "RejectingOutput"
message_matcher = "Type != 'hekate.dead_letter'"

[dead_letters]
type = "FileOutput"
message_matcher = "Type == 'hekate.dead_letter'"
path = "${path.join(dir, 'dead.hpb')}"
encoder = "ProtobufEncoder"
use_framing = true
`,
    'first.toml',
  );
  const input = [...LINES, JSON.stringify({ type: 'click', status: 200, url: '/bad/1' }), JSON.stringify({ type: 'visit', url: '/bad/2' })];
  const run = await hekate(['run', '-config', first, '-log-level', 'warn'], { stdin: input.join('\n') });
  assert.equal(run.code, 0, run.stderr);
  const second = await writeConfig(
    dir,
    `
[fixed]
type = "FileOutput"
message_matcher = "TRUE"
path = "${path.join(dir, 'fixed.log')}"
encoder = "JsonEncoder"
`,
    'second.toml',
  );
  const replay = await hekate(['queue', 'replay', path.join(dir, 'dead.hpb'), '-config', second, '-log-level', 'warn']);
  assert.equal(replay.code, 0, replay.stderr);
  assert.match(replay.stdout, /Replayed 2 of 2 messages/);
  const replayed = (await readFile(path.join(dir, 'fixed.log'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(replayed.map((m) => [m.Type, m.Fields.url]), [['click', '/bad/1'], ['visit', '/bad/2']]);
  assert.ok(replayed.every((m) => Object.keys(m.Fields).every((k) => !k.startsWith('dead_letter.'))));
});

test("the README's TOML example and embedding example stay true", async () => {
  const { ROOT } = await import('./support.js');
  const readme = await readFile(path.join(ROOT, 'README.md'), 'utf8');
  const dir = await tempDir();
  const toml = /```toml\n([\s\S]*?)```/.exec(readme)[1];
  const config = await writeConfig(dir, toml);
  const result = await hekate(['validate', '-config', config]);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /OK \(/);
  const js = /```js\n([\s\S]*?)```/.exec(readme)[1].replace("path: 'errors.log'", `path: ${JSON.stringify(path.join(dir, 'errors.log'))}`);
  await writeFile(path.join(ROOT, 'examples/embedding', `.readme-${process.pid}.mjs`), js);
  const { spawnSync } = await import('node:child_process');
  const run = spawnSync(process.execPath, [path.join(ROOT, 'examples/embedding', `.readme-${process.pid}.mjs`)], { encoding: 'utf8' });
  await rm(path.join(ROOT, 'examples/embedding', `.readme-${process.pid}.mjs`));
  assert.equal(run.status, 0, run.stderr);
  assert.equal(await readFile(path.join(dir, 'errors.log'), 'utf8'), '503 /book\n');
  assert.match(run.stdout, /messages_written: 1/);
});
