import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  compileMatcher,
  explainMatcher,
  MatcherSyntaxError,
  type Explanation,
} from '../../src/matcher/index.js';
import { emptyMessage, expressionOf, vectorMessage, vectors } from './heka-vectors.js';

const messages = [vectorMessage(), emptyMessage()];
const RUNS = 3000;
const TIMEOUT = { timeout: 120_000 };

/**
 * The contract for any input: a predicate that returns a boolean for every message, or a
 * MatcherSyntaxError pointing inside the expression. Nothing else is thrown.
 */
function checkContract(expression: string): void {
  let predicate;
  try {
    predicate = compileMatcher(expression);
  } catch (error) {
    assert.ok(
      error instanceof MatcherSyntaxError,
      `${String(error)} for ${JSON.stringify(expression)}`,
    );
    assert.equal(error.code, 'HEKATE_ERR_MATCHER_SYNTAX');
    assert.ok(error.offset >= 0 && error.offset <= expression.length);
    assert.ok(error.line >= 1 && error.column >= 1);
    return;
  }
  for (const m of messages) assert.equal(typeof predicate(m), 'boolean');
}

/** Splits a list written as one string: `words('a b')` is `['a', 'b']`. */
const words = (list: string): string[] => list.split(' ');

/** Pieces of the language, valid and not, for token soups and mutations. */
const TOKENS = [
  ...words('( ) && || & | == != < <= > >= =~ !~ = ! - TRUE FALSE NIL true nil [ ]'),
  ...words('Type Logger Payload Uuid EnvVersion Hostname Timestamp Severity Pid'),
  ...words('Fields Fields[foo] Fields[foo][1] Fields[int][0][1] Fields[bool] Fields[bytes]'),
  ...words('Fields[ Fields[] Fields[a][ Fields[a][0][0][0]'),
  ...words(`'TEST' "bar" '' ' " 'a\\' /TEST/ /^te/ /st$/ /(?i)x/ /(?P<n>a+)/ /[/ / //`),
  ...words('/a\\/b/ /\\y/ /a{1001}/ 6 -1 .5 1e3 6-0 1e 0x6 1e400 1700000000123456789 99.9'),
  ...['\n', '\r', '\t', ' ', '\\', '#', 'é', '😀', '\u0000', '\ud800'],
];

const whitespace = fc.constantFrom(' ', '', '\n', '\t', '\r\n', '  ');

const tokenSoup = fc
  .array(fc.tuple(fc.constantFrom(...TOKENS), whitespace), { maxLength: 40 })
  .map((parts) => parts.map(([token, space]) => token + space).join(''));

const validExpressions = vectors.cases.map(expressionOf);

/** A valid expression with 1–4 random edits: insertions, deletions, replacements. */
const mutated = fc
  .tuple(
    fc.constantFrom(...validExpressions),
    fc.array(
      fc.tuple(
        fc.nat(),
        fc.nat({ max: 6 }),
        fc.oneof(fc.constantFrom(...TOKENS), fc.string({ maxLength: 3, unit: 'binary' })),
      ),
      { minLength: 1, maxLength: 4 },
    ),
  )
  .map(([expression, edits]) =>
    edits.reduce((text, [at, remove, insert]) => {
      const i = at % (text.length + 1);
      return text.slice(0, i) + insert + text.slice(i + remove);
    }, expression),
  );

describe('fuzz: any input is a predicate or a MatcherSyntaxError', () => {
  test('random token soups', TIMEOUT, () => {
    fc.assert(fc.property(tokenSoup, checkContract), { numRuns: RUNS });
  });

  test('random mutations of valid vector expressions', TIMEOUT, () => {
    fc.assert(fc.property(mutated, checkContract), { numRuns: RUNS });
  });

  test('random strings', TIMEOUT, () => {
    for (const unit of ['binary', 'grapheme-ascii'] as const) {
      fc.assert(fc.property(fc.string({ unit, maxLength: 200 }), checkContract), { numRuns: RUNS });
    }
    const long = fc.string({ unit: 'binary', maxLength: 5000, size: 'max' });
    fc.assert(fc.property(long, checkContract), { numRuns: RUNS / 10 });
  });
});

