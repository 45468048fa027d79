import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { RE2JS } from 're2js';
import { patternLiterals } from '../../src/matcher/pattern-literals.js';
import { compileRegex } from '../../src/matcher/regex.js';

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('regex strategies', () => {
  const STRATEGIES: readonly [string, string][] = [
    ['^GET /', 'prefix'],
    ['\\.log$', 'suffix'],
    ['^a\\.b$', 'exact'],
    ['error', 'contains'],
    ['', 'contains'],
    ['a}b]', 'contains'],
    ['"status":5\\d\\d', 'prefiltered'],
    ['x+yz', 'prefiltered'],
    ['(?i)error', 're2'],
    ['GET|POST', 're2'],
    ['\\Qa.b\\E', 're2'],
    ['^(a+)+$', 're2'],
  ];
  for (const [pattern, strategy] of STRATEGIES) {
    test(`/${pattern}/ → ${strategy}`, () =>
      assert.equal(compileRegex(pattern).strategy, strategy));
  }

  test('fast paths work on BYTES as well as strings', () => {
    for (const [pattern, yes, no] of [
      ['^ab', 'abc', 'cab'],
      ['bc$', 'abc', 'bca'],
      ['^abc$', 'abc', 'abcd'],
      ['b', 'abc', 'xyz'],
      ['b\\d', 'ab1', 'ab'],
    ] as const) {
      const regex = compileRegex(pattern);
      assert.equal(regex.test(yes) && regex.testBytes(utf8(yes)), true, `${pattern} ${yes}`);
      assert.equal(regex.test(no) || regex.testBytes(utf8(no)), false, `${pattern} ${no}`);
    }
  });
});

describe('patternLiterals', () => {
  const CASES: readonly [string, string, string][] = [
    // [pattern, required, leading]
    ['"status":5\\d\\d', '"status":5', '"status":5'],
    ['a+bc', 'bc', ''],
    ['ab?cd', 'cd', 'a'],
    ['x[[:alpha:]]yz', 'yz', 'x'],
    ['\\x41bc', 'bc', ''],
    ['\\pLxy', 'xy', ''],
    ['\\p{Greek}zz', 'zz', ''],
    ['\\012ab', 'ab', ''],
    ['foo(bar)baz', 'foo', 'foo'],
    ['[]a]bcd', 'bcd', ''],
    ['😀?xyz', 'xyz', ''],
    ['a{2}bcd', 'bcd', ''],
    ['^abc\\d', 'abc', ''],
    ['a|bcd', '', ''],
    ['(?i)abc', '', ''],
    ['(?s:.)abc', '', ''],
    ['\\Qabc\\E', '', ''],
  ];
  for (const [pattern, required, leading] of CASES) {
    test(`/${pattern}/`, () => {
      const found = patternLiterals(pattern);
      assert.equal(found.required, required);
      assert.equal(found.leading, leading);
    });
  }

  test('reports whole literals with their anchors', () => {
    assert.deepEqual(patternLiterals('^a\\/b$').whole, { literal: 'a/b', start: true, end: true });
    assert.equal(patternLiterals('a.b').whole, undefined);
  });
});

/** An RE2 atom and a text it matches. */
const atom = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.constantFrom<[string, string]>(
      ['a', 'a'],
      ['b', 'b'],
      ['"', '"'],
      [':', ':'],
      ['5', '5'],
      ['é', 'é'],
      ['😀', '😀'],
      ['\\.', '.'],
    ),
  },
  fc.constantFrom<[string, string]>(
    ['\\d', '5'],
    ['\\w', 'a'],
    ['\\b', ''],
    ['.', ':'],
    ['[ab]', 'b'],
    ['[^a]', 'b'],
    ['[[:digit:]]', '1'],
    ['\\x61', 'a'],
    ['\\pL', 'é'],
    ['(ab)', 'ab'],
    ['(?:a|b)', 'b'],
    ['(?P<n>a+)', 'aa'],
    ['(?i:a)', 'A'],
    ['^', ''],
    ['$', ''],
    ['\\A', ''],
    ['\\z', ''],
  ),
);
/** A quantifier and how many times its atom's text is repeated in a matching text. */
const quantifier = fc.constantFrom<[string, number]>(
  ['', 1],
  ['', 1],
  ['', 1],
  ['', 1],
  ['*', 0],
  ['*', 2],
  ['+', 2],
  ['?', 0],
  ['?', 1],
  ['{2}', 2],
  ['{1,3}', 3],
  ['*?', 1],
);
const noise = fc.string({
  unit: fc.constantFrom('a', 'b', 'A', '"', ':', '5', ' ', 'é', '\n'),
  maxLength: 6,
});

/**
 * A pattern (mostly literal, so that every strategy occurs) and texts around what it would match,
 * some of them damaged, so that both results are frequent.
 */
const patternAndTexts = fc
  .tuple(
    fc.constantFrom('', '', '^'),
    fc.array(fc.tuple(atom, quantifier), { maxLength: 8 }),
    fc.constantFrom('', '', '', '$', '|b', '(?i)'),
    fc.array(fc.tuple(noise, noise, fc.nat(), fc.boolean()), { minLength: 1, maxLength: 6 }),
  )
  .map(([start, parts, extra, wrappers]) => {
    const atoms = parts.map(([[a, sample], [q, times]]) =>
      a === '^' || a === '$' ? [a, ''] : [a + q, sample.repeat(times)],
    );
    const body = start + atoms.map(([a]) => a).join('');
    const sample = atoms.map(([, t]) => t).join('');
    const texts = wrappers.map(([before, after, at, damage]) => {
      const t = before + sample + after;
      const i = at % (t.length + 1);
      return damage ? t.slice(0, i) + t.slice(i + 1) : t;
    });
    return { pattern: extra === '(?i)' ? extra + body : body + extra, texts };
  });

describe('fast paths and prefilters never change a result', () => {
  test('compileRegex agrees with RE2 on strings and bytes', { timeout: 120_000 }, () => {
    fc.assert(
      fc.property(patternAndTexts, ({ pattern, texts }) => {
        let re2: RE2JS;
        try {
          re2 = RE2JS.compile(pattern);
        } catch {
          return; // not a valid pattern: compileRegex throws too
        }
        const regex = compileRegex(pattern);
        const { required, leading } = patternLiterals(pattern);
        for (const t of texts) {
          const expected = re2.test(t);
          assert.equal(regex.test(t), expected, `/${pattern}/ on ${JSON.stringify(t)}`);
          assert.equal(
            regex.testBytes(utf8(t)),
            expected,
            `/${pattern}/ on bytes ${JSON.stringify(t)}`,
          );
          if (expected) assert.ok(t.includes(required) && t.includes(leading));
        }
      }),
      { numRuns: 3000 },
    );
  });
});
