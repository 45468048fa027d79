import { civilTime, MONTH_NAMES, NANOS_PER_SECOND, WEEKDAY_NAMES, type CivilTime } from './calendar.js';

/**
 * Timestamp formatting shared by the encoders. Every formatter works on Hekate's nanosecond
 * `bigint` timestamps, in UTC, so output never depends on the host's time zone.
 */

function pad(n: number, width: number, fill = '0'): string {
  return String(n).padStart(width, fill);
}

function fraction(nanos: number): string {
  return pad(nanos, 9);
}

/** RFC 3339 in UTC with all nine fractional digits, e.g. `2024-06-01T00:00:00.008000000Z`. */
export function formatRfc3339Nano(ns: bigint): string {
  const t = civilTime(ns);
  return (
    `${pad(t.year, 4)}-${pad(t.month, 2)}-${pad(t.day, 2)}T` +
    `${pad(t.hour, 2)}:${pad(t.minute, 2)}:${pad(t.second, 2)}.${fraction(t.nanos)}Z`
  );
}

/**
 * Go's `time.Time.String()` of a UTC time, as Heka's RstEncoder printed it: fractional seconds
 * without trailing zeros, e.g. `1971-10-07 23:47:00.5 +0000 UTC`.
 */
export function formatGoTimeString(ns: bigint): string {
  const t = civilTime(ns);
  const frac = t.nanos === 0 ? '' : '.' + fraction(t.nanos).replace(/0+$/, '');
  return (
    `${pad(t.year, 4)}-${pad(t.month, 2)}-${pad(t.day, 2)} ` +
    `${pad(t.hour, 2)}:${pad(t.minute, 2)}:${pad(t.second, 2)}${frac} +0000 UTC`
  );
}

type Part = string | ((t: CivilTime, ns: bigint) => string);

const hour12 = (t: CivilTime): number => (t.hour % 12 === 0 ? 12 : t.hour % 12);

const CONVERSIONS: Readonly<Record<string, Part>> = {
  a: (t) => WEEKDAY_NAMES[t.weekday]!.slice(0, 3),
  A: (t) => WEEKDAY_NAMES[t.weekday]!,
  b: (t) => MONTH_NAMES[t.month - 1]!.slice(0, 3),
  h: (t) => MONTH_NAMES[t.month - 1]!.slice(0, 3),
  B: (t) => MONTH_NAMES[t.month - 1]!,
  d: (t) => pad(t.day, 2),
  e: (t) => pad(t.day, 2, ' '),
  F: (t) => `${pad(t.year, 4)}-${pad(t.month, 2)}-${pad(t.day, 2)}`,
  H: (t) => pad(t.hour, 2),
  I: (t) => pad(hour12(t), 2),
  j: (t) => pad(t.yearDay, 3),
  L: (t) => pad(Math.floor(t.nanos / 1_000_000), 3),
  m: (t) => pad(t.month, 2),
  M: (t) => pad(t.minute, 2),
  n: '\n',
  N: (t) => fraction(t.nanos),
  p: (t) => (t.hour < 12 ? 'AM' : 'PM'),
  s: (_t, ns) => String(ns / NANOS_PER_SECOND - (ns < 0n && ns % NANOS_PER_SECOND !== 0n ? 1n : 0n)),
  S: (t) => pad(t.second, 2),
  t: '\t',
  T: (t) => `${pad(t.hour, 2)}:${pad(t.minute, 2)}:${pad(t.second, 2)}`,
  y: (t) => pad(t.year % 100, 2),
  Y: (t) => pad(t.year, 4),
  z: '+0000',
  Z: 'UTC',
  '%': '%',
};

/**
 * Compiles a strftime format such as `[%Y/%b/%d:%H:%M:%S %z]` once into a function that formats
 * nanosecond timestamps in UTC. Conversions: `%a %A %b %h %B %d %e %F %H %I %j %L %m %M %n %N %p
 * %s %S %t %T %y %Y %z %Z %%` (`%L` milliseconds and `%N` nanoseconds are extensions); anything
 * else after `%` is copied literally.
 */
export function compileStrftime(format: string): (ns: bigint) => string {
  const parts: Part[] = [];
  let literal = '';
  for (let i = 0; i < format.length; i++) {
    const c = format[i]!;
    const conversion = c === '%' && i + 1 < format.length ? CONVERSIONS[format[i + 1]!] : undefined;
    if (conversion === undefined) {
      literal += c;
      continue;
    }
    i++;
    if (typeof conversion === 'string') {
      literal += conversion;
      continue;
    }
    if (literal !== '') parts.push(literal);
    literal = '';
    parts.push(conversion);
  }
  if (literal !== '') parts.push(literal);
  return (ns) => {
    const t = civilTime(ns);
    let out = '';
    for (const part of parts) out += typeof part === 'string' ? part : part(t, ns);
    return out;
  };
}
