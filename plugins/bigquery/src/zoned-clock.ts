const BUCKET_MS = 15 * 60 * 1000;
const CACHE_LIMIT = 4096;
const pad = (n: number, width = 2) => String(n).padStart(width, '0');
/** The first and last instants toISOString writes with four-digit years (0000 and 9999). */
const MIN_ISO_MS = -62_167_219_200_000;
const MAX_ISO_MS = 253_402_300_799_999;

/** A civil date and time: what a wall clock in some time zone shows. */
export interface CivilTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** Microseconds within the second. */
  micros: number;
}

/** Microseconds since the epoch as BigQuery's TIMESTAMP text, `2026-05-18T09:30:00.123456Z`. */
export function isoTimestamp(micros: bigint): string {
  const n = Number(micros);
  const ms = Math.floor(n / 1000);
  // Microseconds are exact in a double until 2255 (2^53); outside that, or outside what
  // toISOString writes with four-digit years, the exact civil path.
  if (!Number.isSafeInteger(n) || ms < MIN_ISO_MS || ms > MAX_ISO_MS) {
    const t = UTC_CLOCK.civil(micros);
    return `${civilDate(t)}T${civilTime(t)}Z`;
  }
  return `${new Date(ms).toISOString().slice(0, 23)}${pad(n - ms * 1000, 3)}Z`;
}

/** `YYYY-MM-DD` */
export function civilDate(t: CivilTime): string {
  return `${pad(t.year, 4)}-${pad(t.month)}-${pad(t.day)}`;
}

/** `HH:MM:SS.ffffff` */
export function civilTime(t: CivilTime): string {
  return `${pad(t.hour)}:${pad(t.minute)}:${pad(t.second)}.${pad(t.micros, 6)}`;
}

/**
 * Converts instants to civil time in one time zone (an IANA name, `UTC`, or `Local` for the host's
 * zone). Zone offsets change only on 15-minute boundaries of UTC (in every zone, in modern
 * times), so the offset is looked up through Intl once per 15-minute bucket and cached:
 * converting is cheap enough for every message.
 */
export class ZonedClock {
  readonly #format: Intl.DateTimeFormat | undefined;
  readonly #offsets = new Map<number, number>();

  constructor(timeZone: string) {
    this.#format =
      timeZone === 'UTC'
        ? undefined
        : new Intl.DateTimeFormat('en-US', {
            ...(timeZone === 'Local' ? {} : { timeZone }),
            hourCycle: 'h23',
            year: 'numeric',
            month: 'numeric',
            day: 'numeric',
            hour: 'numeric',
            minute: 'numeric',
            second: 'numeric',
          });
  }

  /** The civil time at an instant given in microseconds since the epoch. */
  civil(micros: bigint): CivilTime {
    const floorMs = micros >= 0n ? micros / 1000n : -((-micros + 999n) / 1000n);
    const ms = Number(floorMs);
    const date = new Date(ms + this.#offsetAt(ms));
    return {
      year: date.getUTCFullYear(),
      month: date.getUTCMonth() + 1,
      day: date.getUTCDate(),
      hour: date.getUTCHours(),
      minute: date.getUTCMinutes(),
      second: date.getUTCSeconds(),
      micros: date.getUTCMilliseconds() * 1000 + Number(micros - floorMs * 1000n),
    };
  }

  /** `YYYYMMDD` of the civil date at an instant given in milliseconds (Heka's table suffix). */
  dateKey(ms: number): string {
    const date = new Date(ms + this.#offsetAt(ms));
    return `${pad(date.getUTCFullYear(), 4)}${pad(date.getUTCMonth() + 1)}${pad(date.getUTCDate())}`;
  }

  #offsetAt(ms: number): number {
    if (this.#format === undefined) return 0;
    const bucket = Math.floor(ms / BUCKET_MS);
    let offset = this.#offsets.get(bucket);
    if (offset === undefined) {
      if (this.#offsets.size >= CACHE_LIMIT) this.#offsets.clear();
      offset = this.#lookup(ms);
      this.#offsets.set(bucket, offset);
    }
    return offset;
  }

  /** The zone's offset from UTC at `ms`, from Intl's civil fields. */
  #lookup(ms: number): number {
    const seconds = Math.floor(ms / 1000) * 1000;
    const parts: Record<string, number> = {};
    for (const p of this.#format!.formatToParts(seconds)) parts[p.type] = Number(p.value);
    const { year, month, day, hour, minute, second } = parts;
    const asUtc = Date.UTC(year!, month! - 1, day!, hour!, minute!, second!);
    return asUtc - seconds;
  }
}

const UTC_CLOCK = new ZonedClock('UTC');
