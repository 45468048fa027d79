/**
 * Proleptic Gregorian calendar arithmetic on whole days since 1970-01-01, shared by the timestamp
 * parsers and formatters. Exact integer arithmetic (Howard Hinnant's civil-date algorithms), no
 * `Date`, so nanosecond timestamps never pass through a float.
 */

/** English month names, January first, as Go layouts and strftime use them. */
export const MONTH_NAMES = [
  'January', 'February', 'March', 'April', 'May', 'June',
  'July', 'August', 'September', 'October', 'November', 'December',
] as const;

/** English weekday names, Sunday first. */
export const WEEKDAY_NAMES = [
  'Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday',
] as const;

/** Nanoseconds in one second. */
export const NANOS_PER_SECOND = 1_000_000_000n;

/** Days since 1970-01-01 of a civil date (`month` 1–12). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

/** True in leap years. */
export function isLeapYear(year: number): boolean {
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}

/** Days in `month` (1–12) of `year`. */
export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** A moment broken into calendar parts, in UTC or at a fixed offset. */
export interface CivilTime {
  year: number;
  /** 1–12 */
  month: number;
  /** 1–31 */
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** 0–999,999,999 */
  nanos: number;
  /** 0 = Sunday */
  weekday: number;
  /** 1–366 */
  yearDay: number;
}

/**
 * Breaks nanoseconds since the epoch into calendar parts, shifted by `offsetSeconds` (east of UTC
 * is positive).
 */
export function civilTime(ns: bigint, offsetSeconds = 0): CivilTime {
  let seconds = ns / NANOS_PER_SECOND;
  let nanos = Number(ns - seconds * NANOS_PER_SECOND);
  if (nanos < 0) {
    nanos += 1_000_000_000;
    seconds -= 1n;
  }
  const local = Number(seconds) + offsetSeconds;
  const days = Math.floor(local / 86_400);
  const secOfDay = local - days * 86_400;
  // Civil date from days (Hinnant's civil_from_days).
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  return {
    year,
    month,
    day,
    hour: Math.floor(secOfDay / 3600),
    minute: Math.floor(secOfDay / 60) % 60,
    second: secOfDay % 60,
    nanos,
    weekday: (((days + 4) % 7) + 7) % 7,
    yearDay: days - daysFromCivil(year, 1, 1) + 1,
  };
}

/** Nanoseconds since the epoch of a civil time at `offsetSeconds` east of UTC. */
export function nanosFromCivil(
  year: number,
  month: number,
  day: number,
  secondOfDay: number,
  nanos: number,
  offsetSeconds: number,
): bigint {
  const seconds = daysFromCivil(year, month, day) * 86_400 + secondOfDay - offsetSeconds;
  return BigInt(seconds) * NANOS_PER_SECOND + BigInt(nanos);
}
