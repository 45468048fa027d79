import type { NumberHeader, TextHeader } from './headers.js';
import type { NumberLiteral } from './number-literal.js';
import type { Regex } from './regex.js';

/** Where a node's text is in the expression: `expression.slice(start, end)`. */
export interface Span {
  readonly start: number;
  readonly end: number;
}

/** `==  !=  <  <=  >  >=` */
export type RelationalOperator = '==' | '!=' | '<' | '<=' | '>' | '>=';

/** `=~  !~` */
export type RegexOperator = '=~' | '!~';

/** Any comparison operator. */
export type Operator = RelationalOperator | RegexOperator;

/** `Fields[name][fieldIndex][arrayIndex]`; both indices default to 0. */
export interface FieldRef {
  readonly name: string;
  /** Which field of that name, in message order. */
  readonly fieldIndex: number;
  /** Which value in that field's value array. */
  readonly arrayIndex: number;
}

/** `TRUE` or `FALSE` on its own. */
export interface ConstantNode extends Span {
  readonly kind: 'constant';
  readonly value: boolean;
}

/** Operands joined by `&&` (all true) or `||` (any true), evaluated left to right, lazily. */
export interface LogicalNode extends Span {
  readonly kind: 'and' | 'or';
  readonly operands: readonly MatcherNode[];
}

/** A text header or a field compared with a string literal. */
export interface TextNode extends Span {
  readonly kind: 'text';
  readonly subject: TextHeader | FieldRef;
  readonly operator: RelationalOperator;
  readonly value: string;
}

/** A text header or a field searched with a regex (`=~`, or `!~` when `negated`). */
export interface RegexNode extends Span {
  readonly kind: 'regex';
  readonly subject: TextHeader | FieldRef;
  readonly negated: boolean;
  readonly regex: Regex;
}

/** A numeric header, Timestamp or a field compared with a number literal. */
export interface NumberNode extends Span {
  readonly kind: 'number';
  readonly subject: NumberHeader | 'Timestamp' | FieldRef;
  readonly operator: RelationalOperator;
  readonly literal: NumberLiteral;
}

/** `Fields[…] == TRUE` or `Fields[…] == FALSE`. */
export interface BoolNode extends Span {
  readonly kind: 'bool';
  readonly subject: FieldRef;
  readonly value: boolean;
}

/** `Fields[…] == NIL` (absent) or `Fields[…] != NIL` (present, when `present`). */
export interface NilNode extends Span {
  readonly kind: 'nil';
  readonly subject: FieldRef;
  readonly present: boolean;
}

/** A parsed matcher expression: the parser only builds combinations the grammar allows. */
export type MatcherNode =
  ConstantNode | LogicalNode | TextNode | RegexNode | NumberNode | BoolNode | NilNode;
