// Heka-produced bytes decode to the expected messages. Two kinds of fixtures:
// - the record stream of Heka's own splitter test (pipeline/splitters_test.go, HekaFramingSpec),
//   67-byte frames written by a Heka node (Type "hekabench", host "trink-x230"), with garbage
//   between them, copied here as data;
// - Heka's test message (pipeline/testsupport/support.go, GetTestMessage) hand-encoded field by
//   field from message.proto, as Go's proto.Marshal lays it out, signed as Heka's
//   client/encoders.go signs (MD5 leaves hmac_hash_function unset; SHA1 sets it).
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { test } from 'node:test';
import { createMessage, DecodeError, Message } from '@hekate/core';
import {
  createSigner,
  decodeHekaMessage,
  encodeHekaMessage,
  frameSigned,
  hekaTypes,
  HekaFramingSplitter,
  scanFrames,
  SignatureVerifier,
} from '../src/index.js';
import { testContext } from './support/context.js';
import { framed, hex, lfield, vfield } from './support/proto-bytes.js';

const HEKABENCH_FRAME = hex(`
  1e 02 08 3e 1f
  0a 10 90 1d 56 27 ec 49 4c 8f ba 8e 84 9b aa f7 a6 f6
  10 a6 97 8a 8f b6 c1 ae 8e 13
  1a 09 68 65 6b 61 62 65 6e 63 68
  28 06
  3a 03 30 2e 38
  40 bf e5 01
  4a 0a 74 72 69 6e 6b 2d 78 32 33 30`);
const BOGUS = Buffer.from('BOGUS');
const HEKABENCH_STREAM = Buffer.concat([
  HEKABENCH_FRAME,
  HEKABENCH_FRAME,
  BOGUS,
  HEKABENCH_FRAME,
  BOGUS,
  hex('1e 02 08'),
]);

function split(bytes: Uint8Array, options: Record<string, unknown> = {}) {
  const ctx = testContext('HekaFramingSplitter');
  const splitter = HekaFramingSplitter.create(HekaFramingSplitter.options.parse(options), ctx);
  const out: Uint8Array[] = [];
  const consumed = splitter.split(bytes, out as never);
  return { out, consumed, counts: ctx.counts };
}

test('Heka splitter stream: three frames, garbage skipped, the partial header left for more data', () => {
  const { out, consumed, counts } = split(HEKABENCH_STREAM);
  assert.equal(out.length, 3);
  for (const record of out) assert.deepEqual(Buffer.from(record), HEKABENCH_FRAME.subarray(5));
  // Heka consumed 67 + 67 + 72 bytes and then waited on "BOGUS\x1e\x02\x08" for more.
  assert.equal(consumed, 67 + 67 + 72 + 5);
  assert.equal(counts.get('bytes_skipped'), 10);
  assert.equal(counts.get('bad_frames'), undefined);
});

test('Heka splitter stream: a header without its unit separator resyncs on the next record separator', () => {
  const { out, consumed, counts } = split(Buffer.concat([hex('1e 02 08 3e ff'), HEKABENCH_FRAME]));
  assert.equal(out.length, 1);
  assert.deepEqual(Buffer.from(out[0]!), HEKABENCH_FRAME.subarray(5));
  assert.equal(consumed, 72);
  assert.equal(counts.get('bad_frames'), 1);
});

test('Heka splitter stream: each message decodes to every header Heka wrote', () => {
  const message = decodeHekaMessage(HEKABENCH_FRAME.subarray(5));
  assert.equal(message.uuid, '901d5627-ec49-4c8f-ba8e-849baaf7a6f6');
  assert.equal(message.timestamp, 1377180144118172582n);
  assert.equal(message.type, 'hekabench');
  assert.equal(message.logger, '');
  assert.equal(message.severity, 6);
  assert.equal(message.payload, '');
  assert.equal(message.envVersion, '0.8');
  assert.equal(message.pid, 29375);
  assert.equal(message.hostname, 'trink-x230');
  assert.deepEqual(message.fields, []);
});

test("Heka splitter stream: re-encoding gives Heka's bytes, from raw and from scratch", () => {
  const bytes = HEKABENCH_FRAME.subarray(5);
  const decoded = decodeHekaMessage(bytes);
  assert.equal(encodeHekaMessage(decoded), bytes);
  assert.deepEqual(Buffer.from(encodeHekaMessage(decoded.clone())), bytes);
});

