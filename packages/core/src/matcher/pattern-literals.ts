/**
 * What plain text a valid RE2 pattern is made of, found by a conservative scan. It may miss
 * literal text (a quantified or escaped character ends a run) but never reports text that a
 * match could lack.
 */
export interface PatternLiterals {
  /** Set when the pattern is only literal text with optional `^` and `$` anchors. */
  readonly whole?: { readonly literal: string; readonly start: boolean; readonly end: boolean };
  /** The longest text every match contains (`''` when none is known). */
  readonly required: string;
  /** Text every match begins with (`''` when none is known). */
  readonly leading: string;
}

const NOTHING: PatternLiterals = { required: '', leading: '' };

/** Letters after `\` that take more characters than one: `\pL`, `\p{Greek}`, `\x41`, `\x{41}`. */
const LONG_ESCAPES = 'pPx';

/** In RE2, `\` before ASCII punctuation (`\.`, `\/`, `\ `) is that character. */
function isEscapedLiteral(c: string | undefined): boolean {
  if (c === undefined || c.charCodeAt(0) >= 0x80) return false;
  return !((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'));
}

/** Offset after the `}` that closes a `{` at `i`, or the end of the pattern. */
function skipBraces(pattern: string, i: number): number {
  const close = pattern.indexOf('}', i);
  return close === -1 ? pattern.length : close + 1;
}

/** Offset after an escape at `i` (`pattern[i] === '\\'`) that is not a literal character. */
function skipEscape(pattern: string, i: number): number {
  const letter = pattern[i + 1]!;
  if (LONG_ESCAPES.includes(letter)) {
    if (pattern[i + 2] === '{') return skipBraces(pattern, i + 2);
    return i + (letter === 'x' ? 4 : 3);
  }
  let end = i + 2;
  const digit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
  if (digit(letter)) while (digit(pattern[end])) end++; // octal: \0, \012
  return end;
}

/** Offset after the `]` that closes a character class opening at `i`. */
function skipClass(pattern: string, i: number): number {
  let j = i + 1;
  if (pattern[j] === '^') j++;
  if (pattern[j] === ']') j++; // a leading ] is literal
  while (j < pattern.length && pattern[j] !== ']') {
    if (pattern[j] === '\\') j = skipEscape(pattern, j);
    else if (pattern.startsWith('[:', j) && pattern.includes(':]', j + 2)) {
      j = pattern.indexOf(':]', j + 2) + 2; // a named class such as [:alpha:]
    } else j++;
  }
  return j + 1;
}

/** Offset after the `)` that closes a group opening at `i`. */
function skipGroup(pattern: string, i: number): number {
  let depth = 0;
  let j = i;
  while (j < pattern.length) {
    const c = pattern[j];
    if (c === '\\') j = pattern[j + 1] === 'Q' ? pattern.length : skipEscape(pattern, j);
    else if (c === '[') j = skipClass(pattern, j);
    else {
      if (c === '(') depth++;
      else if (c === ')' && --depth === 0) return j + 1;
      j++;
    }
  }
  return j;
}

/**
 * Scans a pattern that RE2 has accepted. Literal runs are broken by anything that is not a plain
 * character, and a quantifier takes back the character before it. Flags such as `(?i)`, `\Q…\E`
 * and top-level alternation make the scan give up, since they change what literal text means.
 */
export function patternLiterals(pattern: string): PatternLiterals {
  const runs: string[] = [];
  let run = '';
  let lastChar = ''; // the last character of `run`, when it was the last atom
  let plain = true; // only literal characters so far
  const start = pattern.startsWith('^');
  let end = false;
  const cut = (): void => {
    runs.push(run);
    run = '';
    lastChar = '';
  };
  let i = start ? 1 : 0;
  while (i < pattern.length) {
    const c = pattern[i]!;
    if (c === '\\' && isEscapedLiteral(pattern[i + 1])) {
      lastChar = pattern[i + 1]!;
      run += lastChar;
      i += 2;
      continue;
    }
    if (c === '|' || (c === '\\' && pattern[i + 1] === 'Q')) return NOTHING;
    if (c === '(' && pattern[i + 1] === '?' && !':P<'.includes(pattern[i + 2]!)) return NOTHING;
    if (c === '$' && i === pattern.length - 1) {
      end = true;
      break;
    }
    if ('*+?{'.includes(c)) {
      // The quantified atom is optional or repeated: it does not belong to a fixed run.
      run = run.slice(0, run.length - lastChar.length);
      cut();
      i = c === '{' ? skipBraces(pattern, i) : i + 1;
    } else if ('\\[(.^$)'.includes(c)) {
      cut();
      if (c === '\\') i = skipEscape(pattern, i);
      else if (c === '[') i = skipClass(pattern, i);
      else if (c === '(') i = skipGroup(pattern, i);
      else i++;
    } else {
      lastChar = String.fromCodePoint(pattern.codePointAt(i)!);
      run += lastChar;
      i += lastChar.length;
      continue;
    }
    plain = false;
  }
  cut();
  const required = runs.reduce((a, b) => (b.length > a.length ? b : a), '');
  const first = runs[0]!;
  const leading = start ? '' : first;
  return plain
    ? { whole: { literal: first, start, end }, required, leading }
    : { required, leading };
}
