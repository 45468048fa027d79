import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compileMatcher, MatcherSyntaxError } from '../../src/matcher/index.js';
import { expressionOf, vectorMessage, vectors } from './heka-vectors.js';

const message = vectorMessage();

describe("Heka's matcher test vectors", () => {
  test('the file has 84 match cases and 24 parse errors', () => {
    assert.equal(vectors.cases.length, 84);
    assert.equal(vectors.parse_errors.length, 24);
  });

  for (const c of vectors.cases) {
    const expression = expressionOf(c);
    test(`${c.group}[${c.index}] ${expression} → ${c.match}`, () => {
      assert.equal(compileMatcher(expression)(message), c.match);
    });
  }
});

/**
 * Heka only said `syntax error: last token: <sym> pos: <byte offset>`, where the last token was
 * often not the offending one. Each of Heka's malformed expressions must fail with the column and
 * text of the actual problem and a reason that says what is wrong.
 */
const PARSE_ERRORS: readonly { expr: string; column: number; token: string; reason: string }[] = [
  { expr: '', column: 1, token: '', reason: 'empty matcher expression' },
  { expr: 'bogus', column: 1, token: 'bogus', reason: "unknown name 'bogus'" },
  { expr: "Type = 'test'", column: 6, token: '=', reason: "unexpected '=' (did you mean '=='?)" },
  { expr: "Pid == 'test='", column: 8, token: "'test='", reason: 'Pid is a number' },
  {
    expr: "Type == 'test' && (Severity==7 || Payload == 'Test Payload'",
    column: 60,
    token: '',
    reason: 'unexpected end of input',
  },
  { expr: "Invalid == 'bogus'", column: 1, token: 'Invalid', reason: "unknown name 'Invalid'" },
  { expr: 'Fields[]', column: 8, token: ']', reason: 'empty field name' },
  { expr: 'Fields[test][]', column: 14, token: ']', reason: 'empty field index' },
  {
    expr: 'Fields[test][a]',
    column: 14,
    token: 'a',
    reason: 'field index must be a non-negative integer',
  },
  { expr: 'Fields[test][0][]', column: 17, token: ']', reason: 'empty array index' },
  {
    expr: 'Fields[test][0][a]',
    column: 17,
    token: 'a',
    reason: 'array index must be a non-negative integer',
  },
  { expr: 'Fields[test][0][0][]', column: 19, token: '[', reason: 'too many subscripts' },
  {
    expr: 'Fields[test][xxxx',
    column: 14,
    token: 'x',
    reason: 'field index must be a non-negative integer',
  },
  {
    expr: 'Pid =~ /6/',
    column: 5,
    token: '=~',
    reason: 'regular expressions apply only to text headers',
  },
  {
    expr: 'Pid !~ /6/',
    column: 5,
    token: '!~',
    reason: 'regular expressions apply only to text headers',
  },
  { expr: 'Type =~ /test', column: 9, token: '/test', reason: 'unterminated regular expression' },
  {
    expr: 'Type == /test/',
    column: 9,
    token: '/test/',
    reason: "a regular expression needs '=~' or '!~'",
  },
  {
    expr: "Type =~ 'test'",
    column: 9,
    token: "'test'",
    reason: 'regular expressions are written /…/',
  },
  {
    expr: 'Type =~ /\\ytest/',
    column: 9,
    token: '/\\ytest/',
    reason: 'invalid regular expression: invalid escape sequence: `\\y`',
  },
  { expr: 'Type != \'test"', column: 9, token: '\'test"', reason: 'unterminated string' },
  {
    expr: 'Pid =~ 6',
    column: 5,
    token: '=~',
    reason: 'regular expressions apply only to text headers',
  },
  { expr: 'NIL', column: 1, token: 'NIL', reason: 'NIL is a value, as in Fields[name] == NIL' },
  { expr: 'Type == NIL', column: 9, token: 'NIL', reason: 'NIL applies only to Fields[…]' },
  {
    expr: 'Fields[test] > NIL',
    column: 16,
    token: 'NIL',
    reason: "NIL compares only with '==' or '!='",
  },
];

describe("Heka's malformed expressions", () => {
  test('the table covers every parse error in the vectors file, in order', () => {
    assert.deepEqual(
      PARSE_ERRORS.map((p) => p.expr),
      vectors.parse_errors,
    );
  });

  for (const p of PARSE_ERRORS) {
    test(`${JSON.stringify(p.expr)} fails at column ${p.column}`, () => {
      assert.throws(
        () => compileMatcher(p.expr),
        (error: unknown) => {
          assert.ok(error instanceof MatcherSyntaxError);
          assert.equal(error.code, 'HEKATE_ERR_MATCHER_SYNTAX');
          assert.equal(error.column, p.column);
          assert.equal(error.token, p.token);
          assert.ok(error.reason.includes(p.reason), `${error.reason} should include ${p.reason}`);
          assert.ok(error.message.includes(`column ${p.column}`));
          // The message ends with the expression and a caret under the column.
          const [, line, caret] = error.message.split('\n');
          assert.equal(line, `  ${p.expr}`);
          assert.equal(caret, `  ${' '.repeat(p.column - 1)}^`);
          return true;
        },
      );
    });
  }
});
