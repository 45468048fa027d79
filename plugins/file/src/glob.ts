import path from 'node:path';

/** One token of a wildcard segment. */
type Token =
  | { kind: 'text'; text: string; codes: number[] }
  | { kind: 'any' }
  | { kind: 'one' }
  | { kind: 'class'; negated: boolean; ranges: [number, number][] };

/** A compiled path segment: `**`, or a wildcard pattern over one name. */
type Segment = { kind: 'globstar' } | { kind: 'name'; tokens: Token[]; literal: string | undefined };

const MAGIC = /[*?[]/;

/** True when `text` holds glob syntax (`*`, `?`, `[`). */
export function hasMagic(text: string): boolean {
  return MAGIC.test(text);
}

function parseClass(pattern: string, start: number): { token: Token; end: number } | undefined {
  let i = start + 1;
  let negated = false;
  if (pattern[i] === '!' || pattern[i] === '^') {
    negated = true;
    i++;
  }
  const ranges: [number, number][] = [];
  let first = true;
  while (i < pattern.length && (pattern[i] !== ']' || first)) {
    first = false;
    let lo = pattern.codePointAt(i)!;
    if (pattern[i] === '\\' && i + 1 < pattern.length) lo = pattern.codePointAt(++i)!;
    i += String.fromCodePoint(lo).length;
    let hi = lo;
    if (pattern[i] === '-' && i + 1 < pattern.length && pattern[i + 1] !== ']') {
      hi = pattern.codePointAt(i + 1)!;
      i += 1 + String.fromCodePoint(hi).length;
    }
    ranges.push([lo, hi]);
  }
  if (i >= pattern.length) return undefined;
  return { token: { kind: 'class', negated, ranges }, end: i + 1 };
}

function tokenize(pattern: string): Token[] {
  const tokens: Token[] = [];
  let text = '';
  const flush = () => {
    if (text !== '') tokens.push({ kind: 'text', text, codes: Array.from(text, (ch) => ch.codePointAt(0)!) });
    text = '';
  };
  for (let i = 0; i < pattern.length; ) {
    const c = pattern[i]!;
    if (c === '\\' && i + 1 < pattern.length) {
      text += pattern[i + 1];
      i += 2;
    } else if (c === '*') {
      flush();
      if (tokens.at(-1)?.kind !== 'any') tokens.push({ kind: 'any' });
      i++;
    } else if (c === '?') {
      flush();
      tokens.push({ kind: 'one' });
      i++;
    } else if (c === '[') {
      const cls = parseClass(pattern, i);
      if (cls === undefined) {
        text += c;
        i++;
      } else {
        flush();
        tokens.push(cls.token);
        i = cls.end;
      }
    } else {
      text += c;
      i++;
    }
  }
  flush();
  return tokens;
}

function matchOne(token: Token, ch: number): boolean {
  if (token.kind === 'one') return true;
  if (token.kind !== 'class') return false;
  const inside = token.ranges.some(([lo, hi]) => ch >= lo && ch <= hi);
  return inside !== token.negated;
}

/**
 * Matches a name against wildcard tokens: iterative, backtracking only to the latest `*`, so
 * the cost is at most O(name × pattern) whatever the pattern.
 */
function matchTokens(tokens: readonly Token[], name: string): boolean {
  const chars = Array.from(name, (c) => c.codePointAt(0)!);
  let t = 0;
  let c = 0;
  let starT = -1;
  let starC = 0;
  while (c < chars.length) {
    const token = tokens[t];
    if (token?.kind === 'any') {
      starT = t++;
      starC = c;
      continue;
    }
    if (token?.kind === 'text' && startsWithAt(chars, c, token.codes)) {
      t++;
      c += token.codes.length;
      continue;
    }
    if (token !== undefined && matchOne(token, chars[c]!)) {
      t++;
      c++;
      continue;
    }
    if (starT === -1) return false;
    t = starT + 1;
    c = ++starC;
  }
  while (tokens[t]?.kind === 'any') t++;
  return t === tokens.length;
}

function startsWithAt(chars: readonly number[], at: number, codes: readonly number[]): boolean {
  if (at + codes.length > chars.length) return false;
  for (let k = 0; k < codes.length; k++) if (chars[at + k] !== codes[k]) return false;
  return true;
}

function compileSegment(segment: string): Segment {
  if (segment === '**') return { kind: 'globstar' };
  const tokens = tokenize(segment);
  const text = tokens.map((t) => (t.kind === 'text' ? t.text : '')).join('');
  const literal = hasMagic(segment) ? undefined : text;
  return { kind: 'name', tokens, literal };
}

/**
 * A path glob: `*`, `?`, `[a-z]` / `[!a]` within one name, and `**` as a whole segment for any
 * number of directories. Patterns are absolute; matching is by segments, never by a regex.
 */
export class Glob {
  /** The pattern as given (absolute). */
  readonly pattern: string;
  /** The longest leading directory without wildcards: where expansion starts. */
  readonly base: string;
  /** The segments after {@link base}; empty when the pattern names one path. */
  readonly rest: readonly Segment[];
  readonly #all: readonly Segment[];

  constructor(pattern: string) {
    this.pattern = path.resolve(pattern);
    const parts = this.pattern.split(path.sep).filter((p) => p !== '');
    const firstMagic = parts.findIndex((p) => hasMagic(p));
    const literalParts = firstMagic === -1 ? parts : parts.slice(0, firstMagic);
    this.base = path.join(path.sep, ...literalParts);
    this.rest = firstMagic === -1 ? [] : parts.slice(firstMagic).map(compileSegment);
    this.#all = parts.map(compileSegment);
  }

  /** True when the pattern has no wildcards: it names one file. */
  get isLiteral(): boolean {
    return this.rest.length === 0;
  }

  /** True when the whole absolute path `p` matches the pattern. */
  matches(p: string): boolean {
    return matchSegments(this.#all, 0, path.resolve(p).split(path.sep).filter((s) => s !== ''), 0);
  }
}

/** True when `name` matches a compiled name segment. */
export function segmentMatches(segment: Segment, name: string): boolean {
  if (segment.kind === 'globstar') return true;
  return segment.literal !== undefined ? segment.literal === name : matchTokens(segment.tokens, name);
}

function matchSegments(segments: readonly Segment[], s: number, names: readonly string[], n: number): boolean {
  for (; s < segments.length; s++, n++) {
    const segment = segments[s]!;
    if (segment.kind === 'globstar') {
      for (let skip = n; skip <= names.length; skip++) {
        if (matchSegments(segments, s + 1, names, skip)) return true;
      }
      return false;
    }
    if (n >= names.length || !segmentMatches(segment, names[n]!)) return false;
  }
  return n === names.length;
}

export type { Segment };