// Heka's GetTestMessage(), with a fixed uuid, timestamp and pid.
const TEST_UUID = hex('0123456789abcdef0123456789abcdef');
const TEST_TIMESTAMP = 1700000000123456789n;
const TEST_PID = 4242;
const TEST_MESSAGE_BYTES = Buffer.from([
  ...lfield(1, TEST_UUID),
  ...vfield(2, TEST_TIMESTAMP),
  ...lfield(3, 'TEST'),
  ...lfield(4, 'GoSpec'),
  ...vfield(5, 6),
  ...lfield(6, 'Test Payload'),
  ...lfield(7, '0.8'),
  ...vfield(8, TEST_PID),
  ...lfield(9, 'my.host.name'),
  // NewField("foo", "bar", "") sets name, value_type (even STRING = 0) and representation (even "").
  ...lfield(10, [...lfield(1, 'foo'), ...vfield(2, 0), ...lfield(3, ''), ...lfield(4, 'bar')]),
]);

function testMessage(): Message {
  return createMessage({
    uuid: '01234567-89ab-cdef-0123-456789abcdef',
    timestamp: TEST_TIMESTAMP,
    type: 'TEST',
    logger: 'GoSpec',
    severity: 6,
    payload: 'Test Payload',
    envVersion: '0.8',
    pid: TEST_PID,
    hostname: 'my.host.name',
    fields: [{ name: 'foo', value: 'bar' }],
  });
}

test("Heka's test message: encodes to exactly the bytes Go's proto.Marshal writes", () => {
  assert.deepEqual(Buffer.from(encodeHekaMessage(testMessage())), TEST_MESSAGE_BYTES);
});

test("Heka's test message: protobufjs with message.proto agrees on the bytes and the values", () => {
  const { Message: HekaMessage } = hekaTypes();
  const plain = {
    uuid: TEST_UUID,
    timestamp: TEST_TIMESTAMP.toString(),
    type: 'TEST',
    logger: 'GoSpec',
    severity: 6,
    payload: 'Test Payload',
    env_version: '0.8',
    pid: TEST_PID,
    hostname: 'my.host.name',
    fields: [{ name: 'foo', value_type: 0, representation: '', value_string: ['bar'] }],
  };
  assert.deepEqual(
    Buffer.from(HekaMessage.encode(HekaMessage.fromObject(plain)).finish()),
    TEST_MESSAGE_BYTES,
  );
  const reference = HekaMessage.toObject(HekaMessage.decode(TEST_MESSAGE_BYTES), {
    longs: String,
    bytes: String,
    enums: String,
  });
  const decoded = decodeHekaMessage(TEST_MESSAGE_BYTES);
  assert.equal(decoded.timestamp.toString(), reference.timestamp);
  assert.equal(decoded.hostname, reference.hostname);
  assert.deepEqual(decoded.fields, [
    { name: 'foo', type: 'string', values: ['bar'], representation: '' },
  ]);
  assert.deepEqual(reference.fields, [
    { name: 'foo', value_type: 'STRING', representation: '', value_string: ['bar'] },
  ]);
});

function signedHeader(hash: 'md5' | 'sha1', keyVersion: number, hmac: Buffer): number[] {
  return [
    ...vfield(1, TEST_MESSAGE_BYTES.length),
    ...(hash === 'sha1' ? vfield(3, 1) : []),
    ...lfield(4, 'test'),
    ...vfield(5, keyVersion),
    ...lfield(6, hmac),
  ];
}

const SIGNERS = { signer: { test_1: { hmac_key: 'testkey' } } };

for (const hash of ['md5', 'sha1'] as const) {
  test(`signing: a ${hash.toUpperCase()}-signed frame is byte-exact Heka framing and is authenticated`, () => {
    const hmac = createHmac(hash, 'testkey').update(TEST_MESSAGE_BYTES).digest();
    const expected = framed(signedHeader(hash, 1, hmac), TEST_MESSAGE_BYTES);
    assert.deepEqual(
      frameSigned(TEST_MESSAGE_BYTES, createSigner('test', 'testkey', hash, 1)),
      expected,
    );
    const { out, counts } = split(expected, SIGNERS);
    assert.deepEqual(
      out.map((r) => Buffer.from(r)),
      [TEST_MESSAGE_BYTES],
    );
    assert.equal(counts.get('hmac_failures'), undefined);
  });
}

test("signing: a frame signed with a key version the receiver does not have is dropped (Heka's expired key)", () => {
  const hmac = createHmac('md5', 'testkey').update(TEST_MESSAGE_BYTES).digest();
  const { out, counts } = split(framed(signedHeader('md5', 11, hmac), TEST_MESSAGE_BYTES), SIGNERS);
  assert.equal(out.length, 0);
  assert.equal(counts.get('hmac_failures'), 1);
});

