import {
  daysFromCivil,
  daysInMonth,
  isLeapYear,
  MONTH_NAMES,
  nanosFromCivil,
  WEEKDAY_NAMES,
} from './calendar.js';

/**
 * Go reference-time layouts (`"02/Jan/2006:15:04:05 -0700"`, `"2006-01-02T15:04:05Z07:00"`),
 * parsed the way Go's `time.Parse` does: the same tokens, the same tolerance for fractional
 * seconds the layout does not mention, runs of spaces matching runs of spaces, and the same range
 * checks. Heka's PayloadRegexDecoder used these layouts; Hekate keeps them so configs carry over.
 */

type Std =
  | 'longMonth' | 'month' | 'numMonth' | 'zeroMonth'
  | 'longWeekDay' | 'weekDay'
  | 'day' | 'underDay' | 'zeroDay' | 'underYearDay' | 'zeroYearDay'
  | 'hour' | 'hour12' | 'zeroHour12' | 'minute' | 'zeroMinute' | 'second' | 'zeroSecond'
  | 'longYear' | 'year' | 'PM' | 'pm' | 'tz'
  | 'isoTZ' | 'isoShortTZ' | 'isoColonTZ' | 'isoSecondsTZ' | 'isoColonSecondsTZ'
  | 'numTZ' | 'numShortTZ' | 'numColonTZ' | 'numSecondsTZ' | 'numColonSecondsTZ'
  | 'frac0' | 'frac9';

interface Token {
  readonly std: Std;
  /** Digits of a fractional-second token. */
  readonly digits: number;
}

type Chunk = string | Token;

/** The tokens `01` to `06`. */
const ZERO_STDS: readonly Std[] = [
  'zeroMonth', 'zeroDay', 'zeroHour12', 'zeroMinute', 'zeroSecond', 'year',
];

/** Tokens that place a time on a calendar day. */
const DATE_STDS: ReadonlySet<Std> = new Set<Std>([
  'year', 'longYear', 'month', 'longMonth', 'numMonth', 'zeroMonth',
  'day', 'underDay', 'zeroDay', 'underYearDay', 'zeroYearDay',
]);

/** Zone tokens, longest first, with and without Go's `Z` (UTC) form. */
const ZONES: readonly [string, Std][] = [
  ['-070000', 'numSecondsTZ'], ['-07:00:00', 'numColonSecondsTZ'], ['-0700', 'numTZ'],
  ['-07:00', 'numColonTZ'], ['-07', 'numShortTZ'],
  ['Z070000', 'isoSecondsTZ'], ['Z07:00:00', 'isoColonSecondsTZ'], ['Z0700', 'isoTZ'],
  ['Z07:00', 'isoColonTZ'], ['Z07', 'isoShortTZ'],
];

const codeIn = (s: string, i: number, low: number, high: number): boolean => {
  const c = s.charCodeAt(i);
  return c >= low && c <= high;
};
const isDigitAt = (s: string, i: number): boolean => codeIn(s, i, 48, 57);
const isLowerAt = (s: string, i: number): boolean => codeIn(s, i, 97, 122);

/** The token at `i` in `layout` and its length, if one starts there (Go's `nextStdChunk`). */
function tokenAt(layout: string, i: number): [Token, number] | undefined {
  const at = (s: string): boolean => layout.startsWith(s, i);
  const tok = (std: Std, length: number, digits = 0): [Token, number] => [{ std, digits }, length];
  switch (layout[i]) {
    case 'J':
      if (at('January')) return tok('longMonth', 7);
      if (at('Jan') && !isLowerAt(layout, i + 3)) return tok('month', 3);
      return undefined;
    case 'M':
      if (at('Monday')) return tok('longWeekDay', 6);
      if (at('Mon') && !isLowerAt(layout, i + 3)) return tok('weekDay', 3);
      return at('MST') ? tok('tz', 3) : undefined;
    case '0': {
      const next = layout.charCodeAt(i + 1) - 49;
      if (next >= 0 && next <= 5) return tok(ZERO_STDS[next]!, 2);
      return at('002') ? tok('zeroYearDay', 3) : undefined;
    }
    case '1':
      return at('15') ? tok('hour', 2) : tok('numMonth', 1);
    case '2':
      return at('2006') ? tok('longYear', 4) : tok('day', 1);
    case '_':
      // `_2006` is a literal underscore followed by the year.
      if (at('_2') && !at('_2006')) return tok('underDay', 2);
      return at('__2') ? tok('underYearDay', 3) : undefined;
    case '3':
      return tok('hour12', 1);
    case '4':
      return tok('minute', 1);
    case '5':
      return tok('second', 1);
    case 'P':
      return at('PM') ? tok('PM', 2) : undefined;
    case 'p':
      return at('pm') ? tok('pm', 2) : undefined;
    case '-':
    case 'Z':
      for (const [text, std] of ZONES) if (at(text)) return tok(std, text.length);
      return undefined;
    case '.':
    case ',': {
      const ch = layout[i + 1];
      if (ch !== '0' && ch !== '9') return undefined;
      let j = i + 1;
      while (layout[j] === ch) j++;
      // Only a fractional second when the run of digits ends the number.
      if (isDigitAt(layout, j)) return undefined;
      return tok(ch === '0' ? 'frac0' : 'frac9', j - i, j - i - 1);
    }
    default:
      return undefined;
  }
}