// ---------------------------------------------------------------- valid expressions -----
const textSubject = fc.constantFrom(
  ...words('Type Logger Payload Uuid EnvVersion Hostname'),
  ...words('Fields[foo] Fields[foo][1] Fields[bytes] Fields[string] Fields[int] Fields[missing]'),
);
const numberSubject = fc.constantFrom(
  ...words('Severity Pid Timestamp Fields[number] Fields[int][0][1] Fields[double]'),
  ...words('Fields[zero] Fields[string] Fields[bool] Fields[missing]'),
);
const relational = fc.constantFrom(...words('== != < <= > >='));
const strings = fc.constantFrom(...words(`'TEST' 'GoSpec' '' 'bar' "0.8" 'zzz' 'data' '43'`));
const regexes = fc.constantFrom(
  ...words('/TEST/ /^Go/ /Payload$/ /^TEST$/ /(?i)test/ /\\d+/ // /^$/ /a|e/ /lt/ /"?st\\w/'),
);
const numbers = fc.constantFrom(...words('6 -1 99.9 1024 1700000000123456789 .5e1 0 43'));
const fieldSubject = fc.constantFrom('Fields[bool]', 'Fields[foo]', 'Fields[missing]');

function comparison(
  subject: fc.Arbitrary<string>,
  operator: fc.Arbitrary<string>,
  value: fc.Arbitrary<string>,
): fc.Arbitrary<string[]> {
  return fc.tuple(subject, operator, value).map((tokens) => [...tokens]);
}

/** An expression as tokens, so that it can be joined with any whitespace. */
const { expression } = fc.letrec<{ expression: string[]; leaf: string[] }>((tie) => ({
  expression: fc.oneof(
    { depthSize: 'small' },
    tie('leaf'),
    fc
      .tuple(tie('expression'), fc.constantFrom('&&', '||'), tie('expression'))
      .map(([a, op, b]) => [...a, op, ...b]),
    tie('expression').map((e) => ['(', ...e, ')']),
  ),
  leaf: fc.oneof(
    fc.constantFrom('TRUE', 'FALSE').map((b) => [b]),
    comparison(textSubject, relational, strings),
    comparison(textSubject, fc.constantFrom('=~', '!~'), regexes),
    comparison(numberSubject, relational, numbers),
    comparison(fieldSubject, fc.constant('=='), fc.constantFrom('TRUE', 'FALSE', 'NIL')),
    comparison(fieldSubject, fc.constant('!='), fc.constant('NIL')),
  ),
}));

/** Every `&&` is true exactly when all its operands are, every `||` when any is. */
function consistent(e: Explanation): boolean {
  if (e.children.length === 0) return true;
  const results = e.children.map((c) => c.result);
  const expected = e.operator === '&&' ? results.every(Boolean) : results.some(Boolean);
  return e.result === expected && e.children.every(consistent);
}

describe('fuzz: valid expressions', () => {
  const spacing = fc.array(
    whitespace.filter((w) => w !== ''),
    { minLength: 1 },
  );

  test('compile, evaluate like their parts, and mean the same with any whitespace', TIMEOUT, () => {
    fc.assert(
      fc.property(expression, spacing, (tokens, spaces) => {
        const plain = tokens.join(' ');
        const spaced = tokens.map((t, i) => t + spaces[i % spaces.length]).join('');
        for (const m of messages) {
          const result = compileMatcher(plain)(m);
          assert.equal(compileMatcher(spaced)(m), result);
          assert.equal(compileMatcher(`(${plain})`)(m), result);
          const explanation = explainMatcher(plain, m);
          assert.equal(explanation.result, result);
          assert.ok(consistent(explanation), plain);
        }
      }),
      { numRuns: 500 },
    );
  });
});
