import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { JsonDecoder, MAX_JSON_NESTING } from '../../../src/builtins/decoders/json-decoder.js';
import { hasCode } from '../../../src/errors.js';
import { createMessage, type Message } from '../../../src/message/message.js';
import type { Decoder } from '../../../src/plugins/types.js';
import { make, testContext } from '../test-context.js';

function decoder(options: Record<string, unknown> = {}, ctx = testContext()): Decoder {
  return make(JsonDecoder, options, ctx);
}

function decode(text: string, options: Record<string, unknown> = {}): Message {
  return decoder(options).decode(createMessage({ payload: text })) as Message;
}

const plain = (m: Message) =>
  m.fields.map((f) => ({ name: f.name, type: f.type, values: [...f.values], repr: f.representation }));

test('JsonDecoder maps keys to headers and keeps every key as a field', () => {
  const line = JSON.stringify({
    ts: '2024-06-01T00:00:00.123456789Z', kind: 'click', src: 'web', host: 'h1', level: 'warning',
    id: '0F8FAD5B-D9CB-469F-A165-70867728950E', pid: 42, env: '1.0', status: 503,
  });
  const m = decode(line, {
    Timestamp: 'ts', Type: 'kind', Logger: 'src', Hostname: 'host', Severity: 'level',
    Uuid: 'id', Pid: 'pid', EnvVersion: 'env',
  });
  assert.equal(m.timestamp, 1_717_200_000_123_456_789n);
  assert.equal(m.type, 'click');
  assert.equal(m.logger, 'web');
  assert.equal(m.hostname, 'h1');
  assert.equal(m.severity, 4);
  assert.equal(m.uuid, '0f8fad5b-d9cb-469f-a165-70867728950e');
  assert.equal(m.pid, 42);
  assert.equal(m.envVersion, '1.0');
  assert.equal(m.payload, line, 'payload_keep defaults to true');
  assert.equal(m.value('status'), 503);
  assert.equal(m.value('kind'), 'click', 'mapped keys stay fields by default');
});

test('JsonDecoder types values: integers, doubles, booleans, strings; null gives no field', () => {
  const m = decode('{"i":3,"d":2.5,"big":12345678901234567890,"b":false,"s":"x","n":null,"inf":1e400}');
  assert.deepEqual(plain(m), [
    { name: 'i', type: 'integer', values: [3], repr: '' },
    { name: 'd', type: 'double', values: [2.5], repr: '' },
    { name: 'big', type: 'double', values: [12345678901234567890], repr: '' },
    { name: 'b', type: 'bool', values: [false], repr: '' },
    { name: 's', type: 'string', values: ['x'], repr: '' },
    { name: 'inf', type: 'double', values: [Infinity], repr: '' },
  ]);
  assert.equal(m.field('n'), undefined);
});

test('JsonDecoder flattens nested objects and stringifies what is too deep', () => {
  const m = decode('{"a":{"b":{"c":1},"d":"x"},"e":{}}', { max_depth: 2 });
  assert.deepEqual(plain(m), [
    { name: 'a.b', type: 'string', values: ['{"c":1}'], repr: 'json' },
    { name: 'a.d', type: 'string', values: ['x'], repr: '' },
  ]);
  const slash = decode('{"a":{"b":1}}', { separator: '/' });
  assert.equal(slash.value('a/b'), 1);
});

test('JsonDecoder turns arrays of one scalar type into one field, others into JSON', () => {
  const m = decode('{"s":["a","b"],"n":[1,2.5],"i":[1,2],"mixed":[1,"a"],"objs":[{"x":1}],"empty":[],"nulls":[null]}');
  assert.deepEqual(plain(m), [
    { name: 's', type: 'string', values: ['a', 'b'], repr: '' },
    { name: 'n', type: 'double', values: [1, 2.5], repr: '' },
    { name: 'i', type: 'integer', values: [1, 2], repr: '' },
    { name: 'mixed', type: 'string', values: ['[1,"a"]'], repr: 'json' },
    { name: 'objs', type: 'string', values: ['[{"x":1}]'], repr: 'json' },
    { name: 'empty', type: 'string', values: ['[]'], repr: 'json' },
    { name: 'nulls', type: 'string', values: ['[null]'], repr: 'json' },
  ]);
});

