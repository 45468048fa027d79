import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { Pipeline, silentLogger } from '@hekate/core';
import { fileInputOptions, plugins } from '../src/index.js';

const read = (name: string) => readFileSync(new URL(`../../${name}`, import.meta.url), 'utf8');
const OUTPUT = '\n[out]\ntype = "NullOutput"\nmessage_matcher = "TRUE"\n';

test('the README includes file-input.sample.toml verbatim', () => {
  assert.ok(read('README.md').includes(read('file-input.sample.toml')));
});

test('the sample validates as a pipeline, and so does every commented option uncommented', async () => {
  const sample = read('file-input.sample.toml');
  await Pipeline.fromToml(sample + OUTPUT, { plugins, logger: silentLogger });
  const uncommented = sample.replace(/^# (\w+ = )/gm, '$1');
  assert.notEqual(uncommented, sample);
  await Pipeline.fromToml(uncommented + OUTPUT, { plugins, logger: silentLogger });
});

test('the README options table lists every option, and only those', () => {
  const readme = read('README.md');
  const table = readme.slice(readme.indexOf('### Options\n'), readme.indexOf('### Options in depth'));
  const rows = [...table.matchAll(/^\| `(\w+)` \|/gm)].map((m) => m[1]!);
  assert.deepEqual([...rows].sort(), Object.keys(fileInputOptions.shape).sort());
});
