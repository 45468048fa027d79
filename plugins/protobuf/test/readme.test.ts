// The README stays true: samples included verbatim, samples (and every commented option) valid,
// one section per type, and option tables that list each type's options exactly.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { builtinPlugins, Pipeline, silentLogger } from '@hekate/core';
import type { z } from 'zod';
import { plugins } from '../src/index.js';
import { tlsSchema } from '../src/net/tls-options.js';

const ROOT = new URL('../../', import.meta.url);
const read = (name: string) => readFileSync(new URL(name, ROOT), 'utf8');
const README = read('README.md');
const SAMPLES = readdirSync(ROOT).filter((f) => f.endsWith('.sample.toml'));
const ENV = { HEKA_OPS_KEY: 'sample-key' };

const keysOf = (schema: unknown) => Object.keys((schema as z.ZodObject).shape);

/** The option names in the first column of the table under `### Options` of section `## title`. */
function tableRows(title: string): string[] {
  const start = README.indexOf(`\n## ${title}\n`);
  assert.ok(start >= 0, `no "## ${title}" section`);
  // Headings follow a blank line; the samples' `## ` comment lines do not.
  const section = README.slice(start + 1, README.indexOf('\n\n## ', start + 1));
  const table = section.slice(
    section.indexOf('| option |') >= 0 ? section.indexOf('| option |') : section.indexOf('| key |'),
  );
  const rows = table.split('\n').filter((line) => line.startsWith('| `'));
  return rows.flatMap((row) => [...row.split('|')[1]!.matchAll(/`(\w+)`/g)].map((m) => m[1]!));
}

test('there is a sample per plugin type and the README includes each verbatim', () => {
  assert.equal(SAMPLES.length, plugins.length);
  for (const sample of SAMPLES)
    assert.ok(README.includes(read(sample)), `${sample} is not in the README verbatim`);
});

test('every sample validates as a pipeline, and so does every commented option uncommented', async () => {
  for (const sample of SAMPLES) {
    const text = read(sample);
    await Pipeline.fromToml(text, { plugins, logger: silentLogger, env: ENV });
    const uncommented = text.replace(/^# (\w+ = |\[[\w.]+\]$)/gm, '$1');
    await Pipeline.fromToml(uncommented, { plugins, logger: silentLogger, env: ENV });
  }
});

test('the README has a section per type, and its option tables list exactly the options', () => {
  const jsonDecoderKeys = new Set(
    keysOf(builtinPlugins.find((d) => d.type === 'JsonDecoder')!.options),
  );
  for (const def of plugins) {
    const expected = keysOf(def.options).filter(
      (k) => def.type !== 'SchemaDecoder' || !jsonDecoderKeys.has(k),
    );
    if (expected.length === 0) {
      assert.match(README, new RegExp(`## ${def.type}\\n[\\s\\S]*?${def.type} has no options`));
      continue;
    }
    assert.deepEqual(tableRows(def.type).sort(), expected.sort(), def.type);
  }
  assert.deepEqual(tableRows('TLS').sort(), keysOf(tlsSchema).sort());
});
