// Round trips of generated messages through encode, frame, split and decode, byte for byte,
// checked against protobufjs reading the same bytes with Heka's message.proto.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { createMessage, EncodeError, frameHekaRecord, Message } from '@hekate/core';
import { decodeHekaMessage, encodeHekaMessage, hekaTypes, scanFrames } from '../src/index.js';
import { message, snapshot } from './support/arbitraries.js';
import { dfield, lfield, varint, vfield } from './support/proto-bytes.js';

const SCAN = { maxMessageSize: 1 << 20, verifier: undefined, onReject: () => {}, onSkip: () => {} };

/** Splits a stream delivered in the given chunk sizes, holding the tail as core's splitter stream does. */
function splitChunked(stream: Uint8Array, sizes: readonly number[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  let held: Uint8Array = new Uint8Array(0);
  let at = 0;
  for (let i = 0; at < stream.length; i++) {
    const size = Math.max(1, sizes[i % sizes.length]!);
    const buf = Buffer.concat([held, stream.subarray(at, at + size)]);
    at += size;
    held = buf.subarray(scanFrames(buf, out, SCAN));
  }
  assert.equal(held.length, 0);
  return out;
}

test('generated messages: encode → frame → split (any chunking) → decode → encode is byte-exact', () => {
  fc.assert(
    fc.property(
      fc.array(message, { minLength: 1, maxLength: 6 }),
      fc.array(fc.integer({ min: 1, max: 300 }), { minLength: 1 }),
      (messages, sizes) => {
        const encoded = messages.map((m) => Buffer.from(encodeHekaMessage(m)));
        const records = splitChunked(Buffer.concat(encoded.map(frameHekaRecord)), sizes);
        assert.deepEqual(
          records.map((r) => Buffer.from(r)),
          encoded,
        );
        records.forEach((record, i) => {
          const decoded = decodeHekaMessage(record);
          assert.deepEqual(snapshot(decoded), snapshot(messages[i]!));
          // From scratch (a clone is re-encoded) as well as from raw.
          assert.deepEqual(Buffer.from(encodeHekaMessage(decoded.clone())), encoded[i]);
          assert.equal(encodeHekaMessage(decoded), record);
        });
      },
    ),
    { numRuns: 300 },
  );
});

test('generated messages: protobufjs decodes our bytes to the same values, and we decode its bytes', () => {
  const { Message: HekaMessage } = hekaTypes();
  const types = ['STRING', 'BYTES', 'INTEGER', 'DOUBLE', 'BOOL'];
  fc.assert(
    fc.property(message, (m) => {
      const bytes = encodeHekaMessage(m);
      const ref = HekaMessage.toObject(HekaMessage.decode(bytes), {
        longs: String,
        enums: String,
        defaults: true,
        arrays: true,
      });
      assert.equal(ref.timestamp, m.timestamp.toString());
      assert.equal(Buffer.from(ref.uuid).toString('hex'), m.uuid.replaceAll('-', ''));
      assert.deepEqual(
        [ref.type, ref.logger, ref.severity, ref.payload, ref.env_version, ref.pid, ref.hostname],
        [m.type, m.logger, m.severity, m.payload, m.envVersion, m.pid, m.hostname],
      );
      ref.fields.forEach(
        (f: Record<string, unknown[]> & { name: string; value_type: string }, i: number) => {
          const mine = m.fields[i]!;
          assert.equal(f.name, mine.name);
          assert.equal(
            f.value_type,
            types[['string', 'bytes', 'integer', 'double', 'bool'].indexOf(mine.type)],
          );
          const key = `value_${mine.type}`;
          const theirs = (f[key] ?? []).map((v) =>
            mine.type === 'integer' ? BigInt(v as string) : v instanceof Uint8Array ? [...v] : v,
          );
          const ours = mine.values.map((v) =>
            mine.type === 'integer' ? BigInt(v as number) : v instanceof Uint8Array ? [...v] : v,
          );
          assert.deepEqual(theirs, ours);
        },
      );
      // protobufjs's own encoding of the same message decodes to the same Hekate message.
      const theirBytes = HekaMessage.encode(HekaMessage.decode(bytes)).finish();
      assert.deepEqual(snapshot(decodeHekaMessage(theirBytes)), snapshot(m));
    }),
    { numRuns: 300 },
  );
});

const UUID = [...Buffer.alloc(16, 7)];
const BASE = [...lfield(1, UUID), ...vfield(2, 5)];

test('decoding accepts unpacked repeated values and repeated packed runs, in wire order', () => {
  const field = [
    ...lfield(1, 'n'),
    ...vfield(2, 2),
    ...vfield(6, 1),
    ...lfield(6, [...varint(2), ...varint(-3)]),
    ...vfield(6, 2n ** 60n),
  ];
  const m = decodeHekaMessage(Buffer.from([...BASE, ...lfield(10, field)]));
  assert.deepEqual(m.fields[0]!.values, [1, 2, -3, 2n ** 60n]);
  const doubles = [
    ...lfield(1, 'd'),
    ...vfield(2, 3),
    ...dfield(7, 1.5),
    ...lfield(7, [...Buffer.from(new Float64Array([-0, 2]).buffer)]),
  ];
  assert.deepEqual(
    decodeHekaMessage(Buffer.from([...BASE, ...lfield(10, doubles)])).fields[0]!.values,
    [1.5, -0, 2],
  );
});

test("decoding keeps only the values of the field's own type, skips unknown members, and defaults as Heka reads", () => {
  const field = [
    ...lfield(1, 'mixed'),
    ...lfield(4, 'a string'),
    ...vfield(2, 4),
    ...vfield(8, 1),
    ...vfield(99, 1),
  ];
  const m = decodeHekaMessage(
    Buffer.from([...BASE, ...lfield(10, field), ...lfield(42, 'future header')]),
  );
  assert.deepEqual(m.fields, [{ name: 'mixed', type: 'bool', values: [true], representation: '' }]);
  assert.equal(m.severity, 7);
  assert.equal(m.pid, 0);
  assert.equal(m.type, '');
});

test('fields are built lazily: a lookup builds one field, and lookups by index follow repeated names', () => {
  const f = (name: string, value: string) => lfield(10, [...lfield(1, name), ...lfield(4, value)]);
  const m = decodeHekaMessage(
    Buffer.from([...BASE, ...f('a', '1'), ...f('b', '2'), ...f('a', '3')]),
  );
  assert.equal(m.value('a', 1), '3');
  assert.equal(m.value('b'), '2');
  assert.equal(m.field('a', 2), undefined);
  assert.deepEqual(
    m.fields.map((x) => x.values[0]),
    ['1', '2', '3'],
  );
});

test('encoding refuses what Heka cannot carry, with the reason', () => {
  const cases: [Partial<Record<string, unknown>>, RegExp][] = [
    [{ uuid: 'not-a-uuid' }, /uuid "not-a-uuid"/],
    [{ timestamp: 2n ** 63n }, /timestamp .* outside int64/],
    [{ severity: 1.5 }, /severity 1.5/],
    [{ pid: 2 ** 31 }, /pid/],
  ];
  for (const [init, reason] of cases) {
    const m = createMessage({ uuid: '01234567-89ab-cdef-0123-456789abcdef' });
    Object.assign(m, init);
    assert.throws(
      () => encodeHekaMessage(m),
      (e: unknown) => e instanceof EncodeError && reason.test(e.message),
    );
  }
  const m = new Message(0n);
  m.fields = [{ name: 'n', type: 'integer', values: [1.5], representation: '' }];
  assert.throws(() => encodeHekaMessage(m), /number value 1.5 in integer field "n"/);
  m.fields = [{ name: 'n', type: 'integer', values: [2n ** 64n], representation: '' }];
  assert.throws(() => encodeHekaMessage(m), EncodeError);
});

test('uuid text in upper case or without dashes encodes to the same 16 bytes', () => {
  const a = createMessage({ uuid: '01234567-89ab-cdef-0123-456789abcdef', timestamp: 1n });
  const b = createMessage({ uuid: '0123456789ABCDEF0123456789ABCDEF', timestamp: 1n });
  assert.deepEqual(encodeHekaMessage(a), encodeHekaMessage(b));
});
