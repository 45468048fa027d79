import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { civilTime, daysFromCivil } from '../../../src/builtins/shared/calendar.js';
import { compileGoLayout } from '../../../src/builtins/shared/go-layout.js';
import { compileStrftime, formatGoTimeString, formatRfc3339Nano } from '../../../src/builtins/shared/time-format.js';
import {
  createTimestampParser,
  decimalEpochToNanos,
  parseIsoTimestamp,
  parseUtcOffset,
} from '../../../src/builtins/shared/time-parse.js';
import { parseSeverity } from '../../../src/builtins/shared/severity.js';

const NS = 1_000_000n;
const JUNE_1 = 1_717_200_000_000_000_000n;

test('calendar arithmetic agrees with Date over ±10,000 years', () => {
  fc.assert(
    fc.property(fc.integer({ min: -377_705_116_800_000, max: 253_402_300_799_999 }), (ms) => {
      const d = new Date(ms);
      const t = civilTime(BigInt(ms) * NS);
      assert.deepEqual(
        [t.year, t.month, t.day, t.hour, t.minute, t.second, t.nanos, t.weekday],
        [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(),
          d.getUTCSeconds(), d.getUTCMilliseconds() * 1e6, d.getUTCDay()],
      );
      assert.equal(daysFromCivil(t.year, t.month, t.day), Math.floor(ms / 86_400_000));
    }),
    { numRuns: 300 },
  );
});

test('formatters print exact UTC times', () => {
  assert.equal(formatRfc3339Nano(JUNE_1 + 8_000_001n), '2024-06-01T00:00:00.008000001Z');
  assert.equal(formatRfc3339Nano(-1n), '1969-12-31T23:59:59.999999999Z');
  assert.equal(formatGoTimeString(BigInt(Date.UTC(1971, 9, 7, 23, 47)) * NS), '1971-10-07 23:47:00 +0000 UTC');
  assert.equal(formatGoTimeString(JUNE_1 + 500_000_000n), '2024-06-01 00:00:00.5 +0000 UTC');
  const heka = compileStrftime('[%Y/%b/%d:%H:%M:%S %z]');
  assert.equal(heka(JUNE_1 + 13n * 3_600_000_000_000n), '[2024/Jun/01:13:00:00 +0000]');
  const all = compileStrftime('%a %A %B %e %F %I %j %L %m %M %N %p %s %T %y %Z %% %q %');
  assert.equal(
    all(JUNE_1 + 123_456_789n),
    'Sat Saturday June  1 2024-06-01 12 153 123 06 00 123456789 AM 1717200000 00:00:00 24 UTC % %q %',
  );
});

test('ISO 8601 / RFC 3339 parsing is exact and strict', () => {
  assert.equal(parseIsoTimestamp('2024-06-01T00:00:00Z'), JUNE_1);
  assert.equal(parseIsoTimestamp('2024-06-01t00:00:00.123456789123z'), JUNE_1 + 123_456_789n, 'extra digits dropped');
  assert.equal(parseIsoTimestamp('2024-06-01T05:30:00+05:30'), JUNE_1);
  assert.equal(parseIsoTimestamp('2024-05-31T23:00:00-0100'), JUNE_1);
  assert.equal(parseIsoTimestamp('2024-06-01T01:00+01'), JUNE_1);
  assert.equal(parseIsoTimestamp('2024-06-01'), JUNE_1);
  assert.equal(parseIsoTimestamp('2024-05-31T23:59:60Z'), JUNE_1, 'a leap second rolls over');
  const bad = [
    '2024-02-30T00:00:00Z', '2024-13-01', '2024-06-01T24:00:00Z', '2024-06-01T00:00:00.Z',
    '2024-06-01X00:00', '2024-06-01T00:00:00+25:00', 'x'.repeat(30), '',
  ];
  for (const text of bad) assert.equal(parseIsoTimestamp(text), undefined, text);
});

test('epoch values convert exactly', () => {
  assert.equal(decimalEpochToNanos('1717200000.123456789987', 's'), JUNE_1 + 123_456_789n);
  assert.equal(decimalEpochToNanos('1.7172e9', 's'), 1_717_200_000_000_000_000n);
  assert.equal(decimalEpochToNanos('-1.5', 's'), -1_500_000_000n);
  assert.equal(decimalEpochToNanos('1e40', 's'), undefined);
  assert.equal(decimalEpochToNanos('12abc', 'ms'), undefined);
  const auto = createTimestampParser('auto');
  assert.equal(auto(1_717_200_000.5), JUNE_1 + 500_000_000n);
  assert.equal(auto(' 1717200000'), undefined, 'numeric strings must be plain');
  assert.equal(auto(true), undefined);
  assert.equal(createTimestampParser('rfc3339')(1_717_200_000), undefined);
  assert.equal(parseUtcOffset('-07:30'), -27_000);
  assert.equal(parseUtcOffset('Europe/Paris'), undefined);
});

