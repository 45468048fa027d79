import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { JsFilter } from '../../../src/builtins/filters/js-filter.js';
import { hasCode } from '../../../src/errors.js';
import { createMessage } from '../../../src/message/message.js';
import type { Filter } from '../../../src/plugins/types.js';
import { fakeFilterRunner, make, testContext } from '../test-context.js';

const FIXTURES = fileURLToPath(new URL('../../../../test/fixtures/js-filter/', import.meta.url));

function jsFilter(filename: string, name = 'tally', config: Record<string, unknown> = { threshold: 3 }): Filter {
  return make(JsFilter, { filename, config }, { ...testContext({ name }), configDir: FIXTURES });
}

async function state(name: string): Promise<{ threshold: number; seen: number; closed: boolean }> {
  const url = new URL('tally.mjs', new URL(`file://${FIXTURES}`));
  url.searchParams.set('filter', name);
  const mod = (await import(url.href)) as { state(): { threshold: number; seen: number; closed: boolean } };
  return mod.state();
}

test('JsFilter loads the module at open, passes its config, and runs process, onTick and close', async () => {
  const filter = jsFilter('tally.mjs', 'tally-a');
  const runner = fakeFilterRunner();
  await filter.open!(runner);
  assert.equal((await state('tally-a')).threshold, 3);
  await filter.process(createMessage({ severity: 6, type: 'app' }), runner);
  await filter.process(createMessage({ severity: 2, type: 'app', payload: 'bad' }), runner);
  assert.deepEqual(runner.injected.map((m) => [m.type, m.payload]), [['alert', 'bad']]);
  await filter.onTick!(runner);
  assert.deepEqual([runner.injected[1]!.type, runner.injected[1]!.payload], ['report', 'seen 2']);
  await filter.close!(runner);
  assert.deepEqual(await state('tally-a'), { threshold: 3, seen: 2, closed: true });
});

test('JsFilter gives each section its own module instance', async () => {
  const one = jsFilter('tally.mjs', 'tally-b');
  const two = jsFilter('tally.mjs', 'tally-c', { threshold: 0 });
  const runner = fakeFilterRunner();
  await one.open!(runner);
  await two.open!(runner);
  await one.process(createMessage(), runner);
  assert.equal((await state('tally-b')).seen, 1);
  assert.deepEqual(await state('tally-c'), { threshold: 0, seen: 0, closed: false });
});

test('JsFilter refuses a module without process, with a bad hook, or missing', async () => {
  const runner = fakeFilterRunner();
  await assert.rejects(
    jsFilter('no-process.mjs').open!(runner),
    (e: unknown) =>
      hasCode(e, 'HEKATE_ERR_PLUGIN_LOAD') &&
      /must export a function process\(message, runner\)/.test((e as Error).message),
  );
  await assert.rejects(jsFilter('bad-hook.mjs').open!(runner), /onTick must be a function/);
  await assert.rejects(jsFilter('missing.mjs').open!(runner), (e: unknown) => hasCode(e, 'HEKATE_ERR_PLUGIN_LOAD'));
  assert.throws(() => jsFilter('tally.mjs').process(createMessage(), runner), /before open/);
});

test('JsFilter options', () => {
  assert.deepEqual(JsFilter.options.parse({ filename: 'f.js' }), { filename: 'f.js', config: {} });
  assert.equal(JsFilter.options.safeParse({}).success, false);
  assert.equal(JsFilter.options.safeParse({ filename: 'f.js', script_type: 'lua' }).success, false);
});
