import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { ZonedClock } from '../src/zoned-clock.js';

const ZONES = ['UTC', 'America/New_York', 'Europe/Berlin', 'Asia/Kathmandu', 'Australia/Lord_Howe', 'Pacific/Chatham'];

function intlParts(ms: number, timeZone: string): string {
  const digits = '2-digit';
  const f = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: digits,
    day: digits,
    hour: digits,
    minute: digits,
    second: digits,
  });
  return f.format(ms).replace(', ', 'T');
}

test('civil time matches Intl in zones with odd offsets and DST, cache or not', () => {
  const clocks = new Map(ZONES.map((z) => [z, new ZonedClock(z)]));
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 4_102_444_800_000 }), fc.constantFrom(...ZONES), (ms, zone) => {
      const t = clocks.get(zone)!.civil(BigInt(ms) * 1000n);
      const pad = (n: number) => String(n).padStart(2, '0');
      const mine = `${t.year}-${pad(t.month)}-${pad(t.day)}T${pad(t.hour)}:${pad(t.minute)}:${pad(t.second)}`;
      assert.equal(mine, intlParts(ms, zone));
      assert.equal(clocks.get(zone)!.dateKey(ms), mine.slice(0, 10).replaceAll('-', ''));
    }),
    { numRuns: 3000 },
  );
});

test('the day changes at local midnight, also across a DST change', () => {
  const ny = new ZonedClock('America/New_York');
  // 2026-03-08 is the spring-forward day in New York (UTC-5 before, UTC-4 after).
  assert.equal(ny.dateKey(Date.UTC(2026, 2, 8, 4, 59, 59)), '20260307');
  assert.equal(ny.dateKey(Date.UTC(2026, 2, 8, 5, 0, 0)), '20260308');
  assert.equal(ny.dateKey(Date.UTC(2026, 2, 9, 3, 59, 59)), '20260308');
  assert.equal(ny.dateKey(Date.UTC(2026, 2, 9, 4, 0, 0)), '20260309');
  assert.equal(new ZonedClock('UTC').dateKey(Date.UTC(2026, 2, 8, 23, 59, 59, 999)), '20260308');
});
