import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createMessage, nanosFromMillis } from '@hekate/core';
import fc from 'fast-check';
import { fieldRowMapper, payloadRowMapper } from '../src/row-mapping.js';
import { parseTableSchema } from '../src/table-schema.js';
import { ZonedClock } from '../src/zoned-clock.js';

const schema = parseTableSchema({
  fields: [
    { name: 'id', type: 'STRING', mode: 'REQUIRED' },
    { name: 'event_time', type: 'TIMESTAMP' },
    { name: 'day', type: 'DATE' },
    { name: 'status', type: 'INT64' },
    { name: 'latency', type: 'FLOAT' },
    { name: 'ok', type: 'BOOL' },
    { name: 'body', type: 'BYTES' },
    { name: 'tags', type: 'STRING', mode: 'REPEATED' },
    { name: 'severity', type: 'INTEGER' },
    { name: 'extra', type: 'JSON' },
    { name: 'geo', type: 'RECORD', fields: [{ name: 'lat', type: 'FLOAT' }, { name: 'lon', type: 'FLOAT' }] },
    { name: 'hits', type: 'RECORD', mode: 'REPEATED', fields: [{ name: 'n', type: 'INTEGER' }] },
  ],
});
const utc = new ZonedClock('UTC');
const columns = { id: 'Uuid', event_time: 'Timestamp', severity: 'Severity', 'geo.lat': 'Fields[latitude]' };
const timestamp = nanosFromMillis(Date.UTC(2026, 4, 18, 23, 30, 0, 123)) + 456_789n;

test('fields become typed columns, headers and renamed fields included', () => {
  const map = fieldRowMapper(schema.columns, columns, 'ignore', new ZonedClock('Asia/Tokyo'));
  const message = createMessage({
    uuid: '0b7c3f6e-2f4a-4c8e-9a57-3b9f1d2e4a10',
    timestamp,
    severity: 4,
    fields: [
      { name: 'status', value: '503' },
      { name: 'latency', value: 12n },
      { name: 'ok', value: 'TRUE' },
      { name: 'body', value: new Uint8Array([104, 105]) },
      { name: 'tags', value: ['a', 'b'] },
      { name: 'tags', value: 'c' },
      { name: 'day', value: Date.UTC(2026, 4, 18, 23, 30), representation: 'ms' },
      { name: 'extra', value: '{"k":1}' },
      { name: 'latitude', value: 1.5 },
      { name: 'geo.lon', value: 103 },
      { name: 'not_a_column', value: 'dropped' },
    ],
  });
  assert.deepEqual(map(message, undefined)[0], {
    id: '0b7c3f6e-2f4a-4c8e-9a57-3b9f1d2e4a10',
    event_time: '2026-05-18T23:30:00.123456Z',
    day: '2026-05-19',
    status: '503',
    latency: 12,
    ok: true,
    body: 'aGk=',
    tags: ['a', 'b', 'c'],
    severity: 4,
    extra: '{"k":1}',
    geo: { lat: 1.5, lon: 103 },
  });
});

test('a value that does not fit its column, or a missing required one, is the reason', () => {
  const map = fieldRowMapper(schema.columns, {}, 'ignore', utc);
  const status = (value: string | number) =>
    map(createMessage({ fields: [{ name: 'id', value: 'x' }, { name: 'status', value }] }), undefined);
  assert.throws(() => status('abc'), { message: 'column status: cannot store string "abc" as INTEGER' });
  assert.throws(() => status(1.5), { message: 'column status: cannot store number 1.5 as INTEGER' });
  assert.throws(() => map(createMessage({ fields: [{ name: 'status', value: 1 }] }), undefined), {
    message: 'required column id has no value',
  });
  assert.throws(() => map(createMessage({ fields: [{ name: 'id', value: ['a', 'b'] }] }), undefined), {
    message: 'column id: the value is an array of 2 but the column is not REPEATED',
  });
});

test('unknown_fields = "reject" names the field without a column', () => {
  const map = fieldRowMapper(schema.columns, columns, 'reject', utc);
  const message = createMessage({ fields: [{ name: 'latitude', value: 1 }, { name: 'referer', value: 'x' }] });
  assert.throws(() => map(message, undefined), { message: 'field "referer" has no column in the schema' });
  assert.doesNotThrow(() => map(createMessage({ fields: [{ name: 'latitude', value: 1 }] }), undefined));
});

test('columns must name leaf columns of the schema', () => {
  assert.throws(() => fieldRowMapper(schema.columns, { nope: 'Uuid' }, 'ignore', utc), /no column "nope"/);
  assert.throws(() => fieldRowMapper(schema.columns, { geo: 'Fields[g]' }, 'ignore', utc), /RECORD/);
});

test('a column called __proto__ is data, not a prototype', () => {
  const odd = parseTableSchema([{ name: '__proto__', type: 'STRING' }]);
  const map = fieldRowMapper(odd.columns, {}, 'ignore', utc);
  const row = map(createMessage({ fields: [{ name: '__proto__', value: 'x' }] }), undefined)[0]!;
  assert.equal(JSON.stringify(row), '{"__proto__":"x"}');
  assert.equal(Object.getPrototypeOf(row), Object.prototype);
});

test('INTEGER keeps every integer exact, whatever its JS type', () => {
  const map = fieldRowMapper(parseTableSchema([{ name: 'n', type: 'INTEGER' }]).columns, {}, 'ignore', utc);
  fc.assert(
    fc.property(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), (n) => {
      const value = n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
      const row = map(createMessage({ fields: [{ name: 'n', value }] }), undefined)[0]!;
      assert.equal(String(row.n), n.toString());
    }),
  );
});

test('TIMESTAMP from nanoseconds is exact to the microsecond', () => {
  const { columns: timestamp } = parseTableSchema([{ name: 't', type: 'TIMESTAMP' }]);
  const map = fieldRowMapper(timestamp, { t: 'Timestamp' }, 'ignore', utc);
  fc.assert(
    fc.property(fc.bigInt({ min: -62_135_596_800_000_000_000n, max: 253_402_300_799_999_999_999n }), (ns) => {
      const text = map(createMessage({ timestamp: ns }), undefined)[0]!.t as string;
      const ms = Date.parse(text);
      assert.equal(BigInt(ms) * 1000n + BigInt(Number(text.slice(23, 26))), ns / 1000n);
    }),
  );
});

test('payload rows: one JSON object per line, from the encoder when there is one', () => {
  const message = createMessage({ payload: '{"id":"a"}\n\n  {"id":"b"}\r\n' });
  assert.deepEqual(payloadRowMapper(message, undefined), [{ id: 'a' }, { id: 'b' }]);
  assert.deepEqual(payloadRowMapper(message, new TextEncoder().encode('{"id":"c"}\n')), [{ id: 'c' }]);
  assert.deepEqual(payloadRowMapper(createMessage({ payload: '' }), undefined), []);
  const rows = (payload: string) => payloadRowMapper(createMessage({ payload }), undefined);
  assert.throws(() => rows('{"id":"a"}\n{"id":'), /^Error: line 2 is not JSON/);
  assert.throws(() => rows('[1]'), { message: 'line 1 is not a JSON object' });
});
