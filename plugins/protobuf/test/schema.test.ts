// SchemaDecoder and SchemaEncoder on a user's .proto: one schema, two wire formats.
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import protobuf from 'protobufjs';
import { createMessage, DecodeError, EncodeError, type Message } from '@hekate/core';
import { SchemaDecoder, SchemaEncoder } from '../src/index.js';
import { snapshot } from './support/arbitraries.js';
import { testContext } from './support/context.js';

const FIXTURES = fileURLToPath(new URL('../../test/fixtures/', import.meta.url));
const TYPE = 'acme.logs.Request';
const Request = new protobuf.Root()
  .loadSync(`${FIXTURES}request.proto`, { keepCase: true })
  .lookupType(TYPE);

const BASE = { proto_file: 'request.proto', message_type: TYPE };

function decoder(options: Record<string, unknown> = {}) {
  return SchemaDecoder.create(
    SchemaDecoder.options.parse({ ...BASE, Timestamp: 'time', Severity: 'level', ...options }),
    testContext('schema', FIXTURES),
  );
}

function encoder(options: Record<string, unknown> = {}) {
  return SchemaEncoder.create(
    SchemaEncoder.options.parse({ ...BASE, ...options }),
    testContext('schema', FIXTURES),
  );
}

/** A record as an input delivers it: bytes in raw, or text in the payload. */
function record(body: Uint8Array | string): Message {
  const m = createMessage({
    uuid: '01234567-89ab-cdef-0123-456789abcdef',
    timestamp: 1n,
    logger: 'in',
  });
  if (typeof body === 'string') m.payload = body;
  else m.raw = body;
  return m;
}

function decode(d: ReturnType<typeof decoder>, body: Uint8Array | string): Message {
  return d.decode(record(body)) as Message;
}

const REQUEST = {
  time: '2024-06-01T12:00:00.123456789Z',
  method: 'GET',
  url: '/api/v2/search',
  status: 503,
  latency_ns: '123456789012',
  bytes: '18446744073709551615',
  score: 0.25,
  cached: true,
  level: 'ERROR',
  client: { ip: '10.0.0.7', user_agent: 'curl/8', country: 'GB' },
  tags: ['search', 'v2'],
  labels: { env: 'prod' },
  trace_id: 'AAECAw==',
  partner: '',
};

const BINARY = Request.encode(
  Request.fromObject({
    ...REQUEST,
    time: { seconds: 1717243200, nanos: 123456789 },
    level: 4,
    trace_id: Buffer.from([0, 1, 2, 3]),
  }),
).finish();

// The same request as a client would send it as JSON: lowerCamelCase names, numbers for int64.
const JSON_TEXT = JSON.stringify({
  ...REQUEST,
  latency_ns: undefined,
  latencyNs: 123456789012,
  client: { ip: '10.0.0.7', userAgent: 'curl/8', country: 'GB' },
});

test('the same request as binary protobuf and as JSON gives identical messages', () => {
  const d = decoder();
  const fromBinary = decode(d, BINARY);
  assert.deepEqual(snapshot(decode(d, JSON_TEXT)), snapshot(fromBinary));
  assert.deepEqual(snapshot(decode(d, Buffer.from(`  ${JSON_TEXT}`))), snapshot(fromBinary));
  assert.deepEqual(
    snapshot(decoder({ format: 'binary' }).decode(record(BINARY)) as Message),
    snapshot(fromBinary),
  );
});

test('the decoded request: headers mapped, nested names flattened, 64-bit integers exact', () => {
  const m = decode(decoder(), BINARY);
  assert.equal(m.timestamp, 1717243200123456789n);
  assert.equal(m.severity, 3);
  assert.equal(m.value('status'), 503);
  assert.equal(m.field('status')!.type, 'integer');
  assert.equal(m.value('latency_ns'), 123456789012);
  // Beyond 2^53 a 64-bit integer stays exact as text.
  assert.equal(m.value('bytes'), '18446744073709551615');
  assert.equal(m.value('client.user_agent'), 'curl/8');
  assert.deepEqual(m.field('tags')!.values, ['search', 'v2']);
  assert.equal(m.value('labels.env'), 'prod');
  assert.equal(m.value('trace_id'), 'AAECAw==');
  assert.equal(m.value('level'), 'ERROR');
  assert.equal(m.value('partner'), ''); // explicit presence: an empty optional string is kept
  assert.equal(m.raw, undefined);
  assert.equal(JSON.parse(m.payload).client.user_agent, 'curl/8');
});