test('JsonDecoder treats __proto__, constructor and prototype keys as data, polluting nothing', () => {
  const before = Object.getOwnPropertyNames(Object.prototype).sort();
  const line = '{"__proto__":{"polluted":1},"constructor":"c","prototype":{"polluted":2},"toString":3}';
  const d = decoder();
  for (let i = 0; i < 100; i++) {
    const m = d.decode(createMessage({ payload: line })) as Message;
    assert.equal(m.value('__proto__.polluted'), 1);
    assert.equal(m.value('constructor'), 'c');
    assert.equal(m.value('prototype.polluted'), 2);
    assert.equal(m.value('toString'), 3);
    assert.equal(m.field('hasOwnProperty'), undefined);
    assert.equal(m.field('__proto__'), undefined, 'a flattened object is not a field itself');
    const names = m.fields.map((f) => f.name);
    assert.deepEqual(names, ['__proto__.polluted', 'constructor', 'prototype.polluted', 'toString']);
  }
  const mapper = decoder({ Type: 'constructor', Logger: '__proto__.polluted' });
  const mapped = mapper.decode(createMessage({ payload: line })) as Message;
  assert.equal(mapped.type, 'c');
  assert.equal(mapped.logger, '1');
  assert.equal(decode('{}').field('constructor'), undefined);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  assert.deepEqual(Object.getOwnPropertyNames(Object.prototype).sort(), before);
});

function assertDecodeError(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (error: unknown) => hasCode(error, 'HEKATE_ERR_DECODE') && pattern.test((error as Error).message));
}

test('JsonDecoder refuses invalid JSON and anything but an object', () => {
  for (const bad of ['', '{', '{"a":1}x', 'nul', "{'a':1}"]) assertDecodeError(() => decode(bad), /invalid JSON/);
  for (const notObject of ['[1]', '"s"', '1', 'null', 'true']) {
    assertDecodeError(() => decode(notObject), /expected a JSON object/);
  }
});

test('JsonDecoder refuses hostile nesting with a DecodeError, not a RangeError', () => {
  const deep = (n: number) => '{"a":' + '['.repeat(n) + ']'.repeat(n) + '}';
  const hostile = [deep(100_000), '{' + Array.from({ length: 1_000_000 }, (_, i) => `"k${i}":${i}`).join(',') + '}'];
  const d = decoder();
  const started = performance.now();
  for (const text of hostile) {
    assertDecodeError(() => d.decode(createMessage({ payload: text })), /nested deeper than 1000|more than 1024 fields/);
  }
  // JSON.parse alone takes over a second on the million keys: they are refused before parsing.
  assert.ok(performance.now() - started < 500, 'hostile records are refused quickly');
  const deepObjects = '{"a":'.repeat(100_000) + '1' + '}'.repeat(100_000);
  assertDecodeError(() => decode(deepObjects), /nested deeper than 1000/);
  // The root object plus MAX_JSON_NESTING - 1 arrays is exactly at the limit.
  const atLimit = decode(deep(MAX_JSON_NESTING - 1));
  assert.equal(atLimit.field('a')!.representation, 'json');
  assertDecodeError(() => decode(deep(MAX_JSON_NESTING)), /nested deeper/);
});

