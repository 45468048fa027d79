import { RE2JS } from 're2js';
import { patternLiterals } from './pattern-literals.js';
import { bytesEndWith, bytesStartWith, compareBytes } from './text-compare.js';

/**
 * How a matcher regex is evaluated. Plain literals take a fast path, as in Heka: `/^abc/` is a
 * prefix test, `/abc$/` a suffix test, `/^abc$/` an equality test and `/abc/` a substring test.
 * Other patterns run on RE2; `prefiltered` ones first check for text every match contains
 * (`"status":5` in `/"status":5\d\d/`), so most non-matching messages never reach the engine.
 */
export type RegexStrategy = 'prefix' | 'suffix' | 'exact' | 'contains' | 'prefiltered' | 're2';

/**
 * A compiled matcher regex: RE2 syntax and semantics (Go's `regexp`, as in Heka), linear-time
 * matching, unanchored search. JavaScript's backtracking `RegExp` never sees the pattern.
 */
export interface Regex {
  /** The pattern as given to RE2 (after `\/` was unescaped). */
  readonly source: string;
  /** How it is evaluated (for tests and diagnostics; the result never depends on it). */
  readonly strategy: RegexStrategy;
  /** True when the pattern matches somewhere in `text`. */
  readonly test: (text: string) => boolean;
  /** True when the pattern matches somewhere in `bytes`, read as UTF-8. */
  readonly testBytes: (bytes: Uint8Array) => boolean;
}

/** ASCII characters from the most to the least common in log lines (text, JSON, URLs). */
const COMMONEST = ' "e:t,a.o/in0s-r1=2h_l3d4c5u6m7p8f9gwybvkxjqz';

/** Shortest needle worth searching for, when the literal is longer. */
const MIN_NEEDLE = 4;

/**
 * Where in `literal` to start the needle to search for. A substring search scans for the
 * needle's first character, so one that begins with an uncommon character stops less often
 * (`tatus":5` is found about twice as fast as `"status":5` in JSON lines).
 */
function needleOffset(literal: string): number {
  let best = 0;
  let bestRarity = -1;
  for (let i = 0; i <= Math.max(0, literal.length - MIN_NEEDLE); i++) {
    const rank = COMMONEST.indexOf(literal[i]!);
    const rarity = rank === -1 ? COMMONEST.length : rank;
    if (rarity > bestRarity) [best, bestRarity] = [i, rarity];
  }
  return best;
}

/**
 * A test that runs RE2 only on text containing `required`, which every match contains. When every
 * match also starts with `leading` (long enough to be worth it), RE2 scans only from where
 * `leading` can first occur: its cost grows with the text it scans.
 */
function prefiltered(re2: RE2JS, required: string, leading: string): (text: string) => boolean {
  const literal = leading.length >= Math.min(required.length, MIN_NEEDLE) ? leading : required;
  const offset = needleOffset(literal);
  const needle = literal.slice(offset);
  if (literal !== leading) return (s) => s.includes(needle) && re2.test(s);
  return (s) => {
    const found = s.indexOf(needle);
    if (found === -1) return false;
    // A match starts at an occurrence of `leading`, so no earlier than found - offset; never
    // start the slice between the halves of a surrogate pair.
    let from = found - offset;
    if (from > 0 && (s.charCodeAt(from) & 0xfc00) === 0xdc00) from--;
    return re2.test(from <= 0 ? s : s.slice(from));
  };
}

/**
 * Compiles an RE2 pattern such as `^GET /api`, `(?i)error` or `(?P<code>5\d\d)`.
 * @throws the RE2 syntax error, e.g. `error parsing regexp: missing closing ]: `[``.
 */
export function compileRegex(pattern: string): Regex {
  const re2 = RE2JS.compile(pattern);
  const engine = (input: string | Uint8Array): boolean => re2.test(input);
  const { whole, required, leading } = patternLiterals(pattern);
  if (whole === undefined) {
    if (required === '') {
      return { source: pattern, strategy: 're2', test: engine, testBytes: engine };
    }
    return {
      source: pattern,
      strategy: 'prefiltered',
      test: prefiltered(re2, required, leading),
      testBytes: engine,
    };
  }
  const { literal, start, end } = whole;
  const bytes = new TextEncoder().encode(literal);
  if (start && end) {
    return {
      source: pattern,
      strategy: 'exact',
      test: (s) => s === literal,
      testBytes: (b) => compareBytes(b, bytes) === 0,
    };
  }
  if (start) {
    return {
      source: pattern,
      strategy: 'prefix',
      test: (s) => s.startsWith(literal),
      testBytes: (b) => bytesStartWith(b, bytes),
    };
  }
  if (end) {
    return {
      source: pattern,
      strategy: 'suffix',
      test: (s) => s.endsWith(literal),
      testBytes: (b) => bytesEndWith(b, bytes),
    };
  }
  return {
    source: pattern,
    strategy: 'contains',
    test: (s) => s.includes(literal),
    testBytes: engine,
  };
}
