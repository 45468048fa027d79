import type { Message } from '../message/message.js';
import type { FieldRef, MatcherNode } from './ast.js';
import { compileNode } from './compile.js';
import { NUMBER_HEADERS, TEXT_HEADERS, type HeaderName } from './headers.js';
import { parseMatcher, type MatcherOptions } from './parser.js';

/** How one sub-expression of a matcher evaluated for one message. */
export interface Explanation {
  /** The sub-expression as written, with line breaks folded into spaces. */
  readonly text: string;
  /** Whether the sub-expression is true for the message. */
  readonly result: boolean;
  /** For an `&&` or `||`, which one. */
  readonly operator?: '&&' | '||';
  /** The operands of an `&&` or `||`, each explained; empty for a comparison or a constant. */
  readonly children: readonly Explanation[];
  /** For a comparison, the value it saw, e.g. `value 404 (integer)` or `field missing`. */
  readonly detail?: string;
}

/** Longest value shown in a detail. */
const VALUE_SHOWN = 60;

function quoted(text: string): string {
  return JSON.stringify(text.length > VALUE_SHOWN ? `${text.slice(0, VALUE_SHOWN)}…` : text);
}

/** Multi-line expressions read better on one line; line breaks only ever separate tokens. */
function fold(text: string): string {
  return text
    .split(/\r\n|\r|\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .join(' ');
}

function describeHeader(header: HeaderName, message: Message): string {
  if (header === 'Timestamp') return `value ${message.timestamp}`;
  if (header === 'Severity' || header === 'Pid') return `value ${NUMBER_HEADERS[header](message)}`;
  return `value ${quoted(TEXT_HEADERS[header](message))}`;
}

function describeField(ref: FieldRef, message: Message): string {
  const field = message.field(ref.name, ref.fieldIndex);
  if (field === undefined) return 'field missing';
  const value = field.values[ref.arrayIndex];
  if (value === undefined) {
    return `no value at array index ${ref.arrayIndex} (the field has ${field.values.length})`;
  }
  const shown =
    typeof value === 'string'
      ? quoted(value)
      : value instanceof Uint8Array
        ? quoted(new TextDecoder().decode(value))
        : String(value);
  return `value ${shown} (${field.type})`;
}

function explainNode(node: MatcherNode, expression: string, message: Message): Explanation {
  const text = fold(expression.slice(node.start, node.end));
  const result = compileNode(node)(message);
  switch (node.kind) {
    case 'and':
    case 'or': {
      const children = node.operands.map((n) => explainNode(n, expression, message));
      return { text, result, operator: node.kind === 'and' ? '&&' : '||', children };
    }
    case 'constant':
      return { text, result, children: [] };
    default: {
      const subject = node.subject;
      const detail =
        typeof subject === 'string'
          ? describeHeader(subject, message)
          : describeField(subject, message);
      return { text, result, children: [], detail };
    }
  }
}

/**
 * Evaluates `expression` against `message` and reports which sub-expressions were true or false,
 * and the values the comparisons saw. Every operand is evaluated, even where the matcher itself
 * would short-circuit. Used by `hekate explain`.
 *
 * @example
 * formatExplanation(explainMatcher("Type == 'click' && Fields[status] >= 500", message));
 * // false  Type == 'click' && Fields[status] >= 500
 * //   true   Type == 'click'  (value "click")
 * //   false  Fields[status] >= 500  (value 404 (integer))
 *
 * @throws MatcherSyntaxError when the expression is invalid.
 */
export function explainMatcher(
  expression: string,
  message: Message,
  options?: MatcherOptions,
): Explanation {
  return explainNode(parseMatcher(expression, options), expression, message);
}

/** Renders an explanation as indented lines: the result, the sub-expression, and the value seen. */
export function formatExplanation(explanation: Explanation): string {
  const lines: string[] = [];
  const visit = (e: Explanation, depth: number): void => {
    const detail = e.detail === undefined ? '' : `  (${e.detail})`;
    lines.push(`${'  '.repeat(depth)}${e.result ? 'true ' : 'false'}  ${e.text}${detail}`);
    for (const child of e.children) visit(child, depth + 1);
  };
  visit(explanation, 0);
  return lines.join('\n');
}