test('JsonDecoder enforces max_fields, counting keys as written', () => {
  const object = (n: number) =>
    JSON.stringify(Object.fromEntries(Array.from({ length: n }, (_, i) => [`key_${i}`, i])));
  assert.equal(decode(object(1024)).fields.length, 1024);
  assertDecodeError(() => decode(object(1025)), /more than 1024 fields/);
  assertDecodeError(() => decode(object(6), { max_fields: 5 }), /more than 5 fields/);
  assert.equal(decode('{"a":[1,2,3,4,5,6,7,8,9]}', { max_fields: 1 }).fields.length, 1, 'an array is one field');
  assert.equal(decode('{"k":1,"k":2}').value('k'), 2, 'duplicate keys: the last wins');
  const repeated = '{' + '"k":1,'.repeat(2000) + '"z":0}';
  assertDecodeError(() => decode(repeated), /more than 1024 fields/);
  const nested = '{"a":{"b":{"c":1}},"list":[' + '{"x":1},'.repeat(2000) + '{}],"n":null}';
  assert.deepEqual(decode(nested, { max_fields: 2, max_depth: 2 }).fields.map((f) => f.name), ['a.b', 'list']);
  assert.equal(decode(nested, { max_fields: 2 }).fields.length, 2, 'keys inside arrays are no fields');
});

test('JsonDecoder leaves the message untouched when it fails', () => {
  const original = createMessage({ payload: '{"a":1', type: 'stdin' });
  assert.throws(() => decoder({ Type: 'a' }).decode(original));
  assert.equal(original.payload, '{"a":1');
  assert.equal(original.type, 'stdin');
  assert.equal(original.fields.length, 0);
});

test('JsonDecoder reads timestamps exactly to the nanosecond', () => {
  const ts = (value: unknown, format?: string) =>
    decode(JSON.stringify({ t: value }), { Timestamp: 't', ...(format === undefined ? {} : { timestamp_format: format }) })
      .timestamp;
  assert.equal(ts('2024-06-01T00:00:00.123456789Z'), 1_717_200_000_123_456_789n);
  assert.equal(ts('2024-06-01T02:00:00.000000001+02:00'), 1_717_200_000_000_000_001n);
  assert.equal(ts('2024-06-01 00:00:00,5'), 1_717_200_000_500_000_000n);
  assert.equal(ts(1_717_200_000), 1_717_200_000_000_000_000n);
  assert.equal(ts(1_717_200_000.123), 1_717_200_000_123_000_000n);
  assert.equal(ts(1_717_200_000_123), 1_717_200_000_123_000_000n);
  assert.equal(ts(1_717_200_000_123_456), 1_717_200_000_123_456_000n);
  assert.equal(ts('1717200000123456789'), 1_717_200_000_123_456_789n);
  assert.equal(ts('1717200000123456789', 'epoch_ns'), 1_717_200_000_123_456_789n);
  assert.equal(ts(1_717_200_000_123, 'epoch_ms'), 1_717_200_000_123_000_000n);
  assert.equal(ts('1717200000.000000001', 'epoch_s'), 1_717_200_000_000_000_001n);
  assert.equal(ts('01/Jun/2024:02:00:00 +0200', '02/Jan/2006:15:04:05 -0700'), 1_717_200_000_000_000_000n);
  assert.equal(
    decode('{"t":"2024-06-01 00:00:00"}', { Timestamp: 't', timestamp_location: '-01:00' }).timestamp,
    1_717_203_600_000_000_000n,
  );
});

test('JsonDecoder counts header values it cannot use and keeps the header', () => {
  const ctx = testContext();
  const d = decoder({ Severity: 'level', Timestamp: 'ts', Pid: 'pid', Uuid: 'id' }, ctx);
  const payload = '{"level":"loud","ts":"yesterday","pid":-1,"id":"xyz"}';
  const m = d.decode(createMessage({ payload, timestamp: 5n })) as Message;
  assert.equal(m.severity, 7);
  assert.equal(m.timestamp, 5n);
  assert.equal(m.pid, 0);
  assert.equal(ctx.counters.get('header_failures'), 4);
  assert.equal(decode('{"l":3}', { Severity: 'l' }).severity, 3);
  assert.equal(decode('{"l":"ERR"}', { Severity: 'l' }).severity, 3);
  assert.equal(decode('{"l":9}', { Severity: 'l' }).severity, 7);
});