test('Go layouts parse as Go does', () => {
  const at = (layout: string, text: string, offset = 0) => compileGoLayout(layout).parse(text, offset);
  assert.equal(at('02/Jan/2006:15:04:05 -0700', '01/Jun/2024:02:00:00 +0200'), JUNE_1);
  assert.equal(at('2006-01-02T15:04:05Z07:00', '2024-06-01T00:00:00.25Z'), JUNE_1 + 250_000_000n, 'unmentioned fraction');
  assert.equal(at('2006-01-02T15:04:05.000Z07:00', '2024-06-01T00:00:00.250Z'), JUNE_1 + 250_000_000n);
  assert.equal(at('2006-01-02T15:04:05.000Z07:00', '2024-06-01T00:00:00.25Z'), undefined, '.000 needs 3 digits');
  assert.equal(at('2006-01-02 15:04:05.999999999', '2024-06-01 00:00:00'), JUNE_1, '.999 may be absent');
  assert.equal(at('2006-01-02 15:04:05,000', '2024-06-01 00:00:00,001'), JUNE_1 + 1_000_000n);
  assert.equal(at('Jan _2 2006 3:04:05 PM', 'Jun  1 2024 12:00:00 AM'), JUNE_1);
  assert.equal(at('Jan 2 2006 3:04pm', 'jun 1 2024 1:30pm'), JUNE_1 + 48_600_000_000_000n, 'names ignore case');
  assert.equal(at('Monday, 02-Jan-06 15:04:05 MST', 'Saturday, 01-Jun-24 00:00:00 UTC'), JUNE_1);
  assert.equal(at('2006-01-02 15:04:05 MST', '2024-06-01 02:00:00 GMT+2'), JUNE_1);
  assert.equal(at('2006-01-02 15:04:05 MST', '2024-06-01 00:00:00 CEST'), JUNE_1, 'unknown zones read as UTC');
  assert.equal(at('2006-002 15', '2024-153 00'), JUNE_1, 'day of year');
  assert.equal(at('20060102150405', '20240601000000'), JUNE_1);
  assert.equal(at('2006-01-02   15:04', '2024-06-01 00:00'), JUNE_1, 'space runs match space runs');
  assert.equal(at('_2006', '_2024'), 1_704_067_200_000_000_000n, '_2006 is an underscore and a year');
  assert.equal(at('2006-01-02 15:04:05-07', '2024-06-01 01:00:00+01'), JUNE_1);
  assert.equal(at('2006-01-02 15:04:05 -07:00:00', '2024-06-01 00:00:00 -00:00:01'), JUNE_1 + 1_000_000_000n);
  assert.equal(at('2006-01-02', '2024-06-01', 7200), JUNE_1 - 7_200_000_000_000n, 'no zone: the location');
  for (const [layout, text] of [
    ['2006-01-02', '2024-02-30'], ['2006-01-02', '2024-06-01 extra'], ['15:04', '24:00'], ['01/02', '13/01'],
    ['Jan 2', 'Foo 2'], ['3PM', '3XM'], ['2006-01-02', '24-06-01'],
  ]) {
    assert.equal(at(layout!, text!), undefined, `${layout} ${text}`);
  }
  assert.throws(() => compileGoLayout('nothing here'), /no date or time element/);
});

test('Go layouts without a year take the current one, or last year for a late-December stamp', () => {
  const now = Date.UTC(2025, 0, 1, 0, 5);
  const syslog = compileGoLayout('Jan _2 15:04:05');
  assert.equal(syslog.parse('Jan  1 00:04:00', 0, now), BigInt(Date.UTC(2025, 0, 1, 0, 4)) * NS);
  assert.equal(syslog.parse('Dec 31 23:59:59', 0, now), BigInt(Date.UTC(2024, 11, 31, 23, 59, 59)) * NS);
  const kitchen = compileGoLayout('3:04PM');
  assert.equal(kitchen.parse('1:00AM', 0, now), BigInt(Date.UTC(2025, 0, 1, 1)) * NS, 'a time alone is today');
});

test('severities are read from numbers, maps and syslog names', () => {
  assert.equal(parseSeverity(0), 0);
  assert.equal(parseSeverity('7'), 7);
  assert.equal(parseSeverity('Warning'), 4);
  assert.equal(parseSeverity('err'), 3);
  assert.equal(parseSeverity('hot', new Map([['hot', 1]])), 1);
  for (const bad of [8, -1, 2.5, 'loud', '', null, true]) assert.equal(parseSeverity(bad), undefined, String(bad));
});