function tokenize(layout: string): Chunk[] {
  const chunks: Chunk[] = [];
  let literal = '';
  for (let i = 0; i < layout.length; ) {
    const found = tokenAt(layout, i);
    if (found === undefined) {
      literal += layout[i++];
      continue;
    }
    if (literal !== '') chunks.push(literal);
    literal = '';
    chunks.push(found[0]);
    i += found[1];
  }
  if (literal !== '') chunks.push(literal);
  return chunks;
}

/** Parse state: what the value said so far. -1 means "not given". */
interface Parsed {
  year: number;
  month: number;
  day: number;
  yday: number;
  hour: number;
  minute: number;
  second: number;
  nanos: number;
  pm: boolean | undefined;
  offset: number | undefined;
}

/** A cursor over the value being parsed. */
class Cursor {
  pos = 0;
  constructor(readonly text: string) {}

  /** Reads 1–`max` digits (exactly `max` when `fixed`). */
  num(max: number, fixed: boolean): number {
    let end = this.pos;
    while (end - this.pos < max && isDigitAt(this.text, end)) end++;
    const n = end - this.pos;
    if (n === 0 || (fixed && n !== max)) return -1;
    const value = Number(this.text.slice(this.pos, end));
    this.pos = end;
    return value;
  }

  /** Reads one of `names` (ASCII case-insensitive, as Go's lookup); returns its index or -1. */
  name(names: readonly string[]): number {
    for (let i = 0; i < names.length; i++) {
      const candidate = names[i]!;
      const text = this.text.slice(this.pos, this.pos + candidate.length);
      if (text.toLowerCase() === candidate.toLowerCase()) {
        this.pos += candidate.length;
        return i;
      }
    }
    return -1;
  }

  /** Matches a layout literal; a run of spaces matches a run of spaces (Go's `skip`). */
  literal(prefix: string): boolean {
    for (let i = 0; i < prefix.length; ) {
      if (prefix[i] === ' ') {
        if (this.pos < this.text.length && this.text[this.pos] !== ' ') return false;
        while (prefix[i] === ' ') i++;
        while (this.text[this.pos] === ' ') this.pos++;
        continue;
      }
      if (this.text[this.pos] !== prefix[i]) return false;
      this.pos++;
      i++;
    }
    return true;
  }

  /** Reads `.ddd`/`,ddd` as nanoseconds (digits past the ninth are dropped); -1 when absent. */
  fraction(digits: number | undefined): number {
    const sep = this.text[this.pos];
    if ((sep !== '.' && sep !== ',') || !isDigitAt(this.text, this.pos + 1)) return -1;
    let end = this.pos + 1;
    if (digits === undefined) while (isDigitAt(this.text, end)) end++;
    else {
      while (end - this.pos - 1 < digits && isDigitAt(this.text, end)) end++;
      if (end - this.pos - 1 !== digits) return -1;
    }
    const nanos = Number(this.text.slice(this.pos + 1, Math.min(end, this.pos + 10)).padEnd(9, '0'));
    this.pos = end;
    return nanos;
  }

  get rest(): string {
    return this.text.slice(this.pos);
  }
}

const SHORT_MONTHS = MONTH_NAMES.map((m) => m.slice(0, 3));
const SHORT_DAYS = WEEKDAY_NAMES.map((d) => d.slice(0, 3));

/** Reads a numeric zone (`±hh[:mm[:ss]]` per `std`) or `Z`; returns seconds east of UTC. */
function readZone(c: Cursor, std: Std): number | undefined {
  if (std.startsWith('iso') && c.text[c.pos] === 'Z') {
    c.pos++;
    return 0;
  }
  const sign = c.text[c.pos];
  if (sign !== '+' && sign !== '-') return undefined;
  c.pos++;
  const colon = std === 'isoColonTZ' || std === 'numColonTZ' || std.includes('ColonSeconds');
  const parts = std.endsWith('ShortTZ') ? 1 : std.includes('Seconds') ? 3 : 2;
  let seconds = 0;
  for (let p = 0; p < parts; p++) {
    if (p > 0 && colon && !c.literal(':')) return undefined;
    const n = c.num(2, true);
    if (n < 0 || n > (p === 0 ? 24 : 60)) return undefined;
    seconds = seconds * 60 + n;
  }
  for (let p = parts; p < 3; p++) seconds *= 60;
  return sign === '-' ? -seconds : seconds;
}

