import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  compileMatcher,
  explainMatcher,
  formatExplanation,
  MatcherSyntaxError,
} from '../../src/matcher/index.js';
import { createMessage } from '../../src/message/message.js';
import { expressionOf, vectorMessage, vectors } from './heka-vectors.js';

const click = createMessage({
  type: 'click',
  payload: 'GET /api/v2/clickout 404',
  fields: [
    { name: 'status', value: 404 },
    { name: 'body', value: new TextEncoder().encode('not found') },
  ],
});

describe('explainMatcher', () => {
  test('gives the result of every sub-expression, as written', () => {
    const explanation = explainMatcher(
      "Type == 'click' && (Fields[status] >= 500 || Payload =~ /404$/)",
      click,
    );
    assert.deepEqual(explanation, {
      text: "Type == 'click' && (Fields[status] >= 500 || Payload =~ /404$/)",
      result: true,
      operator: '&&',
      children: [
        { text: "Type == 'click'", result: true, children: [], detail: 'value "click"' },
        {
          text: '(Fields[status] >= 500 || Payload =~ /404$/)',
          result: true,
          operator: '||',
          children: [
            {
              text: 'Fields[status] >= 500',
              result: false,
              children: [],
              detail: 'value 404 (integer)',
            },
            {
              text: 'Payload =~ /404$/',
              result: true,
              children: [],
              detail: 'value "GET /api/v2/clickout 404"',
            },
          ],
        },
      ],
    });
  });

  test('evaluates operands that the matcher would short-circuit', () => {
    const explanation = explainMatcher("Type == 'view' && Fields[status] == 404", click);
    assert.equal(explanation.result, false);
    assert.deepEqual(
      explanation.children.map((c) => c.result),
      [false, true],
    );
  });

  test('says what a field comparison saw', () => {
    const details = [
      'Fields[missing] == NIL',
      'Fields[status][0][1] != NIL',
      "Fields[body] == 'not found'",
      'Severity < 7',
      'Timestamp > 0',
      'TRUE',
    ].map((e) => explainMatcher(e, click).detail);
    assert.deepEqual(details, [
      'field missing',
      'no value at array index 1 (the field has 1)',
      'value "not found" (bytes)',
      'value 7',
      `value ${click.timestamp}`,
      undefined,
    ]);
  });

  test('folds a multi-line expression onto one line', () => {
    const explanation = explainMatcher("Type == 'click'\n  && Severity == 7\r\n", click);
    assert.equal(explanation.text, "Type == 'click' && Severity == 7");
  });

  test('agrees with compileMatcher on every vector', () => {
    const message = vectorMessage();
    for (const c of vectors.cases) {
      const expression = expressionOf(c);
      assert.equal(explainMatcher(expression, message).result, compileMatcher(expression)(message));
    }
  });

  test('throws MatcherSyntaxError for an invalid expression', () => {
    assert.throws(() => explainMatcher('Type = 1', click), MatcherSyntaxError);
  });
});

describe('formatExplanation', () => {
  test('renders indented lines: result, sub-expression, value seen', () => {
    const text = formatExplanation(
      explainMatcher("Type == 'click' && (Fields[status] >= 500 || Fields[nope] != 'x')", click),
    );
    assert.equal(
      text,
      [
        "false  Type == 'click' && (Fields[status] >= 500 || Fields[nope] != 'x')",
        '  true   Type == \'click\'  (value "click")',
        "  false  (Fields[status] >= 500 || Fields[nope] != 'x')",
        '    false  Fields[status] >= 500  (value 404 (integer))',
        "    false  Fields[nope] != 'x'  (field missing)",
      ].join('\n'),
    );
  });

  test('shortens long values', () => {
    const long = createMessage({ payload: 'x'.repeat(500) });
    const line = formatExplanation(explainMatcher('Payload =~ /y/', long));
    assert.equal(line, `false  Payload =~ /y/  (value "${'x'.repeat(60)}…")`);
  });
});
