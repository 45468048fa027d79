import assert from 'node:assert/strict';
import { test } from 'node:test';
import { JsonEncoder } from '../../../src/builtins/encoders/json-encoder.js';
import { PayloadEncoder } from '../../../src/builtins/encoders/payload-encoder.js';
import { RstEncoder } from '../../../src/builtins/encoders/rst-encoder.js';
import { createMessage, type Message } from '../../../src/message/message.js';
import { make } from '../test-context.js';

const UUID = '0f8fad5b-d9cb-469f-a165-70867728950e';
const TS = 1_717_200_000_123_456_789n;

function sample(): Message {
  return createMessage({
    uuid: UUID,
    timestamp: TS,
    type: 'api',
    logger: 'stdin',
    severity: 6,
    payload: 'GET /x "quoted"',
    envVersion: '1',
    pid: 42,
    hostname: 'h1',
    fields: [
      { name: 'status', value: 503 },
      { name: 'tag', value: 'a' },
      { name: 'tag', value: ['b', 'c'] },
      { name: 'bytes', value: Buffer.from('hi') },
      { name: 'big', value: 2n ** 63n - 1n },
      { name: 'small', value: 7n },
      { name: '__proto__', value: 'data' },
      { name: 'ratio', value: 0.5, representation: '%' },
    ],
  });
}

test('PayloadEncoder writes the payload and a newline', () => {
  assert.equal(make(PayloadEncoder).encode(sample()), 'GET /x "quoted"\n');
  assert.equal(make(PayloadEncoder, { append_newlines: false }).encode(sample()), 'GET /x "quoted"');
});

test('PayloadEncoder prefixes a timestamp in Heka format, with a space', () => {
  const encode = (options: Record<string, unknown>) => make(PayloadEncoder, options).encode(sample());
  assert.equal(encode({ prefix_ts: true }), '[2024/Jun/01:00:00:00 +0000] GET /x "quoted"\n');
  assert.equal(encode({ prefix_ts: true, ts_format: '%s| ' }), '1717200000| GET /x "quoted"\n');
  const now = encode({ prefix_ts: true, ts_from_message: false, ts_format: '%Y' });
  assert.equal(now, `${new Date().getUTCFullYear()} GET /x "quoted"\n`);
});

test('JsonEncoder writes every header and the fields as one object per line', () => {
  const line = make(JsonEncoder).encode(sample()) as string;
  assert.equal(
    line,
    '{"Uuid":"0f8fad5b-d9cb-469f-a165-70867728950e","Timestamp":"2024-06-01T00:00:00.123456789Z","Type":"api",' +
      '"Logger":"stdin","Severity":6,"Payload":"GET /x \\"quoted\\"","EnvVersion":"1","Pid":42,"Hostname":"h1",' +
      '"Fields":{"status":503,"tag":["a","b","c"],"bytes":"aGk=","big":"9223372036854775807","small":7,' +
      '"__proto__":"data","ratio":0.5}}\n',
  );
  const parsed = JSON.parse(line) as { Fields: Record<string, unknown> };
  assert.equal(Object.hasOwn(parsed.Fields, '__proto__'), true);
  assert.equal(({} as Record<string, unknown>).data, undefined);
});

test('JsonEncoder options: fields_only, include_payload, epoch_ns, append_newlines', () => {
  assert.equal(
    make(JsonEncoder, { fields_only: true, append_newlines: false }).encode(
      createMessage({ fields: [{ name: 'a.b', value: 1 }] }),
    ),
    '{"a.b":1}',
  );
  const line = make(JsonEncoder, { include_payload: false, timestamp_format: 'epoch_ns' }).encode(sample()) as string;
  const parsed = JSON.parse(line) as Record<string, unknown>;
  assert.equal(parsed.Timestamp, '1717200000123456789');
  assert.equal('Payload' in parsed, false);
  assert.equal(JsonEncoder.options.safeParse({ timestamp_format: 'iso' }).success, false);
});

test("RstEncoder writes Heka's reStructuredText dump", () => {
  const m = createMessage({
    uuid: UUID,
    timestamp: BigInt(Date.UTC(1971, 9, 7, 23, 47)) * 1_000_000n,
    type: 'test.type',
    hostname: 'somehost.example.com',
    pid: 12345,
    logger: 'loggyloglog',
    payload: 'This is the payload!',
    envVersion: '0.8',
    fields: [
      { name: 'intfield', value: [23, 24, 25], representation: 'count' },
      { name: 'stringfield', value: ['hold', 'your', 'head', 'up'], representation: 'foreigner' },
      { name: 'bool', value: [true, false] },
      { name: 'bool', value: false, representation: 'false' },
      { name: 'float', value: [345.6789, 139847987987987.878732819], representation: 'kelvin' },
      {
        name: 'bytes',
        value: [Buffer.from('encode me'), Buffer.from('and me'), Buffer.from('and me too')],
        representation: 'binary',
      },
      { name: 'small', value: [1e6, 123456.5, 0.0001, 0.00001, 2], type: 'double' },
    ],
  });
  assert.equal(
    make(RstEncoder).encode(m),
    `
:Timestamp: 1971-10-07 23:47:00 +0000 UTC
:Type: test.type
:Hostname: somehost.example.com
:Pid: 12345
:Uuid: ${UUID}
:Logger: loggyloglog
:Payload: This is the payload!
:EnvVersion: 0.8
:Severity: 7
:Fields:
    | name:"intfield" value_integer:[23,24,25] repr:"count"
    | name:"stringfield" value_string:["hold","your","head","up"] repr:"foreigner"
    | name:"bool" value_bool:[true,false]
    | name:"bool" value_bool:false repr:"false"
    | name:"float" value_double:[345.6789,1.3984798798798788e+14] repr:"kelvin"
    | name:"bytes" value_bytes:[ZW5jb2RlIG1l,YW5kIG1l,YW5kIG1lIHRvbw==] repr:"binary"
    | name:"small" value_double:[1e+06,123456.5,0.0001,1e-05,2]

`,
  );
  const bare = make(RstEncoder).encode(createMessage({ timestamp: 0n, uuid: UUID })) as string;
  assert.equal(bare.includes(':Fields:'), false);
});
