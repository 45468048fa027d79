import type { FieldRef, MatcherNode, Operator, RelationalOperator } from './ast.js';
import { isTextHeader, type NumberHeader, type TextHeader } from './headers.js';
import { Lexer, type Token } from './lexer.js';
import { MatcherSyntaxError } from './matcher-syntax-error.js';
import { compileRegex, type Regex } from './regex.js';

/** Limits on what {@link parseMatcher} accepts (reliability plan S8). */
export interface MatcherOptions {
  /** Longest expression accepted, in UTF-8 bytes. Default {@link DEFAULT_MAX_LENGTH}. */
  maxLength?: number;
  /** Deepest parenthesis nesting accepted, 1–1000. Default {@link DEFAULT_MAX_DEPTH}. */
  maxDepth?: number;
}

/** Default longest expression: 4 KiB. */
export const DEFAULT_MAX_LENGTH = 4096;

/** Default deepest parenthesis nesting. */
export const DEFAULT_MAX_DEPTH = 64;

/** Beyond this, recursion over the tree could exhaust the stack. */
const DEPTH_CEILING = 1000;

const RELATIONAL: readonly Operator[] = ['==', '!=', '<', '<=', '>', '>='];
const ALL_OPERATORS: readonly Operator[] = [...RELATIONAL, '=~', '!~'];

const EXPRESSION_START = [
  "'('",
  'TRUE',
  'FALSE',
  'a header such as Type or Severity',
  'Fields[name]',
];

type OperandKind = 'string' | 'regex' | 'number' | 'true' | 'false' | 'nil';

const OPERAND_DESCRIPTIONS: Readonly<Record<OperandKind, string>> = {
  string: 'a string (\'…\' or "…")',
  regex: 'a regular expression (/…/)',
  number: 'a number',
  true: 'TRUE',
  false: 'FALSE',
  nil: 'NIL',
};

/** What a comparison's left side is: a text header, a numeric header, or a field. */
type Subject =
  | { readonly class: 'text'; readonly ref: TextHeader }
  | { readonly class: 'number'; readonly ref: NumberHeader | 'Timestamp' }
  | { readonly class: 'field'; readonly ref: FieldRef };

/** The literals the grammar allows after `subject op` (heka.md §2.1). */
function operandKinds(subject: Subject['class'], op: Operator): readonly OperandKind[] {
  if (op === '=~' || op === '!~') return ['regex'];
  if (subject === 'text') return ['string'];
  if (subject === 'number') return ['number'];
  if (op === '==') return ['string', 'number', 'true', 'false', 'nil'];
  return op === '!=' ? ['string', 'number', 'nil'] : ['string', 'number'];
}

/** Why a literal of the wrong kind is not allowed after `subject op`. */
function operandHint(subject: Subject, op: Operator, found: Token['kind']): string {
  const isField = subject.class === 'field';
  if (found === 'nil') {
    return isField ? "NIL compares only with '==' or '!='" : 'NIL applies only to Fields[…]';
  }
  if (found === 'true' || found === 'false') {
    return isField
      ? "TRUE and FALSE compare only with '=='"
      : 'TRUE and FALSE apply only to Fields[…]';
  }
  if (found === 'regex') return "a regular expression needs '=~' or '!~'";
  if (op === '=~' || op === '!~') return 'regular expressions are written /…/';
  if (found === 'number' && subject.class === 'text') {
    return `${subject.ref} is text: quote the value`;
  }
  if (found === 'string' && subject.class === 'number') return `${subject.ref} is a number`;
  return '';
}

/** Longest token text quoted in a reason. */
const TOKEN_SHOWN = 40;

/** A token as a reason names it: `'=='`, `string 'abc'`, `end of input`. */
function describe(token: Token): string {
  const text =
    token.text.length > TOKEN_SHOWN ? `${token.text.slice(0, TOKEN_SHOWN)}…` : token.text;
  switch (token.kind) {
    case 'end':
      return 'end of input';
    case 'string':
      return `string ${text}`;
    case 'regex':
      return `regular expression ${text}`;
    case 'number':
      return `number ${text}`;
    default:
      return `'${text}'`;
  }
}

