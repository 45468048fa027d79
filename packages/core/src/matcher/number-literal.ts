/**
 * A number written in a matcher. Comparisons with Severity, Pid and numeric fields use `value`
 * (float64, as in Heka); comparisons with Timestamp use the exact decimal value through `floor`
 * and `integral`, so that nanosecond timestamps beyond 2^53 compare exactly.
 */
export interface NumberLiteral {
  /** The lexeme as written. */
  readonly text: string;
  /** The nearest float64. */
  readonly value: number;
  /** The exact decimal value rounded down to an integer. */
  readonly floor: bigint;
  /** True when the exact decimal value is an integer (then it equals `floor`). */
  readonly integral: boolean;
}

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}

/** Index of the first non-digit at or after `i`. */
function skipDigits(text: string, i: number): number {
  while (isDigit(text[i])) i++;
  return i;
}

/**
 * Parses a decimal number: an optional `-`, digits with an optional fraction (`6`, `6.`, `6.5`,
 * `.5`) and an optional exponent (`1e3`, `2.5E-4`). Returns undefined when `text` is anything else
 * (`6-0`, `1e`, `0x6`, `1.2.3`) or does not fit a float64 (`1e400`).
 */
export function parseNumberLiteral(text: string): NumberLiteral | undefined {
  const negative = text.startsWith('-');
  const intStart = negative ? 1 : 0;
  const intEnd = skipDigits(text, intStart);
  let fracStart = intEnd;
  let fracEnd = intEnd;
  if (text[intEnd] === '.') {
    fracStart = intEnd + 1;
    fracEnd = skipDigits(text, fracStart);
  }
  if (intEnd === intStart && fracEnd === fracStart) return undefined; // no digits at all
  let exponent = 0;
  let i = fracEnd;
  if (text[i] === 'e' || text[i] === 'E') {
    i++;
    const sign = text[i] === '-' ? -1 : 1;
    if (text[i] === '-' || text[i] === '+') i++;
    const expEnd = skipDigits(text, i);
    if (expEnd === i) return undefined;
    exponent = sign * Number(text.slice(i, expEnd));
    i = expEnd;
  }
  if (i !== text.length) return undefined;
  const value = Number(text);
  if (!Number.isFinite(value)) return undefined;

  const fraction = text.slice(fracStart, fracEnd);
  const digits = stripLeadingZeros(text.slice(intStart, intEnd) + fraction);
  const scale = exponent - fraction.length; // value = digits × 10^scale
  let magnitude: bigint;
  let integral: boolean;
  if (digits === '') {
    magnitude = 0n;
    integral = true;
  } else if (scale >= 0) {
    // A finite value bounds digits.length + scale by 309, so this string stays short.
    magnitude = BigInt(digits + '0'.repeat(scale));
    integral = true;
  } else {
    const cut = digits.length + scale;
    magnitude = cut > 0 ? BigInt(digits.slice(0, cut)) : 0n;
    integral = stripLeadingZeros(cut > 0 ? digits.slice(cut) : digits) === '';
  }
  const floor = !negative ? magnitude : integral ? -magnitude : -magnitude - 1n;
  return { text, value, floor, integral };
}

function stripLeadingZeros(digits: string): string {
  let i = 0;
  while (digits[i] === '0') i++;
  return digits.slice(i);
}
