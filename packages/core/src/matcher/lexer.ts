import type { FieldRef, Operator } from './ast.js';
import { HEADER_NAMES, isHeader, type HeaderName } from './headers.js';
import { MatcherSyntaxError } from './matcher-syntax-error.js';
import { parseNumberLiteral, type NumberLiteral } from './number-literal.js';

interface TokenBase {
  /** 0-based offset of the first character. */
  readonly start: number;
  /** 0-based offset after the last character. */
  readonly end: number;
  /** The token as written. */
  readonly text: string;
}

/** One token of a matcher expression. */
export type Token =
  | (TokenBase & { readonly kind: 'lparen' | 'rparen' | 'and' | 'or' | 'true' | 'false' | 'nil' })
  | (TokenBase & { readonly kind: 'end' })
  | (TokenBase & { readonly kind: 'operator'; readonly operator: Operator })
  | (TokenBase & { readonly kind: 'string'; readonly value: string })
  | (TokenBase & { readonly kind: 'regex'; readonly pattern: string })
  | (TokenBase & { readonly kind: 'number'; readonly literal: NumberLiteral })
  | (TokenBase & { readonly kind: 'header'; readonly header: HeaderName })
  | (TokenBase & { readonly kind: 'field'; readonly field: FieldRef })
  /** Something that is never valid (a stray `=`, an unknown name); `problem` says why. */
  | (TokenBase & { readonly kind: 'invalid'; readonly problem: string });

type Punctuation =
  | { readonly kind: 'lparen' | 'rparen' | 'and' | 'or' }
  | { readonly kind: 'operator'; readonly operator: Operator };

const PUNCTUATION: ReadonlyMap<string, Punctuation> = new Map<string, Punctuation>([
  ['(', { kind: 'lparen' }],
  [')', { kind: 'rparen' }],
  ['&&', { kind: 'and' }],
  ['||', { kind: 'or' }],
  ['==', { kind: 'operator', operator: '==' }],
  ['!=', { kind: 'operator', operator: '!=' }],
  ['=~', { kind: 'operator', operator: '=~' }],
  ['!~', { kind: 'operator', operator: '!~' }],
  ['<=', { kind: 'operator', operator: '<=' }],
  ['>=', { kind: 'operator', operator: '>=' }],
  ['<', { kind: 'operator', operator: '<' }],
  ['>', { kind: 'operator', operator: '>' }],
]);

/** Why a lone `&`, `|`, `=` or `!` is wrong. */
const STRAY: Readonly<Record<string, string>> = {
  '&': "unexpected '&' (use '&&')",
  '|': "unexpected '|' (use '||')",
  '=': "unexpected '=' (did you mean '=='?)",
  '!': "unexpected '!' (there is no negation; use '!=' or '!~')",
};

const KEYWORDS = new Map<string, 'true' | 'false' | 'nil'>([
  ['TRUE', 'true'],
  ['FALSE', 'false'],
  ['NIL', 'nil'],
]);

const NAMES: readonly string[] = [...HEADER_NAMES, 'Fields', ...KEYWORDS.keys()];

function isSpace(c: string | undefined): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\r';
}

function isBreak(c: string | undefined): boolean {
  return c === undefined || c === '\n' || c === '\r';
}

function isDigit(c: string | undefined): c is string {
  return c !== undefined && c >= '0' && c <= '9';
}

function isWordStart(c: string | undefined): boolean {
  return c !== undefined && ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c === '_');
}

function isWordPart(c: string | undefined): boolean {
  return isWordStart(c) || isDigit(c);
}

/** A number lexeme runs over everything that could belong to one, so `6-0` is one bad number. */
function isNumberPart(c: string | undefined): boolean {
  return isWordPart(c) || c === '.' || c === '+' || c === '-';
}

/**
 * Splits a matcher expression into tokens, one at a time. Space, tab, LF and CR separate tokens.
 * Problems that cannot be anything but wrong (an unterminated string, a malformed number, a bad
 * `Fields[…]` subscript) throw {@link MatcherSyntaxError} at once; stray characters and unknown
 * names become `invalid` tokens so that the parser can say what it expected instead.
 */
export class Lexer {
  readonly #text: string;
  #pos = 0;
  #lastEnd = 0;

  constructor(text: string) {
    this.#text = text;
  }

