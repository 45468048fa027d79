import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PayloadRegexDecoder } from '../../../src/builtins/decoders/payload-regex-decoder.js';
import { hasCode } from '../../../src/errors.js';
import { createMessage, type Message } from '../../../src/message/message.js';
import { make, testContext } from '../test-context.js';

const NGINX_LINE =
  '203.0.113.9 - alice [01/Jun/2024:02:00:00 +0200] "GET /api/v2/search?q=1 HTTP/1.1" 503 1234 "-" "curl/8.0"';
const NGINX_REGEX =
  '^(?P<RemoteIP>\\S+) \\S+ (?P<User>\\S+) \\[(?P<Timestamp>[^\\]]+)\\] "(?P<Method>[A-Z]+) (?P<Url>\\S+) ' +
  '(?P<Protocol>[^"]+)" (?P<Status>\\d{3}) (?P<Bytes>\\d+) "(?P<Referer>[^"]*)" "(?P<Agent>[^"]*)"$';
const LAYOUT = '02/Jan/2006:15:04:05 -0700';

function decode(payload: string, options: Record<string, unknown>, ctx = testContext()): Message | undefined {
  const decoder = make(PayloadRegexDecoder, options, ctx);
  return decoder.decode(createMessage({ payload, timestamp: 1n })) as Message | undefined;
}

test('PayloadRegexDecoder turns every named group into a string field and reads the Timestamp', () => {
  const m = decode(NGINX_LINE, { match_regex: NGINX_REGEX, timestamp_layout: LAYOUT })!;
  assert.equal(m.timestamp, 1_717_200_000_000_000_000n);
  assert.equal(m.payload, NGINX_LINE);
  assert.deepEqual(
    m.fields.map((f) => [f.name, f.type, f.values[0]]),
    [
      ['RemoteIP', 'string', '203.0.113.9'], ['User', 'string', 'alice'], ['Method', 'string', 'GET'],
      ['Url', 'string', '/api/v2/search?q=1'], ['Protocol', 'string', 'HTTP/1.1'], ['Status', 'string', '503'],
      ['Bytes', 'string', '1234'], ['Referer', 'string', '-'], ['Agent', 'string', 'curl/8.0'],
    ],
  );
});

test('PayloadRegexDecoder message_fields set headers and fields from templates', () => {
  const m = decode(NGINX_LINE, {
    match_regex: NGINX_REGEX,
    timestamp_layout: LAYOUT,
    message_fields: {
      Type: 'nginx.access',
      Hostname: '%RemoteIP%',
      Payload: '%Method% %Url%',
      Pid: '%Bytes%',
      'Bytes|B': '%Bytes%',
      'Payload|text': 'was %Status%',
      request: '%Method% %Missing%',
      sampled: true,
      weight: 2,
    },
  })!;
  assert.equal(m.type, 'nginx.access');
  assert.equal(m.hostname, '203.0.113.9');
  assert.equal(m.payload, 'GET /api/v2/search?q=1');
  assert.equal(m.pid, 1234);
  assert.deepEqual(
    m.fields.map((f) => [f.name, f.type, f.values[0], f.representation]),
    [
      ['Bytes', 'string', '1234', 'B'],
      ['Payload', 'string', 'was 503', 'text'],
      ['request', 'string', 'GET <Missing>', ''],
      ['sampled', 'bool', true, ''],
      ['weight', 'integer', 2, ''],
    ],
  );
});

test('PayloadRegexDecoder interpolates fields the message already has', () => {
  const d = make(PayloadRegexDecoder, { match_regex: '(?P<n>\\d+)', message_fields: { label: '%app%-%n%' } });
  const m = d.decode(createMessage({ payload: 'x 42', fields: [{ name: 'app', value: 'web' }] })) as Message;
  assert.equal(m.value('label'), 'web-42');
});