/** Reads a zone abbreviation such as `UTC`, `PST`, `CEST` or `GMT+2` (Go's `parseTimeZone`). */
function readZoneName(c: Cursor): number | undefined {
  const rest = c.rest;
  if (rest.startsWith('UTC')) {
    c.pos += 3;
    return 0;
  }
  if (rest.startsWith('GMT')) {
    c.pos += 3;
    const sign = c.text[c.pos];
    if (sign !== '+' && sign !== '-') return 0;
    c.pos++;
    const hours = c.num(2, false);
    if (hours < 0 || hours > 23) return undefined;
    return (sign === '-' ? -hours : hours) * 3600;
  }
  let upper = 0;
  while (upper < 6 && rest.charCodeAt(upper) >= 65 && rest.charCodeAt(upper) <= 90) upper++;
  const ok =
    upper === 3 ||
    (upper === 4 && (rest[3] === 'T' || rest.startsWith('WITA'))) ||
    (upper === 5 && rest[4] === 'T');
  if (!ok) return undefined;
  c.pos += upper;
  // Go gives an abbreviation it cannot resolve a zero offset; Hekate never consults the host zone.
  return 0;
}

/** Applies one token; false when the value does not fit it. */
function apply(c: Cursor, token: Token, p: Parsed, nextIsFraction: boolean): boolean {
  switch (token.std) {
    case 'year': {
      const y = c.num(2, true);
      p.year = y < 0 ? -1 : y >= 69 ? 1900 + y : 2000 + y;
      return y >= 0;
    }
    case 'longYear':
      return (p.year = c.num(4, true)) >= 0;
    case 'month':
      return (p.month = c.name(SHORT_MONTHS) + 1) > 0;
    case 'longMonth':
      return (p.month = c.name(MONTH_NAMES) + 1) > 0;
    case 'numMonth':
    case 'zeroMonth':
      p.month = c.num(2, token.std === 'zeroMonth');
      return p.month >= 1 && p.month <= 12;
    case 'weekDay':
      return c.name(SHORT_DAYS) >= 0;
    case 'longWeekDay':
      return c.name(WEEKDAY_NAMES) >= 0;
    case 'underDay':
      if (c.text[c.pos] === ' ') c.pos++;
      return (p.day = c.num(2, false)) >= 0;
    case 'day':
    case 'zeroDay':
      return (p.day = c.num(2, token.std === 'zeroDay')) >= 0;
    case 'underYearDay':
      for (let i = 0; i < 2 && c.text[c.pos] === ' '; i++) c.pos++;
      return (p.yday = c.num(3, false)) >= 0;
    case 'zeroYearDay':
      return (p.yday = c.num(3, true)) >= 0;
    case 'hour':
      p.hour = c.num(2, false);
      return p.hour >= 0 && p.hour < 24;
    case 'hour12':
    case 'zeroHour12':
      p.hour = c.num(2, token.std === 'zeroHour12');
      return p.hour >= 0 && p.hour <= 12;
    case 'minute':
    case 'zeroMinute':
      p.minute = c.num(2, token.std === 'zeroMinute');
      return p.minute >= 0 && p.minute < 60;
    case 'second':
    case 'zeroSecond': {
      p.second = c.num(2, token.std === 'zeroSecond');
      if (p.second < 0 || p.second >= 60) return false;
      // Go accepts fractional seconds the layout does not mention.
      if (!nextIsFraction) {
        const nanos = c.fraction(undefined);
        if (nanos >= 0) p.nanos = nanos;
      }
      return true;
    }
    case 'PM':
    case 'pm': {
      const text = c.text.slice(c.pos, c.pos + 2);
      const am = token.std === 'PM' ? 'AM' : 'am';
      const pm = token.std === 'PM' ? 'PM' : 'pm';
      if (text !== am && text !== pm) return false;
      c.pos += 2;
      p.pm = text === pm;
      return true;
    }
    case 'tz':
      return (p.offset = readZoneName(c)) !== undefined;
    case 'frac0':
      return (p.nanos = c.fraction(token.digits)) >= 0;
    case 'frac9': {
      const nanos = c.fraction(undefined);
      if (nanos >= 0) p.nanos = nanos;
      return true;
    }
    default:
      return (p.offset = readZone(c, token.std)) !== undefined;
  }
}

