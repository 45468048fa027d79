import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { parseNumberLiteral } from '../../src/matcher/number-literal.js';

describe('parseNumberLiteral', () => {
  const VALID: readonly [string, number, bigint, boolean][] = [
    // [text, float64 value, exact floor, integral]
    ['0', 0, 0n, true],
    ['-0', -0, 0n, true],
    ['42', 42, 42n, true],
    ['007', 7, 7n, true],
    ['6.', 6, 6n, true],
    ['.5', 0.5, 0n, false],
    ['-.5', -0.5, -1n, false],
    ['-2.5', -2.5, -3n, false],
    ['.6e1', 6, 6n, true],
    ['2.50E+1', 25, 25n, true],
    ['25e-1', 2.5, 2n, false],
    ['1700000000123456789', 1700000000123456789, 1700000000123456789n, true],
    ['1700000000123456789.000', 1700000000123456789, 1700000000123456789n, true],
    ['1.700000000123456789e18', 1.700000000123456789e18, 1700000000123456789n, true],
    ['1e-400', 0, 0n, false],
    ['-1e-400', -0, -1n, false],
    ['0e999999999', 0, 0n, true],
    ['1.5e308', 1.5e308, 15n * 10n ** 307n, true],
  ];
  for (const [text, value, floor, integral] of VALID) {
    test(text, () => assert.deepEqual(parseNumberLiteral(text), { text, value, floor, integral }));
  }

  for (const text of [
    '',
    '-',
    '.',
    '-.',
    'e5',
    '1e',
    '1e+',
    '6-0',
    '1.2.3',
    '0x6',
    '1_000',
    '+1',
    '1e400',
    '--1',
    '1 ',
  ]) {
    test(`${JSON.stringify(text)} is not a number`, () =>
      assert.equal(parseNumberLiteral(text), undefined));
  }

  test('agrees with Number() and is exact on random decimals', () => {
    const decimal = fc
      .tuple(
        fc.boolean(),
        fc.stringMatching(/^\d{0,25}$/),
        fc.option(fc.stringMatching(/^\d{0,25}$/)),
        fc.option(fc.integer({ min: -40, max: 40 })),
      )
      .filter(([, int, frac]) => int !== '' || (frac ?? '') !== '')
      .map(([negative, int, frac, exp]) => {
        const fraction = frac === null ? '' : `.${frac}`;
        const exponent = exp === null ? '' : `e${exp}`;
        const text = `${negative ? '-' : ''}${int}${fraction}${exponent}`;
        return {
          text,
          negative,
          digits: int + (frac ?? ''),
          scale: (exp ?? 0) - (frac ?? '').length,
        };
      });
    fc.assert(
      fc.property(decimal, ({ text, negative, digits, scale }) => {
        const literal = parseNumberLiteral(text)!;
        assert.equal(literal.value, Number(text));
        // Exact: value × 10^k compared as integers, k large enough to clear the fraction.
        const k = BigInt(Math.max(0, -scale));
        const exact =
          (negative ? -1n : 1n) * BigInt(digits || '0') * 10n ** BigInt(Math.max(0, scale));
        const floorScaled = literal.floor * 10n ** k;
        assert.ok(floorScaled <= exact && exact < floorScaled + 10n ** k);
        assert.equal(literal.integral, floorScaled === exact);
      }),
      { numRuns: 2000 },
    );
  });
});
