import { z } from 'zod';

const DURATION_UNITS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const SIZE_UNITS: Record<string, number> = {
  b: 1, kb: 1e3, mb: 1e6, gb: 1e9, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3, k: 1024, m: 1024 ** 2, g: 1024 ** 3,
};

/**
 * Parses a duration such as `"250ms"`, `"5s"`, `"1m30s"` or `"2h"` into milliseconds.
 * @returns undefined when the text is not a duration.
 */
export function parseDuration(text: string): number | undefined {
  const parts = /^\s*(?:(\d+(?:\.\d+)?)\s*(ns|us|µs|ms|s|m|h|d))+\s*$/.test(text) ? text.matchAll(/(\d+(?:\.\d+)?)\s*(ns|us|µs|ms|s|m|h|d)/g) : undefined;
  if (parts === undefined) return undefined;
  let total = 0;
  for (const [, n, unit] of parts) total += Number(n) * DURATION_UNITS[unit!]!;
  return total;
}

/** Parses a size such as `"64MiB"`, `"10 MB"` or `"512"` into bytes; undefined when malformed. */
export function parseByteSize(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(text);
  if (m === null) return undefined;
  const unit = SIZE_UNITS[(m[2] || 'b').toLowerCase()];
  return unit === undefined ? undefined : Math.round(Number(m[1]) * unit);
}

/**
 * A zod schema for a duration option: a string with units (`"5s"`), or a bare number in
 * `numberUnit` (Heka gave most intervals in ms and `ticker_interval` in seconds). Output: ms.
 */
export function duration(numberUnit: 'ms' | 's' = 'ms') {
  return z.union([z.number().nonnegative(), z.string()]).transform((value, ctx) => {
    if (typeof value === 'number') return numberUnit === 's' ? value * 1000 : value;
    const ms = parseDuration(value);
    if (ms === undefined) {
      ctx.addIssue({ code: 'custom', message: `expected a duration such as "500ms", "5s" or "1m", got "${value}"` });
      return z.NEVER;
    }
    return ms;
  });
}

/** A zod schema for a byte-size option: a number of bytes or a string such as `"64MiB"`. Output: bytes. */
export function byteSize() {
  return z.union([z.number().int().nonnegative(), z.string()]).transform((value, ctx) => {
    if (typeof value === 'number') return value;
    const bytes = parseByteSize(value);
    if (bytes === undefined) {
      ctx.addIssue({ code: 'custom', message: `expected a size such as "512KiB" or "64MB", got "${value}"` });
      return z.NEVER;
    }
    return bytes;
  });
}