/** Month and day of a day of the year, or undefined when out of range. */
function fromYearDay(year: number, yday: number): [number, number] | undefined {
  if (yday < 1 || yday > (isLeapYear(year) ? 366 : 365)) return undefined;
  const days = daysFromCivil(year, 1, 1) + yday - 1;
  for (let month = 12; month >= 1; month--) {
    const first = daysFromCivil(year, month, 1);
    if (days >= first) return [month, days - first + 1];
  }
  return undefined;
}

/** A compiled Go layout. */
export interface GoLayout {
  /**
   * Parses `text`; a layout without a zone reads it at `offsetSeconds` east of UTC. A layout
   * without a year takes the current year (the previous one if that would put the time more than
   * a day in the future); one without a date takes today's. Returns nanoseconds since the epoch,
   * or undefined when the text does not fit the layout.
   */
  parse(text: string, offsetSeconds: number, nowMs?: number): bigint | undefined;
}

/**
 * Compiles a Go layout.
 * @throws Error when the layout holds no date or time token at all (a typo, not a layout).
 */
export function compileGoLayout(layout: string): GoLayout {
  const chunks = tokenize(layout);
  const tokens = chunks.filter((c): c is Token => typeof c !== 'string');
  if (tokens.length === 0) {
    throw new Error(`"${layout}" is not a Go time layout: it has no date or time element`);
  }
  const hasYear = tokens.some((t) => t.std === 'year' || t.std === 'longYear');
  const hasDate = tokens.some((t) => DATE_STDS.has(t.std));
  const parse = (text: string, offsetSeconds: number, nowMs?: number): bigint | undefined => {
    const c = new Cursor(text);
    const p: Parsed = {
      year: -1, month: -1, day: -1, yday: -1, hour: 0, minute: 0, second: 0, nanos: 0,
      pm: undefined, offset: undefined,
    };
    for (let i = 0; i < chunks.length; i++) {
      const chunk = chunks[i]!;
      if (typeof chunk === 'string') {
        if (!c.literal(chunk)) return undefined;
        continue;
      }
      const next = chunks[i + 1];
      const nextIsFraction = typeof next === 'object' && (next.std === 'frac0' || next.std === 'frac9');
      if (!apply(c, chunk, p, nextIsFraction)) return undefined;
    }
    if (c.pos !== text.length) return undefined;
    if (p.pm === true && p.hour < 12) p.hour += 12;
    else if (p.pm === false && p.hour === 12) p.hour = 0;
    const offset = p.offset ?? offsetSeconds;
    const secondOfDay = p.hour * 3600 + p.minute * 60 + p.second;
    const now = hasYear ? 0 : (nowMs ?? Date.now());
    let year = p.year;
    if (!hasYear) {
      const today = new Date(now + offset * 1000);
      year = today.getUTCFullYear();
      if (!hasDate) [p.month, p.day] = [today.getUTCMonth() + 1, today.getUTCDate()];
    }
    if (p.yday >= 0) {
      const md = fromYearDay(year, p.yday);
      if (md === undefined) return undefined;
      if ((p.month >= 0 && p.month !== md[0]) || (p.day >= 0 && p.day !== md[1])) return undefined;
      [p.month, p.day] = md;
    }
    const month = p.month < 0 ? 1 : p.month;
    const day = p.day < 0 ? 1 : p.day;
    if (day < 1 || day > daysInMonth(year, month)) return undefined;
    const ns = nanosFromCivil(year, month, day, secondOfDay, p.nanos, offset);
    // A year-less stamp from late December read in early January belongs to last year.
    if (!hasYear && hasDate && ns > BigInt(now + 86_400_000) * 1_000_000n) {
      if (day > daysInMonth(year - 1, month)) return undefined;
      return nanosFromCivil(year - 1, month, day, secondOfDay, p.nanos, offset);
    }
    return ns;
  };
  return { parse };
}

/**
 * Go's standard layouts (ANSIC, UnixDate, RubyDate, RFC822/850/1123 and their Z forms, RFC3339,
 * Kitchen, Stamp*), which Heka tried when a timestamp did not fit the configured layout.
 */
export const GO_STANDARD_LAYOUTS: readonly GoLayout[] = [
  'Mon Jan _2 15:04:05 2006',
  'Mon Jan _2 15:04:05 MST 2006',
  'Mon Jan 02 15:04:05 -0700 2006',
  '02 Jan 06 15:04 MST',
  '02 Jan 06 15:04 -0700',
  'Monday, 02-Jan-06 15:04:05 MST',
  'Mon, 02 Jan 2006 15:04:05 MST',
  'Mon, 02 Jan 2006 15:04:05 -0700',
  '2006-01-02T15:04:05Z07:00',
  '3:04PM',
  'Jan _2 15:04:05',
].map(compileGoLayout);
