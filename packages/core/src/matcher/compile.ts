import type { Message } from '../message/message.js';
import type { FieldRef, MatcherNode, NumberNode, RelationalOperator, TextNode } from './ast.js';
import { NUMBER_HEADERS, TEXT_HEADERS, type TextHeader } from './headers.js';
import { parseMatcher, type MatcherOptions } from './parser.js';
import type { Regex } from './regex.js';
import { compareBytes, compareText } from './text-compare.js';

/** A compiled `message_matcher`: true when the message matches. Pure and synchronous. */
export type MatcherPredicate = (message: Message) => boolean;

/** A test on one text value, which may arrive as a string or as UTF-8 bytes (a BYTES field). */
interface TextTest {
  readonly string: (text: string) => boolean;
  readonly bytes: (bytes: Uint8Array) => boolean;
}

const alwaysTrue: MatcherPredicate = () => true;
const alwaysFalse: MatcherPredicate = () => false;

/** `x op literal` with JavaScript's operators, exact for numbers and bigints. */
function relational<T extends number | bigint>(
  op: RelationalOperator,
  literal: T,
): (x: T) => boolean {
  switch (op) {
    case '==':
      return (x) => x === literal;
    case '!=':
      return (x) => x !== literal;
    case '<':
      return (x) => x < literal;
    case '<=':
      return (x) => x <= literal;
    case '>':
      return (x) => x > literal;
    case '>=':
      return (x) => x >= literal;
  }
}

/** Go's string comparison: byte-wise on UTF-8, so code point order (not UTF-16 order). */
function textTest(op: RelationalOperator, literal: string): TextTest {
  const encoded = new TextEncoder().encode(literal);
  const sign = relational<number>(op, 0);
  const bytes = (b: Uint8Array): boolean => sign(compareBytes(b, encoded));
  if (op === '==') return { string: (s) => s === literal, bytes };
  if (op === '!=') return { string: (s) => s !== literal, bytes };
  return { string: (s) => sign(compareText(s, literal)), bytes };
}

function regexTest(regex: Regex, negated: boolean): TextTest {
  if (!negated) return { string: regex.test, bytes: regex.testBytes };
  const { test, testBytes } = regex;
  return { string: (s) => !test(s), bytes: (b) => !testBytes(b) };
}

/** A field's value at `[fi][ai]`, or undefined when the field or the index is missing. */
function fieldValue(m: Message, ref: FieldRef): ReturnType<Message['value']> {
  return m.value(ref.name, ref.fieldIndex, ref.arrayIndex);
}

/** A text test on a header or a field. A missing field, or one that is not text, fails. */
function onText(subject: TextHeader | FieldRef, test: TextTest): MatcherPredicate {
  const onString = test.string;
  if (typeof subject === 'string') {
    const read = TEXT_HEADERS[subject];
    return (m) => onString(read(m));
  }
  const onBytes = test.bytes;
  return (m) => {
    const v = fieldValue(m, subject);
    return typeof v === 'string' ? onString(v) : v instanceof Uint8Array && onBytes(v);
  };
}

/**
 * Timestamp against the exact decimal literal: an integral literal compares as a bigint; against a
 * fractional one, `ts < 1.5` is `ts <= 1` and `ts > 1.5` is `ts > 1`.
 */
function timestampTest(
  op: RelationalOperator,
  floor: bigint,
  integral: boolean,
): (ts: bigint) => boolean {
  if (integral) return relational(op, floor);
  if (op === '==' || op === '!=') return op === '==' ? () => false : () => true;
  return op === '<' || op === '<=' ? relational('<=', floor) : relational('>', floor);
}

/** A number test: Timestamp exactly, Severity and Pid and fields as float64 (as in Heka). */
function onNumber(node: NumberNode): MatcherPredicate {
  const { subject, operator, literal } = node;
  if (subject === 'Timestamp') {
    const test = timestampTest(operator, literal.floor, literal.integral);
    return (m) => test(m.timestamp);
  }
  const test = relational(operator, literal.value);
  if (typeof subject === 'string') {
    const read = NUMBER_HEADERS[subject];
    return (m) => test(read(m));
  }
  return (m) => {
    const v = fieldValue(m, subject);
    return typeof v === 'number' ? test(v) : typeof v === 'bigint' && test(Number(v));
  };
}

