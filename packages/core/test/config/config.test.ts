import assert from 'node:assert/strict';
import { mkdtemp, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { ConfigError } from '../../src/errors.js';
import { silentLogger } from '../../src/logger.js';
import { parseByteSize, parseDuration } from '../../src/config/units.js';
import { ScriptInput, TestOutput, acceptAll, scripts } from '../support/test-plugins.js';

const plugins = [ScriptInput, TestOutput];

async function problemsOf(toml: string, env: Record<string, string> = {}): Promise<ConfigError> {
  try {
    await Pipeline.fromToml(toml, { plugins, logger: silentLogger, env });
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return error;
  }
  assert.fail('expected a ConfigError');
}

const messages = (e: ConfigError) => (e.problems.length > 0 ? e.problems : [e]).map((p) => p.message);

test('a TOML syntax error names the line and column with an excerpt', async () => {
  const e = await problemsOf('[in]\ntype = "ScriptInput"\nscript = \n');
  assert.equal(e.location.line, 3);
  assert.equal(e.location.column, 10);
  assert.match(e.message, /invalid TOML/);
  assert.match(e.message, /script =/);
});

test('an unknown key names its section, key and line, with a did-you-mean', async () => {
  scripts.set('s', { batches: [], acknowledged: [], linger: false });
  acceptAll('o');
  const e = await problemsOf(`
[in]
type = "ScriptInput"
script = "s"

[out]
type = "TestOutput"
id = "o"
message_matcher = "TRUE"
mesage_matcher = "FALSE"
`);
  assert.deepEqual(e.location, { file: undefined, line: 10, section: 'out', key: 'mesage_matcher' });
  assert.match(e.message, /unknown option "mesage_matcher"; did you mean "message_matcher"\?/);
});

test('an unknown type names the package that provides it', async () => {
  const e = await problemsOf('[realtime-log-input-kafka]\ntype = "KafkaInput"\ntopic = "x"\n');
  assert.match(e.message, /unknown plugin type "KafkaInput"; it is provided by @hekate\/plugin-kafka/);
  assert.equal(e.location.section, 'realtime-log-input-kafka');
  assert.equal(e.location.line, 2);
});

test('every problem is reported together: bad matcher, missing decoder, missing matcher', async () => {
  scripts.set('s', { batches: [], acknowledged: [], linger: false });
  acceptAll('o');
  const e = await problemsOf(`
[in]
type = "ScriptInput"
script = "s"
decoder = "NoSuchDecoder"

[out]
type = "TestOutput"
id = "o"
message_matcher = "Type == 'x' &&"

[out2]
type = "TestOutput"
id = "o"
`);
  const all = messages(e).join('\n');
  assert.match(all, /decoder "NoSuchDecoder" is not a section/);
  assert.match(all, /invalid message_matcher/);
  assert.match(all, /message_matcher is required/);
  assert.equal(e.problems.length, 3);
});

test('%ENV[NAME] and %ENV[NAME:-default] are substituted in strings; an unset variable is an error', async () => {
  scripts.set('from-env', { batches: [], acknowledged: [], linger: false });
  acceptAll('o');
  const ok = await Pipeline.fromToml(
    '[in]\ntype = "ScriptInput"\nscript = "%ENV[SCRIPT]"\n[out]\ntype="TestOutput"\nid = "%ENV[MISSING:-o]"\nmessage_matcher = "TRUE"\n',
    { plugins, logger: silentLogger, env: { SCRIPT: 'from-env' } },
  );
  assert.equal((ok.plan.sections.find((s) => s.name === 'in')!.options as { script: string }).script, 'from-env');
  const e = await problemsOf('[in]\ntype = "ScriptInput"\nscript = "%ENV[NOPE]"\n');
  assert.match(e.message, /environment variable NOPE is not set/);
  assert.equal(e.location.line, 3);
  const nl = await problemsOf('[in]\ntype = "ScriptInput"\nscript = "%ENV[NL]"\n', { NL: 'a\nb' });
  assert.match(nl.message, /contains a newline/);
});

test('[hekad] is accepted for Heka configs, with Heka keys that have no effect here', async () => {
  scripts.set('s', { batches: [], acknowledged: [], linger: false });
  const p = await Pipeline.fromToml('[hekad]\nmaxprocs = 2\npoolsize = 100\nmax_message_loops = 3\n[in]\ntype = "ScriptInput"\nscript = "s"\n', {
    plugins,
    logger: silentLogger,
  });
  assert.equal(p.plan.global.max_message_loops, 3);
  const e = await problemsOf('[hekate]\nx = 1\n[hekad]\ny = 2\n');
  assert.match(e.message, /either \[hekate\] or \[hekad\]/);
});

test('a config directory loads *.toml in name order; a later file replaces a section', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'hekate-config-'));
  await mkdir(path.join(dir, 'sub'));
  scripts.set('first', { batches: [], acknowledged: [], linger: false });
  scripts.set('second', { batches: [], acknowledged: [], linger: false });
  await writeFile(path.join(dir, '10-in.toml'), '[in]\ntype = "ScriptInput"\nscript = "first"\n');
  await writeFile(path.join(dir, '20-in.toml'), '[in]\ntype = "ScriptInput"\nscript = "second"\n');
  await writeFile(path.join(dir, 'notes.txt'), 'ignored');
  const p = await Pipeline.fromFile(dir, { plugins, logger: silentLogger });
  assert.equal((p.plan.sections.find((s) => s.name === 'in')!.options as { script: string }).script, 'second');
});

test('a section called __proto__ or constructor is a plain name and pollutes nothing', async () => {
  const e = await problemsOf('[__proto__]\ntype = "ScriptInput"\n[constructor]\npolluted = 1\n');
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  assert.ok(messages(e).some((m) => m.includes('[__proto__]')));
});

test('durations and sizes parse with units', () => {
  assert.equal(parseDuration('250ms'), 250);
  assert.equal(parseDuration('1m30s'), 90_000);
  assert.equal(parseDuration('5 s'), 5000);
  assert.equal(parseDuration('5 parsecs'), undefined);
  assert.equal(parseByteSize('64MiB'), 64 * 1024 * 1024);
  assert.equal(parseByteSize('10 MB'), 10_000_000);
  assert.equal(parseByteSize('12 bananas'), undefined);
});