test('signing: a frame with a wrong HMAC is dropped, and the next frame is read', () => {
  const wrong = createHmac('md5', 'testkey').update('some bytes').digest();
  const stream = Buffer.concat([
    framed(signedHeader('md5', 1, wrong), TEST_MESSAGE_BYTES),
    HEKABENCH_FRAME,
  ]);
  const { out, counts } = split(stream, SIGNERS);
  assert.deepEqual(
    out.map((r) => Buffer.from(r)),
    [HEKABENCH_FRAME.subarray(5)],
  );
  assert.equal(counts.get('hmac_failures'), 1);
});

test('signing: unsigned frames pass whatever signers are configured; skip_authentication accepts bad signatures', () => {
  assert.equal(split(HEKABENCH_FRAME, SIGNERS).out.length, 1);
  const wrong = createHmac('sha1', 'other').update(TEST_MESSAGE_BYTES).digest();
  const bad = framed(signedHeader('sha1', 1, wrong), TEST_MESSAGE_BYTES);
  assert.equal(split(bad, SIGNERS).out.length, 0);
  assert.equal(split(bad, { ...SIGNERS, skip_authentication: true }).out.length, 1);
});

test('signing: the verifier compares in constant time and refuses unknown hash functions', () => {
  const verifier = new SignatureVerifier({ test_1: { hmac_key: 'testkey' } });
  const hmac = createHmac('md5', 'testkey').update(TEST_MESSAGE_BYTES).digest();
  const header = {
    messageLength: TEST_MESSAGE_BYTES.length,
    hmacSigner: 'test',
    hmacKeyVersion: 1,
    hmac,
  };
  assert.equal(verifier.verify({ ...header, hmacHashFunction: 0 }, TEST_MESSAGE_BYTES), 'ok');
  assert.equal(
    verifier.verify({ ...header, hmacHashFunction: 7 }, TEST_MESSAGE_BYTES),
    'bad_signature',
  );
  assert.equal(
    verifier.verify({ ...header, hmacHashFunction: 0, hmac: hmac.subarray(1) }, TEST_MESSAGE_BYTES),
    'bad_signature',
  );
  assert.equal(
    verifier.verify({ ...header, hmacHashFunction: 0, hmacSigner: 'nobody' }, TEST_MESSAGE_BYTES),
    'unknown_signer',
  );
});

test('a frame announcing more than max_message_size is refused before its bytes arrive', () => {
  const ctx = testContext();
  const options = {
    maxMessageSize: 1024,
    verifier: undefined,
    onReject: (r: string) => ctx.counters.add(r),
    onSkip: () => {},
  };
  const out: Uint8Array[] = [];
  // Only the header has arrived: a frame within the limit waits (consumes nothing) ...
  assert.equal(scanFrames(framed([...vfield(1, 1024)], []), out, options), 0);
  // ... one over the limit is rejected at once and everything up to the next 0x1E is dropped.
  const header = framed([...vfield(1, 1025)], []);
  assert.equal(scanFrames(header, out, options), header.length);
  assert.equal(ctx.counts.get('too_large'), 1);
  assert.equal(out.length, 0);
});

test('decoding refuses what is not a Heka message, with the reason', () => {
  const cases: [Uint8Array, RegExp][] = [
    [Buffer.from([...lfield(1, [1, 2, 3]), ...vfield(2, 1)]), /uuid has 3 bytes/],
    [Buffer.from(vfield(2, 1)), /no uuid/],
    [Buffer.from(lfield(1, TEST_UUID)), /no timestamp/],
    [
      Buffer.from([...lfield(1, TEST_UUID), ...vfield(2, 1), ...lfield(10, lfield(3, 'x'))]),
      /no name/,
    ],
    [
      Buffer.from([
        ...lfield(1, TEST_UUID),
        ...vfield(2, 1),
        ...lfield(10, [...lfield(1, 'x'), ...vfield(2, 9)]),
      ]),
      /value_type 9/,
    ],
    [TEST_MESSAGE_BYTES.subarray(0, 30), /Truncated/],
    [HEKABENCH_FRAME, /itself Heka-framed/],
  ];
  for (const [bytes, reason] of cases) {
    assert.throws(
      () => decodeHekaMessage(bytes),
      (e: unknown) => e instanceof DecodeError && reason.test(e.message),
    );
  }
});