  /** The next token; `end` at the end of the input, and forever after. */
  next(): Token {
    const text = this.#text;
    while (isSpace(text[this.#pos])) this.#pos++;
    const start = this.#pos;
    const c = text[start];
    if (c === undefined) return { kind: 'end', start: this.#lastEnd, end: this.#lastEnd, text: '' };
    const token = this.#scan(start, c, text[start + 1]);
    this.#pos = this.#lastEnd = token.end;
    return token;
  }

  /** The token that starts at `start` with the characters `c` and `next`. */
  #scan(start: number, c: string, next: string | undefined): Token {
    if (c === "'" || c === '"') return this.#quoted(start, 'string');
    if (c === '/') return this.#quoted(start, 'regex');
    if (isDigit(c) || c === '.' || (c === '-' && (isDigit(next) || next === '.'))) {
      return this.#number(start);
    }
    if (isWordStart(c)) return this.#word(start);
    return this.#punctuation(start);
  }

  #fail(offset: number, token: string, reason: string, expected: readonly string[]): never {
    throw new MatcherSyntaxError({ expression: this.#text, offset, token, expected, reason });
  }

  #punctuation(start: number): Token {
    const text = this.#text;
    for (const op of [text.slice(start, start + 2), text[start]!]) {
      const found = PUNCTUATION.get(op);
      if (found !== undefined) return { ...found, start, end: start + op.length, text: op };
    }
    const c = String.fromCodePoint(text.codePointAt(start)!);
    const problem = STRAY[c] ?? `unexpected character '${c}'`;
    return { kind: 'invalid', problem, start, end: start + c.length, text: c };
  }

  /**
   * A string (`'…'`, `"…"`) or a regex (`/…/`). As in Heka, a backslash before the closing
   * delimiter escapes it and any other backslash is kept with the character after it. Neither may
   * span a line break.
   */
  #quoted(start: number, kind: 'string' | 'regex'): Token {
    const text = this.#text;
    const quote = text[start]!;
    let value = '';
    let i = start + 1;
    for (;;) {
      const c = text[i];
      if (isBreak(c) || (c === '\\' && isBreak(text[i + 1]))) {
        const what = kind === 'string' ? 'string' : 'regular expression';
        const where = (c === '\\' ? text[i + 1] : c) === undefined ? 'end of input' : 'end of line';
        const reason = `unterminated ${what}: no closing ${quote} before the ${where}`;
        this.#fail(start, text.slice(start, i), reason, [`a closing ${quote}`]);
      }
      if (c === quote) break;
      if (c === '\\') {
        const next = text[i + 1]!;
        value += next === quote ? quote : c + next;
        i += 2;
      } else {
        value += c;
        i++;
      }
    }
    const end = i + 1;
    const raw = text.slice(start, end);
    return kind === 'string'
      ? { kind, value, start, end, text: raw }
      : { kind, pattern: value, start, end, text: raw };
  }

  #number(start: number): Token {
    const text = this.#text;
    let end = start + 1;
    while (isNumberPart(text[end])) end++;
    const raw = text.slice(start, end);
    const literal = parseNumberLiteral(raw);
    if (literal === undefined) {
      this.#fail(start, raw, `malformed number '${raw}'`, [
        'a decimal number such as 42, -1.5 or 2e3 (within the float64 range)',
      ]);
    }
    return { kind: 'number', literal, start, end, text: raw };
  }

  #word(start: number): Token {
    const text = this.#text;
    let end = start + 1;
    while (isWordPart(text[end])) end++;
    const word = text.slice(start, end);
    if (word === 'Fields') return this.#field(start, end);
    const keyword = KEYWORDS.get(word);
    if (keyword !== undefined) return { kind: keyword, start, end, text: word };
    if (isHeader(word)) return { kind: 'header', header: word, start, end, text: word };
    const near = NAMES.find((n) => n.toLowerCase() === word.toLowerCase());
    const hint =
      near === undefined ? '' : ` (did you mean '${near === 'Fields' ? 'Fields[name]' : near}'?)`;
    return { kind: 'invalid', problem: `unknown name '${word}'${hint}`, start, end, text: word };
  }

  /** `Fields[name]`, `Fields[name][fi]`, `Fields[name][fi][ai]`: no spaces, name taken verbatim. */
  #field(start: number, afterWord: number): Token {
    const text = this.#text;
    if (text[afterWord] !== '[') {
      const reason = "'Fields' must be followed by '[name]'";
      this.#fail(afterWord, text[afterWord] ?? '', reason, ["'['"]);
    }
    let i = afterWord + 1;
    while (text[i] !== ']') {
      if (isBreak(text[i])) {
        const reason = "unterminated field name: no closing ']'";
        this.#fail(afterWord, text.slice(start, i), reason, ["']'"]);
      }
      i++;
    }
    const name = text.slice(afterWord + 1, i);
    if (name === '') this.#fail(i, ']', 'empty field name', ['a field name']);
    i++;
    const indices = [0, 0];
    for (const [n, what] of ['field index', 'array index'].entries()) {
      if (text[i] !== '[') break;
      const [value, end] = this.#index(i + 1, what);
      indices[n] = value;
      i = end;
    }
    if (text[i] === '[') {
      const reason = 'too many subscripts: Fields takes at most [name][field index][array index]';
      this.#fail(i, '[', reason, []);
    }
    const field: FieldRef = { name, fieldIndex: indices[0]!, arrayIndex: indices[1]! };
    return { kind: 'field', field, start, end: i, text: text.slice(start, i) };
  }

  /** Decimal digits up to `]`; returns the value and the offset after the `]`. */
  #index(from: number, what: string): [number, number] {
    const text = this.#text;
    let i = from;
    while (isDigit(text[i])) i++;
    if (text[i] !== ']' || i === from) {
      const found = text[i] ?? '';
      const reason =
        i === from && found === ']' ? `empty ${what}` : `${what} must be a non-negative integer`;
      this.#fail(i, found, reason, i === from ? ['a digit'] : ['a digit', "']'"]);
    }
    const value = Number(text.slice(from, i));
    if (!Number.isSafeInteger(value)) {
      this.#fail(from, text.slice(from, i), `${what} too large`, []);
    }
    return [value, i + 1];
  }
}
