import { daysInMonth, nanosFromCivil } from './calendar.js';
import { compileGoLayout, GO_STANDARD_LAYOUTS } from './go-layout.js';

/**
 * Timestamp parsing shared by the decoders: RFC 3339 / ISO 8601 text, epoch numbers in any unit,
 * and Go layouts, all exact to the nanosecond (no value passes through a float it cannot hold).
 */

/** Units of an epoch timestamp. */
export type EpochUnit = 's' | 'ms' | 'us' | 'ns';

const UNIT_DIGITS: Readonly<Record<EpochUnit, number>> = { s: 9, ms: 6, us: 3, ns: 0 };
const UNIT_SCALE: Readonly<Record<EpochUnit, bigint>> = {
  s: 1_000_000_000n,
  ms: 1_000_000n,
  us: 1000n,
  ns: 1n,
};

/** Names of the epoch formats: Hekate's and Heka's `timestamp_layout` spellings. */
const EPOCH_FORMATS: ReadonlyMap<string, EpochUnit> = new Map([
  ['epoch_s', 's'], ['Epoch', 's'],
  ['epoch_ms', 'ms'], ['EpochMilli', 'ms'],
  ['epoch_us', 'us'], ['EpochMicro', 'us'],
  ['epoch_ns', 'ns'], ['EpochNano', 'ns'],
]);

const DECIMAL = /^(-?)(\d+)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;
const PLAIN_NUMBER = /^-?\d+(?:\.\d+)?$/;
const OFFSET = /^([+-])(\d\d)(?::?(\d\d))?$/;

function digitsAt(text: string, at: number, count: number): number {
  let n = 0;
  for (let i = at; i < at + count; i++) {
    const d = text.charCodeAt(i) - 48;
    if (!(d >= 0 && d <= 9)) return -1;
    n = n * 10 + d;
  }
  return n;
}

/**
 * Parses RFC 3339 / ISO 8601 text: `2024-06-01T12:00:00.123456789Z`, `+02:00`/`+0200`/`+02`
 * offsets, `t`/space separators, `,` fractions, optional seconds, a date alone. Text without an
 * offset is read at `offsetSeconds` east of UTC. Digits past the ninth fractional digit are
 * dropped. Returns nanoseconds since the epoch, or undefined when malformed or out of range.
 */
export function parseIsoTimestamp(text: string, offsetSeconds = 0): bigint | undefined {
  const year = digitsAt(text, 0, 4);
  const month = digitsAt(text, 5, 2);
  const day = digitsAt(text, 8, 2);
  if (year < 0 || text[4] !== '-' || text[7] !== '-' || month < 1 || month > 12) return undefined;
  if (day < 1 || day > daysInMonth(year, month)) return undefined;
  if (text.length === 10) return nanosFromCivil(year, month, day, 0, 0, offsetSeconds);
  const sep = text[10];
  if (sep !== 'T' && sep !== 't' && sep !== ' ') return undefined;
  const hour = digitsAt(text, 11, 2);
  const minute = digitsAt(text, 14, 2);
  if (hour < 0 || hour > 23 || text[13] !== ':' || minute < 0 || minute > 59) return undefined;
  let pos = 16;
  let second = 0;
  if (text[pos] === ':') {
    second = digitsAt(text, 17, 2);
    // 60 is a leap second; it reads as the first second of the next minute.
    if (second < 0 || second > 60) return undefined;
    pos = 19;
  }
  let nanos = 0;
  if (text[pos] === '.' || text[pos] === ',') {
    const start = ++pos;
    let scale = 100_000_000;
    for (let d = digitsAt(text, pos, 1); d >= 0; d = digitsAt(text, ++pos, 1)) {
      nanos += d * scale;
      scale = Math.floor(scale / 10);
    }
    if (pos === start) return undefined;
  }
  let offset = offsetSeconds;
  if (pos < text.length) {
    const zone = text.slice(pos);
    if (zone === 'Z' || zone === 'z') offset = 0;
    else {
      const parsed = parseUtcOffset(zone);
      if (parsed === undefined) return undefined;
      offset = parsed;
    }
  }
  return nanosFromCivil(year, month, day, hour * 3600 + minute * 60 + second, nanos, offset);
}

/**
 * Parses a fixed UTC offset: `UTC`, `Z`, `+02:00`, `-0700`, `+05`. Returns seconds east of UTC,
 * or undefined.
 */
export function parseUtcOffset(text: string): number | undefined {
  if (text === 'UTC' || text === 'Z' || text === 'GMT') return 0;
  const m = OFFSET.exec(text);
  if (m === null) return undefined;
  const hours = Number(m[2]);
  const minutes = Number(m[3] ?? '0');
  if (hours > 24 || minutes > 59) return undefined;
  const seconds = hours * 3600 + minutes * 60;
  return m[1] === '-' ? -seconds : seconds;
}