test('PayloadRegexDecoder maps severities and counts the ones it cannot read', () => {
  const ctx = testContext();
  const options = { match_regex: '^(?P<Severity>\\w+): (?P<Timestamp>\\S+)', severity_map: { LOUD: 1 } };
  assert.equal(decode('LOUD: 2024-06-01T00:00:00Z', options)!.severity, 1);
  assert.equal(decode('3: 2024-06-01T00:00:00Z', options)!.severity, 3);
  assert.equal(decode('warning: 2024-06-01T00:00:00Z', options)!.severity, 4);
  const m = decode('weird: yesterday', options, ctx)!;
  assert.equal(m.severity, 7);
  assert.equal(m.timestamp, 1n, 'an unreadable timestamp keeps the old one');
  assert.equal(ctx.counters.get('header_failures'), 2);
});

test('PayloadRegexDecoder without a layout tries RFC 3339 and Go standard layouts', () => {
  const options = { match_regex: '^(?P<Timestamp>.+)$' };
  assert.equal(decode('2024-06-01T00:00:00.5Z', options)!.timestamp, 1_717_200_000_500_000_000n);
  assert.equal(decode('Sat, 01 Jun 2024 00:00:00 UTC', options)!.timestamp, 1_717_200_000_000_000_000n);
  assert.equal(decode('Sat Jun  1 00:00:00 2024', options)!.timestamp, 1_717_200_000_000_000_000n);
});

test('PayloadRegexDecoder epoch layouts and timestamp_location', () => {
  const epoch = (layout: string, text: string) =>
    decode(text, { match_regex: '^(?P<Timestamp>.+)$', timestamp_layout: layout })!.timestamp;
  assert.equal(epoch('Epoch', '1717200000.25'), 1_717_200_000_250_000_000n);
  assert.equal(epoch('EpochMilli', '1717200000250'), 1_717_200_000_250_000_000n);
  assert.equal(epoch('EpochMicro', '1717200000250001'), 1_717_200_000_250_001_000n);
  assert.equal(epoch('EpochNano', '1717200000250001002'), 1_717_200_000_250_001_002n);
  const local = decode('2024-06-01 02:00:00', {
    match_regex: '^(?P<Timestamp>.+)$',
    timestamp_layout: '2006-01-02 15:04:05',
    timestamp_location: '+02:00',
  })!;
  assert.equal(local.timestamp, 1_717_200_000_000_000_000n);
});

test('PayloadRegexDecoder: no match is a decode error, or a silent drop without log_errors', () => {
  assert.throws(
    () => decode('nope', { match_regex: '^(?P<a>\\d+)$' }),
    (e: unknown) => hasCode(e, 'HEKATE_ERR_DECODE'),
  );
  assert.equal(decode('nope', { match_regex: '^(?P<a>\\d+)$', log_errors: false }), undefined);
});

test('PayloadRegexDecoder refuses a bad header value and leaves the message untouched', () => {
  const message = createMessage({ payload: 'abc', type: 'in' });
  const d = make(PayloadRegexDecoder, { match_regex: '(?P<x>\\w+)', message_fields: { Type: 'new', Pid: '%x%' } });
  assert.throws(() => d.decode(message), /Pid/);
  assert.equal(message.type, 'in');
  assert.equal(message.fields.length, 0);
});

test('PayloadRegexDecoder reads raw bytes into the Payload', () => {
  const d = make(PayloadRegexDecoder, { match_regex: '(?P<word>\\w+)' });
  const m = d.decode(createMessage({ raw: Buffer.from('héllo') })) as Message;
  assert.equal(m.payload, 'héllo');
  assert.equal(m.raw, undefined);
  assert.equal(m.value('word'), 'h');
});

test('PayloadRegexDecoder options are validated', () => {
  const valid = (options: Record<string, unknown>) => PayloadRegexDecoder.options.safeParse(options).success;
  assert.equal(valid({ match_regex: 'abc' }), false, 'needs a group');
  assert.equal(valid({ match_regex: '(a' }), false);
  assert.equal(valid({ match_regex: '(a)', timestamp_layout: 'nothing' }), false);
  assert.equal(valid({ match_regex: '(a)', severity_map: { x: 9 } }), false);
  assert.equal(valid({ match_regex: '(a)', timestamp_location: 'Europe/Paris' }), false);
  assert.equal(valid({}), false, 'match_regex is required');
});
