import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { HekateError, hasCode } from '../../src/errors.js';
import { compileMatcher, MatcherSyntaxError } from '../../src/matcher/index.js';

function errorOf(expression: unknown): MatcherSyntaxError {
  try {
    compileMatcher(expression as string);
  } catch (error) {
    assert.ok(error instanceof MatcherSyntaxError);
    return error;
  }
  assert.fail(`${JSON.stringify(expression)} should not parse`);
}

describe('MatcherSyntaxError', () => {
  test('is a HekateError with a stable code', () => {
    const error = errorOf('Type =');
    assert.ok(error instanceof HekateError);
    assert.ok(hasCode(error, 'HEKATE_ERR_MATCHER_SYNTAX'));
    assert.equal(error.name, 'MatcherSyntaxError');
  });

  test('names the column, the offending token and what was expected, then shows a caret', () => {
    const error = errorOf("Type = 'test'");
    assert.equal(error.expression, "Type = 'test'");
    assert.equal(error.line, 1);
    assert.equal(error.column, 6);
    assert.equal(error.offset, 5);
    assert.equal(error.token, '=');
    assert.deepEqual(error.expected, [
      "'=='",
      "'!='",
      "'<'",
      "'<='",
      "'>'",
      "'>='",
      "'=~'",
      "'!~'",
    ]);
    assert.equal(error.reason, "unexpected '=' (did you mean '=='?)");
    assert.equal(
      error.message,
      "Matcher syntax error at column 6: unexpected '=' (did you mean '=='?); " +
        "expected '==', '!=', " +
        "'<', '<=', '>', '>=', '=~' or '!~'.\n" +
        "  Type = 'test'\n" +
        '       ^',
    );
  });

  test('lists only what the grammar allows at that point', () => {
    assert.deepEqual(errorOf('Severity =~ /x/').expected, [
      "'=='",
      "'!='",
      "'<'",
      "'<='",
      "'>'",
      "'>='",
    ]);
    assert.deepEqual(errorOf('Fields[x] != TRUE').expected, [
      'a string (\'…\' or "…")',
      'a number',
      'NIL',
    ]);
    assert.deepEqual(errorOf('Type == 5').expected, ['a string (\'…\' or "…")']);
    assert.match(errorOf('Type == 5').reason, /Type is text: quote the value/);
    assert.deepEqual(errorOf('TRUE &&').expected, [
      "'('",
      'TRUE',
      'FALSE',
      'a header such as Type or Severity',
      'Fields[name]',
    ]);
  });

  test('suggests the right spelling of a name', () => {
    assert.equal(errorOf('type == "x"').reason, "unknown name 'type' (did you mean 'Type'?)");
    assert.equal(errorOf('Fields[a] == nil').reason, "unknown name 'nil' (did you mean 'NIL'?)");
    assert.equal(
      errorOf('fields[a] == NIL').reason,
      "unknown name 'fields' (did you mean 'Fields[name]'?)",
    );
  });

  test('explains operators that do not exist', () => {
    assert.equal(errorOf('TRUE & FALSE').reason, "unexpected '&' (use '&&')");
    assert.equal(errorOf('TRUE | FALSE').reason, "unexpected '|' (use '||')");
    assert.match(errorOf('!(TRUE)').reason, /there is no negation/);
    assert.match(errorOf("'x' == Type").reason, /the header or field comes first/);
  });

  test('points under the right character when tabs precede it', () => {
    const error = errorOf("\tType\t= 'x'");
    assert.equal(error.column, 7);
    assert.equal(error.message.split('\n')[2], '  \t    \t^');
  });

  test('on a later line, names line and column and shows that line', () => {
    const error = errorOf("Type == 'a' ||\r\n  Severity >> 3");
    assert.equal(error.line, 2);
    assert.equal(error.column, 13);
    assert.deepEqual(error.message.split('\n').slice(0, 3), [
      "Matcher syntax error at line 2, column 13: unexpected '>'; expected a number.",
      '    Severity >> 3',
      `  ${' '.repeat(12)}^`,
    ]);
  });

  test('clips a long line around the column', () => {
    const [x, y] = ['x'.repeat(300), 'y'.repeat(300)];
    const expression = `Type == '${x}' && Severity = 3 && Type == '${y}'`;
    const [, line, caret] = errorOf(expression).message.split('\n');
    assert.ok(line!.length < 110);
    assert.ok(line!.startsWith('  …') && line!.endsWith('…'));
    assert.equal(line![caret!.length - 1], '=');
  });

  test('replaces control characters in the excerpt', () => {
    const [, line] = errorOf('Type == \u001b[31m').message.split('\n');
    assert.equal(line, '  Type == \ufffd[31m');
  });

  test('an unterminated string points at its opening quote', () => {
    const error = errorOf("Type == 'abc && TRUE");
    assert.equal(error.column, 9);
    assert.equal(error.token, "'abc && TRUE");
    assert.deepEqual(error.expected, ["a closing '"]);
  });

  test('non-string input is a MatcherSyntaxError too', () => {
    for (const input of [undefined, null, 42, {}]) {
      assert.match(errorOf(input).reason, /the matcher must be a string/);
    }
  });
});