/**
 * Converts decimal text (`"1717200000"`, `"1717200000.123456789"`, `"1.7172e9"`) in `unit` to
 * nanoseconds exactly, truncating below a nanosecond. Undefined when not a decimal number.
 */
export function decimalEpochToNanos(text: string, unit: EpochUnit): bigint | undefined {
  const m = DECIMAL.exec(text);
  if (m === null) return undefined;
  const digits = m[2]! + (m[3] ?? '');
  const point = m[2]!.length + UNIT_DIGITS[unit] + Number(m[4] ?? '0');
  // Beyond ~1e30 ns is no timestamp; refuse rather than build huge bigints.
  if (point > 30) return undefined;
  const whole = point <= 0 ? '0' : digits.slice(0, point).padEnd(point, '0');
  const ns = BigInt(whole);
  return m[1] === '-' ? -ns : ns;
}

/** Converts an epoch number in `unit` to nanoseconds; fractions are read from its decimal form. */
function epochNumberToNanos(n: number, unit: EpochUnit): bigint | undefined {
  if (Number.isSafeInteger(n)) return BigInt(n) * UNIT_SCALE[unit];
  return Number.isFinite(n) ? decimalEpochToNanos(String(n), unit) : undefined;
}

/**
 * The unit of an epoch timestamp guessed from its magnitude: below 1e11 seconds (until year
 * 5138), below 1e14 milliseconds, below 1e17 microseconds, else nanoseconds.
 */
function epochUnitOf(n: number): EpochUnit {
  const a = Math.abs(n);
  return a < 1e11 ? 's' : a < 1e14 ? 'ms' : a < 1e17 ? 'us' : 'ns';
}

/** Reads a timestamp from a decoded value; undefined when it cannot. */
export type TimestampParser = (value: unknown) => bigint | undefined;

function goStandard(text: string, offsetSeconds: number): bigint | undefined {
  for (const layout of GO_STANDARD_LAYOUTS) {
    const ns = layout.parse(text, offsetSeconds);
    if (ns !== undefined) return ns;
  }
  return undefined;
}

function forgiving(text: string, offsetSeconds: number): bigint | undefined {
  return parseIsoTimestamp(text, offsetSeconds) ?? goStandard(text, offsetSeconds);
}

function autoEpoch(value: number | string): bigint | undefined {
  if (typeof value === 'number') return epochNumberToNanos(value, epochUnitOf(value));
  return decimalEpochToNanos(value, epochUnitOf(Number(value)));
}

/**
 * Makes the timestamp reader for a `timestamp_format` / `timestamp_layout` value:
 *
 * - `auto`: numbers and numeric strings are epoch times in the unit their magnitude suggests;
 *   other strings are RFC 3339 / ISO 8601, else one of Go's standard layouts.
 * - `rfc3339`: RFC 3339 / ISO 8601 strings only.
 * - `epoch_s`/`epoch_ms`/`epoch_us`/`epoch_ns` (Heka: `Epoch`/`EpochMilli`/`EpochMicro`/
 *   `EpochNano`): numbers or numeric strings in that unit.
 * - anything else is a Go layout; text that does not fit it is tried as ISO 8601 and Go's standard
 *   layouts, as Heka's forgiving parser did. `undefined` (no layout) tries only those.
 *
 * Text without a zone is read at `offsetSeconds` east of UTC.
 * @throws Error when `format` is a Go layout without any date or time element.
 */
export function createTimestampParser(format: string | undefined, offsetSeconds = 0): TimestampParser {
  if (format === 'auto') {
    return (v) => {
      if (typeof v === 'number') return autoEpoch(v);
      if (typeof v !== 'string') return undefined;
      const iso = parseIsoTimestamp(v, offsetSeconds);
      if (iso !== undefined) return iso;
      return PLAIN_NUMBER.test(v) ? autoEpoch(v) : goStandard(v, offsetSeconds);
    };
  }
  if (format === 'rfc3339') {
    return (v) => (typeof v === 'string' ? parseIsoTimestamp(v, offsetSeconds) : undefined);
  }
  const unit = format === undefined ? undefined : EPOCH_FORMATS.get(format);
  if (unit !== undefined) {
    return (v) => {
      if (typeof v === 'number') return epochNumberToNanos(v, unit);
      return typeof v === 'string' ? decimalEpochToNanos(v.trim(), unit) : undefined;
    };
  }
  const layout = format === undefined ? undefined : compileGoLayout(format);
  return (v) => {
    if (typeof v !== 'string') return undefined;
    return layout?.parse(v, offsetSeconds) ?? forgiving(v, offsetSeconds);
  };
}
