// ProtobufEncoder writes a decoded message's own bytes back only while it provably has not
// changed: Heka's bytes (explicit empty strings, unpacked values, unknown members) survive a
// relay untouched, and any change is re-encoded.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Message } from '@hekate/core';
import { DecodedHekaMessage, decodeHekaMessage, encodeHekaMessage } from '../src/index.js';
import { lfield, vfield } from './support/proto-bytes.js';

// Not canonical: an explicit empty logger, an unpacked integer and an unknown member 20.
const HEKA_BYTES = Buffer.from([
  ...lfield(1, Buffer.alloc(16, 0xab)),
  ...vfield(2, 1_700_000_000_000_000_000n),
  ...lfield(3, 'app.log'),
  ...lfield(4, ''),
  ...vfield(5, 3),
  ...lfield(10, [...lfield(1, 'status'), ...vfield(2, 2), ...vfield(6, 503)]),
  ...vfield(20, 1),
]);

test('an unchanged decoded message is written as its original bytes, even non-canonical ones', () => {
  const m = decodeHekaMessage(HEKA_BYTES);
  assert.equal(m.value('status'), 503);
  void m.fields; // building the fields is reading, not changing
  assert.equal(encodeHekaMessage(m), m.raw);
});

test('a message shrunk for a queue is still unchanged', () => {
  const m = decodeHekaMessage(Buffer.concat([HEKA_BYTES, Buffer.from(lfield(6, 'a payload long enough to be copied'))]));
  m.shrink();
  assert.equal(m.payload, 'a payload long enough to be copied');
  assert.equal(encodeHekaMessage(m), m.raw);
});

const changes: [string, (m: Message) => void][] = [
  ['a header', (m) => (m.severity = 2)],
  ['the timestamp', (m) => (m.timestamp += 1n)],
  ['the uuid', (m) => (m.uuid = '00000000-0000-0000-0000-000000000000')],
  ['the uuid bytes', (m) => m.setBinaryUuid(new Uint8Array(16))],
  ['raw', (m) => (m.raw = new Uint8Array(0))],
  ['addField', (m) => m.addField('extra', 1)],
  ['setField', (m) => m.setField('status', 200)],
  ['removeField', (m) => m.removeField('nothing')],
  ['fields =', (m) => (m.fields = [...m.fields])],
  ['setFieldSource', (m) => m.setFieldSource({ lookup: () => undefined, materialize: () => [] })],
];

for (const [what, change] of changes) {
  test(`changing ${what} makes the encoder re-encode`, () => {
    const m = decodeHekaMessage(HEKA_BYTES);
    change(m);
    const bytes = encodeHekaMessage(m);
    assert.notEqual(bytes, m.raw);
    assert.notDeepEqual(Buffer.from(bytes), HEKA_BYTES);
  });
}

test('a clone is always re-encoded (canonically)', () => {
  const m = decodeHekaMessage(HEKA_BYTES);
  const bytes = Buffer.from(encodeHekaMessage(m.clone()));
  assert.notDeepEqual(bytes, HEKA_BYTES);
  const again = decodeHekaMessage(bytes);
  assert.deepEqual(
    [again.type, again.logger, again.severity, again.value('status')],
    ['app.log', '', 3, 503],
  );
});

test("every member of core's Message is known to read or to be tracked (review when Message gains one)", () => {
  // Readers; the uuid accessors, which `unchanged` compares with the decoded value through
  // `uuid`; and shrink, which only swaps the payload for an equal string.
  const untracked = [
    'binaryUuid', 'clone', 'constructor', 'field', 'fieldSource', 'hasFields', 'setBinaryUuid', 'shrink', 'uuid', 'value',
  ];
  const trackedMutators = ['addField', 'fields', 'removeField', 'setField', 'setFieldSource'];
  assert.deepEqual(
    Object.getOwnPropertyNames(Message.prototype).sort(),
    [...untracked, ...trackedMutators].sort(),
  );
  for (const name of trackedMutators)
    assert.ok(Object.hasOwn(DecodedHekaMessage.prototype, name), name);
});
