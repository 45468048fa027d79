import assert from 'node:assert/strict';
import { test } from 'node:test';
import { JsonDecoder } from '../../../src/builtins/decoders/json-decoder.js';
import { MultiDecoder } from '../../../src/builtins/decoders/multi-decoder.js';
import { PayloadRegexDecoder } from '../../../src/builtins/decoders/payload-regex-decoder.js';
import { DecodeError, hasCode } from '../../../src/errors.js';
import { createMessage, type Message } from '../../../src/message/message.js';
import type { Decoder } from '../../../src/plugins/types.js';
import { make, testContext } from '../test-context.js';

const json = make(JsonDecoder, { Type: 'type' });
const kv = make(PayloadRegexDecoder, { match_regex: '^(?P<key>\\w+)=(?P<value>\\w+)$' });
const tagger: Decoder = {
  decode(m) {
    m.addField('tagged', true);
    return m;
  },
};
const failing: Decoder = {
  decode() {
    throw new DecodeError('always fails');
  },
};
const splitting: Decoder = {
  decode(m) {
    return m.payload.split(',').map((p) => createMessage({ payload: p }));
  },
};

function multi(options: Record<string, unknown>) {
  const dropping: Decoder = { decode: () => undefined };
  const ctx = testContext({ decoders: { json, kv, tagger, failing, splitting, dropping } });
  return { decoder: make(MultiDecoder, options, ctx), ctx };
}

test('MultiDecoder first-wins uses the first sub that succeeds', () => {
  const { decoder } = multi({ subs: ['failing', 'json', 'kv'] });
  const a = decoder.decode(createMessage({ payload: '{"type":"j"}' })) as Message;
  assert.equal(a.type, 'j');
  const b = decoder.decode(createMessage({ payload: 'color=red' })) as Message;
  assert.equal(b.value('value'), 'red');
  assert.equal(b.field('type'), undefined);
});

test('MultiDecoder fails only when every sub fails, listing each error', () => {
  const { decoder, ctx } = multi({ subs: ['json', 'kv'], log_sub_errors: true });
  assert.throws(
    () => decoder.decode(createMessage({ payload: 'not this' })),
    (e: unknown) =>
      hasCode(e, 'HEKATE_ERR_DECODE') &&
      /json: invalid JSON/.test((e as Error).message) &&
      /kv: payload does not match/.test((e as Error).message),
  );
  assert.equal(ctx.logs.filter((l) => l.level === 'warn').length, 2);
  const quiet = multi({ subs: ['json', 'kv'] });
  assert.throws(() => quiet.decoder.decode(createMessage({ payload: 'x' })));
  assert.equal(quiet.ctx.logs.length, 0);
});

test('MultiDecoder all applies every sub in turn, passing failures through', () => {
  const { decoder } = multi({ subs: ['kv', 'failing', 'tagger'], cascade_strategy: 'all' });
  const m = decoder.decode(createMessage({ payload: 'color=red' })) as Message;
  assert.equal(m.value('key'), 'color');
  assert.equal(m.value('tagged'), true);
  const partly = decoder.decode(createMessage({ payload: 'no match here' })) as Message;
  assert.equal(partly.value('tagged'), true, 'one sub succeeding is enough');
  const none = multi({ subs: ['failing', 'json'], cascade_strategy: 'all' }).decoder;
  assert.throws(() => none.decode(createMessage({ payload: 'x' })));
});

test('MultiDecoder all feeds every message a sub produces to the next', () => {
  const { decoder } = multi({ subs: ['splitting', 'kv'], cascade_strategy: 'all' });
  const out = decoder.decode(createMessage({ payload: 'a=1,b=2' })) as Message[];
  assert.deepEqual(out.map((m) => m.value('value')), ['1', '2']);
  const dropped = multi({ subs: ['dropping', 'tagger'], cascade_strategy: 'all' }).decoder;
  assert.equal(dropped.decode(createMessage()), undefined);
});

test('MultiDecoder needs at least one existing sub', () => {
  assert.equal(MultiDecoder.options.safeParse({ subs: [] }).success, false);
  assert.throws(() => multi({ subs: ['nope'] }), (e: unknown) => hasCode(e, 'HEKATE_ERR_CONFIG'));
});
