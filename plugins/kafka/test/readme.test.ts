import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { Pipeline, silentLogger } from '@hekate/core';
import { plugins } from '../src/index.js';
import { kafkaInputOptions } from '../src/kafka-input.js';
import { kafkaOutputOptions } from '../src/kafka-output.js';

const read = (name: string) => readFileSync(new URL(`../../${name}`, import.meta.url), 'utf8');
const OUTPUT = '\n[out]\ntype = "NullOutput"\nmessage_matcher = "TRUE"\n';
const INPUT = '\n[in]\ntype = "StdinInput"\n';

const SAMPLES = [
  { file: 'kafka-input.sample.toml', rest: OUTPUT, section: '## KafkaInput', schema: kafkaInputOptions },
  { file: 'kafka-output.sample.toml', rest: INPUT, section: '## KafkaOutput', schema: kafkaOutputOptions },
];

for (const { file, rest, section, schema } of SAMPLES) {
  test(`the README includes ${file} verbatim`, () => {
    assert.ok(read('README.md').includes(read(file)));
  });

  test(`${file} validates as a pipeline, and so does every commented option uncommented`, async () => {
    const sample = read(file);
    await Pipeline.fromToml(sample + rest, { plugins, logger: silentLogger });
    const uncommented = sample.replace(/^# (\w+ = )/gm, '$1');
    assert.notEqual(uncommented, sample);
    await Pipeline.fromToml(uncommented + rest, { plugins, logger: silentLogger });
  });

  test(`the README's ${section.slice(3)} options table lists every option, and only those`, () => {
    const readme = read('README.md');
    const block = readme.slice(readme.indexOf(`${section}\n`));
    const table = block.slice(block.indexOf('### Options\n'), block.indexOf('### Options in depth'));
    const rows = [...table.matchAll(/^\| `(\w+)` \|/gm)].map((m) => m[1]!);
    assert.deepEqual([...rows].sort(), Object.keys(schema.shape).sort());
  });
}

test("the README's TLS and SASL example loads", async () => {
  const readme = read('README.md');
  const from = readme.indexOf('```toml\n', readme.indexOf('**TLS and SASL.**')) + '```toml\n'.length;
  const example = readme.slice(from, readme.indexOf('```', from));
  const pipeline = await Pipeline.fromToml(example + OUTPUT, { plugins, logger: silentLogger, env: { KAFKA_PASSWORD: 'pw' } });
  const options = pipeline.plan.sections.find((s) => s.name === 'app_kafka')!.options as Record<string, unknown>;
  assert.deepEqual(options['sasl'], { mechanism: 'SCRAM-SHA-512', username: 'hekate', password: 'pw' });
  assert.equal((options['tls'] as Record<string, unknown>)['root_cafile'], '/etc/ssl/kafka-ca.pem');
});