function every(predicates: readonly MatcherPredicate[]): MatcherPredicate {
  if (predicates.length === 2) {
    const [a, b] = predicates as [MatcherPredicate, MatcherPredicate];
    return (m) => a(m) && b(m);
  }
  return (m) => {
    for (let i = 0; i < predicates.length; i++) if (!predicates[i]!(m)) return false;
    return true;
  };
}

function some(predicates: readonly MatcherPredicate[]): MatcherPredicate {
  if (predicates.length === 2) {
    const [a, b] = predicates as [MatcherPredicate, MatcherPredicate];
    return (m) => a(m) || b(m);
  }
  return (m) => {
    for (let i = 0; i < predicates.length; i++) if (predicates[i]!(m)) return true;
    return false;
  };
}

/** The header of a `Type == '…'`, `Logger == '…'` etc., else undefined. */
function equalityHeader(node: MatcherNode): TextHeader | undefined {
  const isEquality = node.kind === 'text' && node.operator === '==';
  return isEquality && typeof node.subject === 'string' ? node.subject : undefined;
}

/**
 * An `||` in which one text header is tested for equality with several strings
 * (`Logger == 'a' || Logger == 'b' || …`) tests them with one set lookup, where the first of them
 * stood. Every test is pure, so the order of evaluation does not change the result.
 */
function compileOr(operands: readonly MatcherNode[]): MatcherPredicate {
  const values = new Map<TextHeader, string[]>();
  for (const n of operands) {
    const header = equalityHeader(n);
    if (header !== undefined) {
      values.set(header, [...(values.get(header) ?? []), (n as TextNode).value]);
    }
  }
  const predicates: MatcherPredicate[] = [];
  const merged = new Set<TextHeader>();
  for (const n of operands) {
    const header = equalityHeader(n);
    if (header === undefined || values.get(header)!.length < 2) {
      predicates.push(compileNode(n));
    } else if (!merged.has(header)) {
      merged.add(header);
      const set = new Set(values.get(header));
      const read = TEXT_HEADERS[header];
      predicates.push((m) => set.has(read(m)));
    }
  }
  return predicates.length === 1 ? predicates[0]! : some(predicates);
}

/** Turns a parsed expression (or any part of one) into a predicate. */
export function compileNode(node: MatcherNode): MatcherPredicate {
  switch (node.kind) {
    case 'constant':
      return node.value ? alwaysTrue : alwaysFalse;
    case 'and':
      return every(node.operands.map(compileNode));
    case 'or':
      return compileOr(node.operands);
    case 'text':
      return onText(node.subject, textTest(node.operator, node.value));
    case 'regex':
      return onText(node.subject, regexTest(node.regex, node.negated));
    case 'number':
      return onNumber(node);
    case 'bool': {
      const { subject, value } = node;
      return (m) => fieldValue(m, subject) === value;
    }
    case 'nil': {
      const subject = node.subject;
      return node.present
        ? (m) => fieldValue(m, subject) !== undefined
        : (m) => fieldValue(m, subject) === undefined;
    }
  }
}

/**
 * Compiles a `message_matcher` expression (Heka's language; see docs/matcher.md) once into a
 * predicate that is cheap to call for every message.
 *
 * @example
 * const isServerError = compileMatcher("Type == 'click' && Fields[status] >= 500");
 * const status = { name: 'status', value: 503 };
 * isServerError(createMessage({ type: 'click', fields: [status] })); // true
 *
 * @throws MatcherSyntaxError when the expression is invalid, too long or nested too deeply.
 */
export function compileMatcher(expression: string, options?: MatcherOptions): MatcherPredicate {
  return compileNode(parseMatcher(expression, options));
}