test('verification failures are decode failures with the reason', () => {
  const d = decoder();
  const cases: [Uint8Array | string, RegExp][] = [
    [JSON.stringify({ status: 'five hundred' }), /status/],
    [JSON.stringify({ stauts: 503 }), /stauts.*unknown field|unknown field.*stauts/],
    [JSON.stringify({ status: 1, status_code: 2 }), /status_code/],
    ['{"status": 5', /acme\.logs\.Request/],
    [Buffer.from([0x22, 0x05, 0x01]), /acme\.logs\.Request/],
  ];
  for (const [body, reason] of cases) {
    assert.throws(
      () => decode(d, body),
      (e: unknown) => e instanceof DecodeError && reason.test(e.message),
      String(body),
    );
  }
  assert.equal(
    decode(
      decoder({ ignore_unknown_fields: true }),
      JSON.stringify({ stauts: 1, status: 2 }),
    ).value('status'),
    2,
  );
});

test('a record JsonDecoder refuses is reported as it arrived', () => {
  const d = decoder({ max_fields: 2 });
  const m = record(BINARY);
  assert.throws(() => d.decode(m), /max|fields/i);
  assert.equal(m.raw, BINARY);
  assert.equal(m.payload, '');
});

test('a schema that cannot be loaded fails every record with the reason, not the pipeline', () => {
  const d = SchemaDecoder.create(
    SchemaDecoder.options.parse({ ...BASE, proto_file: 'missing.proto' }),
    testContext('s', FIXTURES),
  );
  for (let i = 0; i < 2; i++)
    assert.throws(
      () => decode(d, '{}'),
      (e: unknown) => e instanceof DecodeError && /cannot load/.test(e.message),
    );
  const e = SchemaDecoder.create(
    SchemaDecoder.options.parse({ ...BASE, message_type: 'acme.logs.Nope' }),
    testContext('s', FIXTURES),
  );
  assert.throws(() => decode(e, '{}'), /acme\.logs\.Nope/);
});

test('SchemaEncoder writes a decoded request back as the same protobuf and the same canonical JSON', () => {
  const m = decode(decoder(), BINARY);
  const binary = encoder({ Timestamp: 'time' }).encode(m) as Uint8Array;
  assert.deepEqual(
    Request.toObject(Request.decode(binary), { longs: String }),
    Request.toObject(Request.decode(BINARY), { longs: String }),
  );
  assert.deepEqual(Buffer.from(binary), Buffer.from(BINARY));
  assert.equal(encoder({ format: 'json' }).encode(m), m.payload);
});

test('SchemaEncoder maps headers into members, in the format the target field needs', () => {
  const m = createMessage({
    timestamp: 1717243200123456789n,
    type: 'GET',
    severity: 4,
    fields: [
      { name: 'client.ip', value: '::1' },
      { name: 'extra', value: 1 },
    ],
  });
  const bytes = encoder({ Timestamp: 'time', Type: 'method', Severity: 'status' }).encode(
    m,
  ) as Uint8Array;
  const out = Request.toObject(Request.decode(bytes), { longs: String });
  assert.deepEqual(out, {
    time: { seconds: '1717243200', nanos: 123456789 },
    method: 'GET',
    status: 4,
    client: { ip: '::1' },
  });
  const ns = encoder({ Timestamp: 'latency_ns' }).encode(m) as Uint8Array;
  assert.equal(
    Request.toObject(Request.decode(ns), { longs: String }).latency_ns,
    '1717243200123456789',
  );
  const s = encoder({ Timestamp: 'score', timestamp_format: 'epoch_ms' }).encode(m) as Uint8Array;
  assert.equal(Request.toObject(Request.decode(s)).score, Number(1717243200123456789n) / 1e6);
});

test('SchemaEncoder refuses messages that do not fit the schema, with the reason', () => {
  const strict = encoder({ ignore_unknown_fields: false });
  assert.throws(
    () => strict.encode(createMessage({ fields: [{ name: 'extra', value: 1 }] })),
    (e: unknown) => e instanceof EncodeError && /extra/.test(e.message),
  );
  const m = createMessage({ fields: [{ name: 'status', value: 'five hundred' }] });
  assert.throws(
    () => encoder().encode(m),
    (e: unknown) => e instanceof EncodeError && /status/.test(e.message),
  );
  const clash = createMessage({
    fields: [
      { name: 'client', value: 'x' },
      { name: 'client.ip', value: 'y' },
    ],
  });
  assert.throws(() => encoder().encode(clash), /client/);
});