test('JsonDecoder payload options', () => {
  assert.equal(decode('{"a":1}', { payload_keep: false }).payload, '');
  assert.equal(decode('{"msg":"hello","a":1}', { Payload: 'msg', payload_keep: false }).payload, 'hello');
  assert.equal(decode('{"msg":{"x":1}}', { Payload: 'msg' }).payload, '{"x":1}');
  const stripped = decode('{"type":"t","a":1}', { Type: 'type', mapped_keys_keep: false });
  assert.equal(stripped.type, 't');
  assert.deepEqual(stripped.fields.map((f) => f.name), ['a']);
  assert.equal(stripped.field('type'), undefined);
  assert.equal(decode('{"a":1}', { map_fields: false }).fields.length, 0);
});

test('JsonDecoder decodes raw bytes and drops them afterwards', () => {
  const message = createMessage({ raw: Buffer.from('{"a":"é"}') });
  const m = decoder().decode(message) as Message;
  assert.equal(m.value('a'), 'é');
  assert.equal(m.payload, '{"a":"é"}');
  assert.equal(m.raw, undefined);
});

test('JsonDecoder keeps fields the message already had, first', () => {
  const message = createMessage({ payload: '{"a":1}', fields: [{ name: 'a', value: 'before' }] });
  const m = decoder().decode(message) as Message;
  assert.equal(m.value('a'), 'before');
  assert.equal(m.field('a', 1)!.values[0], 1);
  assert.deepEqual(m.fields.map((f) => f.values[0]), ['before', 1]);
});

test('JsonDecoder lazy lookups equal the materialized fields', () => {
  const key = fc.constantFrom('a', 'b', 'a.b', '__proto__', 'constructor', '', '1', 'x.y.z');
  const json = fc.letrec((tie) => ({
    value: fc.oneof(
      { depthSize: 'small' },
      fc.string({ maxLength: 3 }), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(),
      fc.constant(null), fc.array(fc.integer(), { maxLength: 3 }), fc.array(tie('value'), { maxLength: 2 }),
      tie('object'),
    ),
    object: fc.dictionary(key, tie('value'), { maxKeys: 4 }),
  }));
  const d = decoder({ max_depth: 3 });
  fc.assert(
    fc.property(json.object, (obj) => {
      const text = JSON.stringify(obj);
      const all = (d.decode(createMessage({ payload: text })) as Message).fields;
      const seen = new Map<string, number>();
      for (const f of all) {
        const index = seen.get(f.name) ?? 0;
        seen.set(f.name, index + 1);
        const lazy = d.decode(createMessage({ payload: text })) as Message;
        assert.deepEqual(lazy.field(f.name, index), f);
      }
      const lazy = d.decode(createMessage({ payload: text })) as Message;
      for (const [name, count] of seen) assert.equal(lazy.field(name, count), undefined);
    }),
    { numRuns: 150 },
  );
});

test('JsonDecoder options are validated', () => {
  assert.equal(JsonDecoder.options.safeParse({ timestamp: 'ts' }).success, false, 'header options are capitalised');
  assert.equal(JsonDecoder.options.safeParse({ timestamp_format: 'epoch-ms' }).success, false);
  assert.equal(JsonDecoder.options.safeParse({ timestamp_location: 'Mars/Olympus' }).success, false);
  assert.equal(JsonDecoder.options.safeParse({ max_depth: 5000 }).success, false);
  assert.equal(JsonDecoder.options.safeParse({ separator: '' }).success, false);
});

test('a decoded message shrunk for a queue gives the same fields, parsed again from its record', () => {
  const line = JSON.stringify({ type: 'click', status: 503, req: { path: '/a', ms: 1.5 }, tags: ['x', 'y'], n: null });
  for (const options of [{ Type: 'type' }, { Type: 'type', payload_keep: false }, { Type: 'type', mapped_keys_keep: false }]) {
    const expected = plain(decode(line, options));
    const m = decode(line, options);
    m.shrink();
    assert.equal(m.value('req.ms'), 1.5, `lookup after shrink with ${JSON.stringify(options)}`);
    m.shrink();
    assert.deepEqual(plain(m), expected, `fields after shrink with ${JSON.stringify(options)}`);
  }
});