function checkedLimit(
  value: number | undefined,
  fallback: number,
  name: string,
  max: number,
): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw new TypeError(`Invalid matcher option: ${name} must be an integer from 1 to ${max}.`);
  }
  return value;
}

/**
 * Offset of the first character that takes `expression` past `maxBytes` UTF-8 bytes, or its length
 * when it fits. Reads at most `maxBytes` characters.
 */
function overflowOffset(expression: string, maxBytes: number): number {
  let bytes = 0;
  let i = 0;
  while (i < expression.length) {
    const cp = expression.codePointAt(i)!;
    bytes += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    if (bytes > maxBytes) return i;
    i += cp < 0x10000 ? 1 : 2;
  }
  return i;
}

class Parser {
  readonly #expression: string;
  readonly #lexer: Lexer;
  readonly #maxDepth: number;
  #token: Token;
  #depth = 0;

  constructor(expression: string, maxDepth: number) {
    this.#expression = expression;
    this.#lexer = new Lexer(expression);
    this.#maxDepth = maxDepth;
    this.#token = this.#lexer.next();
  }

  parse(): MatcherNode {
    const first = this.#token;
    if (first.kind === 'end') this.#fail(0, '', 'empty matcher expression', EXPRESSION_START);
    const node = this.#or();
    if (this.#token.kind !== 'end') {
      this.#unexpected(["'&&'", "'||'", 'end of input'], this.#joinHint());
    }
    return node;
  }

  #fail(offset: number, token: string, reason: string, expected: readonly string[]): never {
    throw new MatcherSyntaxError({ expression: this.#expression, offset, token, expected, reason });
  }

  #unexpected(expected: readonly string[], hint = ''): never {
    const t = this.#token;
    const reason =
      t.kind === 'invalid' ? t.problem : `unexpected ${describe(t)}${hint ? ` (${hint})` : ''}`;
    this.#fail(t.start, t.text, reason, expected);
  }

