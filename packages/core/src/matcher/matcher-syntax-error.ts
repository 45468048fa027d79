import { HekateError } from '../errors.js';

/** What {@link MatcherSyntaxError} is built from. */
export interface MatcherSyntaxErrorInit {
  /** The whole matcher expression. */
  expression: string;
  /** 0-based index (UTF-16 code units) of the offending text in `expression`. */
  offset: number;
  /** The offending text as written; `''` at the end of the input. */
  token: string;
  /** What would have been accepted at `offset`, e.g. `["'&&'", "'||'"]`. */
  expected: readonly string[];
  /** What is wrong, e.g. `unexpected '='`. */
  reason: string;
}

/** Widest excerpt of a line shown under the message. */
const EXCERPT_WIDTH = 100;

/**
 * A `message_matcher` expression is invalid. The message names the line (when the expression has
 * several), the column, the offending token and what was expected, then shows the expression with a
 * caret under the problem:
 *
 * ```text
 * Matcher syntax error at column 6: unexpected '=' (did you mean '=='?); expected '==', … or '!~'.
 *   Type = 'test'
 *        ^
 * ```
 */
export class MatcherSyntaxError extends HekateError {
  /** The whole matcher expression. */
  readonly expression: string;
  /** 1-based line of the problem within `expression`. */
  readonly line: number;
  /** 1-based column of the problem within its line, in UTF-16 code units. */
  readonly column: number;
  /** 0-based index of the problem within `expression`. */
  readonly offset: number;
  /** The offending text as written; `''` at the end of the input. */
  readonly token: string;
  /** What would have been accepted instead. */
  readonly expected: readonly string[];
  /** What is wrong, without the position. */
  readonly reason: string;

  constructor(init: MatcherSyntaxErrorInit) {
    const at = locate(init.expression, init.offset);
    const where = at.multiline ? `line ${at.line}, column ${at.column}` : `column ${at.column}`;
    const expected = init.expected.length > 0 ? `; expected ${listOf(init.expected)}` : '';
    const summary = `Matcher syntax error at ${where}: ${init.reason}${expected}.`;
    super('HEKATE_ERR_MATCHER_SYNTAX', `${summary}\n${excerpt(at.text, at.column)}`);
    this.expression = init.expression;
    this.line = at.line;
    this.column = at.column;
    this.offset = init.offset;
    this.token = init.token;
    this.expected = init.expected;
    this.reason = init.reason;
  }
}

interface Location {
  line: number;
  column: number;
  /** The text of the line, without its line break. */
  text: string;
  multiline: boolean;
}

function isBreak(c: string | undefined): boolean {
  return c === '\n' || c === '\r';
}

function locate(expression: string, offset: number): Location {
  let line = 1;
  let start = 0;
  for (let i = 0; i < offset && i < expression.length; i++) {
    const c = expression[i];
    // CRLF counts as one break.
    if (c === '\n' || (c === '\r' && expression[i + 1] !== '\n')) {
      line++;
      start = i + 1;
    }
  }
  let end = start;
  while (end < expression.length && !isBreak(expression[end])) end++;
  const multiline = line > 1 || end < expression.trimEnd().length;
  return { line, column: offset - start + 1, text: expression.slice(start, end), multiline };
}

/** `a`, `a or b`, `a, b or c`. */
function listOf(items: readonly string[]): string {
  return items.length === 1
    ? items[0]!
    : `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]!}`;
}

/** The line (clipped around the column) and a caret under the column, both indented. */
function excerpt(text: string, column: number): string {
  const at = column - 1;
  const from = Math.max(0, Math.min(at - EXCERPT_WIDTH / 2, text.length - EXCERPT_WIDTH));
  const to = Math.min(text.length, from + EXCERPT_WIDTH);
  const lead = from > 0 ? '…' : '';
  const shown = lead + printable(text.slice(from, to)) + (to < text.length ? '…' : '');
  // Tabs are repeated in the caret line so that the caret lines up under them.
  const pad = lead + text.slice(from, at).replace(/[^\t]/g, ' ');
  return `  ${shown}\n  ${pad}^`;
}

/** Replaces control characters (other than tab) so that the excerpt cannot garble a terminal. */
function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '\ufffd');
}
