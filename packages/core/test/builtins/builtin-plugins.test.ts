import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { z } from 'zod';
import { builtinPlugins } from '../../src/builtins/index.js';
import { kindOfType } from '../../src/plugins/define.js';

const REQUIRED: Record<string, Record<string, unknown>> = {
  RegexSplitter: {},
  PayloadRegexDecoder: { match_regex: '(?P<a>.)' },
  MultiDecoder: { subs: ['x'] },
  JsFilter: { filename: 'x.js' },
  FileOutput: { path: 'x.log' },
};

test('every built-in type is registered once, with its kind suffix and a one-sentence summary', () => {
  const types = builtinPlugins.map((d) => d.type);
  assert.equal(new Set(types).size, types.length);
  for (const def of builtinPlugins) {
    assert.equal(kindOfType(def.type), def.kind, def.type);
    assert.match(def.summary, /^[A-Z][^.]*\.$/, def.type);
  }
});

test('every built-in schema is strict, documents each option, and parses its minimal section', () => {
  for (const def of builtinPlugins) {
    const schema = def.options as z.ZodObject;
    const minimal = REQUIRED[def.type] ?? {};
    assert.equal(schema.safeParse(minimal).success, true, def.type);
    assert.equal(schema.safeParse({ ...minimal, no_such_option: 1 }).success, false, `${def.type} is strict`);
    for (const [key, option] of Object.entries(schema.shape)) {
      assert.ok((option as z.ZodType).description, `${def.type}.${key} has a description`);
    }
  }
});

test('docs/plugins.md covers every built-in type and option', () => {
  const docs = readFileSync(new URL('../../../docs/plugins.md', import.meta.url), 'utf8');
  for (const def of builtinPlugins) {
    assert.ok(docs.includes(`## ${def.type}`), `${def.type} has a section`);
    for (const key of Object.keys((def.options as z.ZodObject).shape)) {
      assert.ok(docs.includes(`\`${key}\``), `${def.type}.${key} is documented`);
    }
  }
});