  /** Heka accepted `TRUE FALSE` and kept the last expression; here it is an error that says why. */
  #joinHint(): string {
    const k = this.#token.kind;
    const startsExpression =
      k === 'lparen' || k === 'true' || k === 'false' || k === 'header' || k === 'field';
    return startsExpression ? "expressions must be joined with '&&' or '||'" : '';
  }

  #advance(): Token {
    const token = this.#token;
    this.#token = this.#lexer.next();
    return token;
  }

  #or(): MatcherNode {
    return this.#logical('or', () => this.#and());
  }

  #and(): MatcherNode {
    return this.#logical('and', () => this.#primary());
  }

  /** One operand, or several joined by the same operator (kept flat: `a || b || c`). */
  #logical(kind: 'and' | 'or', operand: () => MatcherNode): MatcherNode {
    const first = operand();
    if (this.#token.kind !== kind) return first;
    const operands = [first];
    while (this.#token.kind === kind) {
      this.#advance();
      operands.push(operand());
    }
    return { kind, operands, start: first.start, end: operands[operands.length - 1]!.end };
  }

  #primary(): MatcherNode {
    const t = this.#token;
    switch (t.kind) {
      case 'lparen': {
        if (this.#depth >= this.#maxDepth) {
          this.#fail(
            t.start,
            t.text,
            `parentheses nested deeper than ${this.#maxDepth} (the maxDepth limit)`,
            [],
          );
        }
        this.#depth++;
        this.#advance();
        const inner = this.#or();
        if (this.#token.kind !== 'rparen') {
          this.#unexpected(["'&&'", "'||'", "')'"], this.#joinHint());
        }
        const close = this.#advance();
        this.#depth--;
        return { ...inner, start: t.start, end: close.end };
      }
      case 'true':
      case 'false':
        this.#advance();
        return { kind: 'constant', value: t.kind === 'true', start: t.start, end: t.end };
      case 'header':
        return this.#comparison(
          isTextHeader(t.header)
            ? { class: 'text', ref: t.header }
            : { class: 'number', ref: t.header },
        );
      case 'field':
        return this.#comparison({ class: 'field', ref: t.field });
      case 'nil':
        return this.#unexpected(EXPRESSION_START, 'NIL is a value, as in Fields[name] == NIL');
      case 'string':
      case 'number':
      case 'regex':
        return this.#unexpected(EXPRESSION_START, "the header or field comes first: Type == 'x'");
      default:
        return this.#unexpected(EXPRESSION_START);
    }
  }

  /** `subject op literal`, with the combinations heka.md §2.1 allows. */
  #comparison(subject: Subject): MatcherNode {
    const start = this.#advance().start;
    const allowed = subject.class === 'number' ? RELATIONAL : ALL_OPERATORS;
    const opToken = this.#token;
    if (opToken.kind !== 'operator' || !allowed.includes(opToken.operator)) {
      const regexOnNumber = opToken.kind === 'operator' && subject.class === 'number';
      this.#unexpected(
        allowed.map((op) => `'${op}'`),
        regexOnNumber ? 'regular expressions apply only to text headers and fields' : '',
      );
    }
    const op = opToken.operator;
    this.#advance();
    const value = this.#token;
    const kinds = operandKinds(subject.class, op);
    if (!(kinds as readonly string[]).includes(value.kind)) {
      this.#unexpected(
        kinds.map((k) => OPERAND_DESCRIPTIONS[k]),
        operandHint(subject, op, value.kind),
      );
    }
    this.#advance();
    const span = { start, end: value.end };
    const ref = subject.ref;
    switch (value.kind) {
      case 'regex':
        return {
          kind: 'regex',
          subject: ref as TextHeader | FieldRef,
          negated: op === '!~',
          regex: this.#regex(value),
          ...span,
        };
      case 'string':
        return {
          kind: 'text',
          subject: ref as TextHeader | FieldRef,
          operator: op as RelationalOperator,
          value: value.value,
          ...span,
        };
      case 'number':
        return {
          kind: 'number',
          subject: ref as NumberHeader | FieldRef,
          operator: op as RelationalOperator,
          literal: value.literal,
          ...span,
        };
      case 'nil':
        return { kind: 'nil', subject: ref as FieldRef, present: op === '!=', ...span };
      default:
        return { kind: 'bool', subject: ref as FieldRef, value: value.kind === 'true', ...span };
    }
  }

  #regex(token: Token & { kind: 'regex' }): Regex {
    try {
      return compileRegex(token.pattern);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const detail = message.replace(/^error parsing regexp: /, '');
      return this.#fail(token.start, token.text, `invalid regular expression: ${detail}`, []);
    }
  }
}

function typeName(value: unknown): string {
  return value === null ? 'null' : typeof value;
}

/**
 * Parses a `message_matcher` expression into a tree, compiling its regexes.
 * @throws MatcherSyntaxError for anything that is not a valid expression, including one longer than
 *   `maxLength` bytes or nested deeper than `maxDepth`.
 * @throws TypeError when an option is out of range.
 */
export function parseMatcher(expression: string, options: MatcherOptions = {}): MatcherNode {
  const maxLength = checkedLimit(
    options.maxLength,
    DEFAULT_MAX_LENGTH,
    'maxLength',
    Number.MAX_SAFE_INTEGER,
  );
  const maxDepth = checkedLimit(options.maxDepth, DEFAULT_MAX_DEPTH, 'maxDepth', DEPTH_CEILING);
  if (typeof expression !== 'string') {
    throw new MatcherSyntaxError({
      expression: '',
      offset: 0,
      token: '',
      expected: ['a string'],
      reason: `the matcher must be a string, not ${typeName(expression)}`,
    });
  }
  const offset = overflowOffset(expression, maxLength);
  if (offset < expression.length) {
    const reason = `expression longer than ${maxLength} bytes (the maxLength limit)`;
    throw new MatcherSyntaxError({ expression, offset, token: '', expected: [], reason });
  }
  return new Parser(expression, maxDepth).parse();
}
