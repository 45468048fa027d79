import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Pipeline, silentLogger } from '@hekate/core';
import { bqOutputOptions, plugins } from '../src/index.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const packageDir = path.resolve(here, '../..');
const fixtures = path.join(packageDir, 'test/fixtures');
const sample = readFileSync(path.join(packageDir, 'bq-output.sample.toml'), 'utf8');

const load = (toml: string) => Pipeline.fromToml(toml, { plugins, logger: silentLogger, configDir: fixtures });
const common = (pipeline: Pipeline, name: string) =>
  pipeline.plan.sections.find((s) => s.name === name)!.common as Record<string, unknown>;

test('the sample configuration validates, and the README includes it verbatim', async () => {
  const pipeline = await load(sample);
  assert.equal(pipeline.plan.sections[0]!.type, 'BqOutput');
  const { dir } = common(pipeline, 'realtime_log_to_bigquery').buffering as { dir: string };
  assert.equal(dir, '/var/spool/hekate/bigquery_realtime_log');
  const readme = readFileSync(path.join(packageDir, 'README.md'), 'utf8');
  assert.ok(readme.includes('```toml\n' + sample + '```'), 'README.md must include bq-output.sample.toml verbatim');
});

test("every TOML example of the README loads (with the tests' schema file)", async () => {
  const readme = readFileSync(path.join(packageDir, 'README.md'), 'utf8');
  const blocks = [...readme.matchAll(/```toml\n([\s\S]*?)```/g)].map((m) => m[1]!);
  assert.equal(blocks.length, 4);
  for (const block of blocks) {
    const toml = block.replace(/schema_file_path = ".*"/, 'schema_file_path = "realtime_log.schema.json"');
    await assert.doesNotReject(load(toml), block.slice(0, 60));
  }
});

test('every option of the schema appears in the sample and the README', () => {
  const readme = readFileSync(path.join(packageDir, 'README.md'), 'utf8');
  for (const key of Object.keys(bqOutputOptions.shape)) {
    assert.match(sample, new RegExp(`^#? ?${key} = `, 'm'), `sample lacks ${key}`);
    assert.ok(readme.includes(`\`${key}\``), `README lacks ${key}`);
  }
});

test("the sample's commented-out values are the defaults", async () => {
  const options = (pipeline: Pipeline) => pipeline.plan.sections[0]!.options as Record<string, unknown>;
  const defaults = options(await load(sample));
  const lines = sample.split('\n').filter((line) => /^# [a-z_]+ = /.test(line));
  let checked = 0;
  for (const line of lines) {
    const key = line.slice(2, line.indexOf(' = '));
    if (key === 'columns' || defaults[key] === undefined) continue;
    const uncommented = options(await load(sample.replace(line, line.slice(2))));
    assert.deepEqual(uncommented[key], defaults[key], line);
    checked++;
  }
  assert.equal(checked, 11);
});

test("a Heka BqOutput section loads as it is, its spool becoming core's disk queue", async () => {
  const heka = `
[hekad]
maxprocs = 4

[BqOutput]
message_matcher = "Logger == 'realtime-log-input-kafka'"
ticker_interval = 5
project_id = "wego-analytics"
dataset_id = "realtime"
table_id = "log"
schema_file_path = "realtime_log.schema.json"
pem_file_path = "key.pem"
service_email = "hekate@wego-analytics.iam.gserviceaccount.com"
buffer_path = "spool"
buffer_file = "bigquery"
`;
  const pipeline = await load(heka);
  const section = pipeline.plan.sections.find((s) => s.name === 'BqOutput')!;
  assert.equal(section.type, 'BqOutput');
  assert.equal((section.options as { table_type: string }).table_type, 'sharded');
  assert.equal(common(pipeline, 'BqOutput').use_buffering, true);
  assert.equal((common(pipeline, 'BqOutput').buffering as { dir: string }).dir, path.join('spool', 'bigquery'));
});

test('option mistakes are reported with the key and what to do', async () => {
  const section = (extra: string) => `
[bq]
type = "BqOutput"
message_matcher = "TRUE"
dataset_id = "realtime"
table_id = "log"
schema_file_path = "realtime_log.schema.json"
${extra}`;
  const fails = async (extra: string, pattern: RegExp) => assert.rejects(load(section(extra)), pattern);
  await fails('pem_file_path = "key.pem"', /pem_file_path and service_email go together/);
  await fails('buffer_path = "spool"', /buffer_path and buffer_file go together/);
  await fails('columns = { id = "Uuid" }', /columns only apply with row_source = "fields"/);
  await fails('row_source = "fields"\ncolumns = { id = "Fields" }', /expected Fields\[name\] or one of Uuid/);
  await fails('row_source = "fields"\ncolumns = { nope = "Uuid" }', /the schema has no column "nope"/);
  await fails('timezone = "Mars/Olympus"', /IANA time zone/);
  await fails('max_request_bytes = "11MiB"', /10 MiB, BigQuery's limit/);
  await fails('partition_field = "created_at"', /only applies with table_type = "partitioned"/);
  await fails('table_type = "partitioned"\npartition_field = "nope"', /partition_field: "nope" must be a TIMESTAMP/);
  await fails('api_endpoint = "127.0.0.1:9050"', /expected a URL/);
  await fails('tabel_id = "x"', /tabel_id/);
  await assert.rejects(
    load(section('').replace('schema_file_path = "realtime_log.schema.json"', 'schema_file_path = "missing.json"')),
    /cannot read the schema file .*missing\.json/,
  );
});
