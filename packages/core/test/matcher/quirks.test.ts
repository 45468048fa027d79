import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isDeepStrictEqual } from 'node:util';
import { compileMatcher, MatcherSyntaxError } from '../../src/matcher/index.js';
import { createMessage, type Message } from '../../src/message/message.js';
import { emptyMessage, vectorMessage, vectors } from './heka-vectors.js';

type Outcome = { parses: false } | { parses: true; match: boolean };

/**
 * Hekate's outcome for every derived quirk case of the vectors file. Where it differs from Heka's,
 * `why` says which documented decision (docs/matcher.md, "Heka's quirks") changed it.
 */
const OURS: Readonly<Record<string, Outcome & { why?: string }>> = {
  'TRUE FALSE': {
    parses: false,
    why: 'juxtaposed expressions are a syntax error, not "last one wins"',
  },
  'FALSE TRUE': { parses: false, why: 'juxtaposed expressions are a syntax error' },
  "Type == 'TEST' Severity == 1": {
    parses: false,
    why: 'juxtaposed expressions are a syntax error',
  },
  "Fields[missing] != 'x'": { parses: true, match: false },
  'Fields[missing] !~ /x/': { parses: true, match: false },
  'Fields[missing] != 5': { parses: true, match: false },
  'Fields[bool] != TRUE': { parses: false },
  'Fields[bool] == 1': { parses: true, match: false },
  "Fields[bool] == 'true'": { parses: true, match: false },
  'Fields[bool] != NIL': { parses: true, match: true },
  'Severity == -1': { parses: true, match: false, why: 'negative numbers parse' },
  'Severity == .6e1': { parses: true, match: true },
  'Severity == 6-0': { parses: false, why: 'a malformed number is a syntax error, not 0' },
  'Severity == 1e': { parses: false, why: 'a malformed number is a syntax error, not 0' },
  'Severity == 0x6': { parses: false },
  'Timestamp == 1700000000123456700': {
    parses: true,
    match: false,
    why: 'Timestamp compares exactly as integer nanoseconds, not as float64',
  },
  'FALSE\n|| TRUE': {
    parses: true,
    match: true,
    why: 'a newline is whitespace, not the end of input',
  },
  'TRUE\n&& FALSE': {
    parses: true,
    match: false,
    why: 'a newline is whitespace, not the end of input',
  },
  "Type == 'TEST'\r": { parses: true, match: true, why: 'CR is whitespace, not a syntax error' },
  'TRUE || FALSE && FALSE': { parses: true, match: true },
  'FALSE && TRUE || TRUE': { parses: true, match: true },
  "Type < 'U'": { parses: true, match: true },
  'Type != NIL': { parses: false },
  'Fields[int][1] == 999': { parses: true, match: false },
  'Fields[my field] == NIL': { parses: true, match: true },
  'Fields[ foo ] == NIL': { parses: true, match: true },
  "Type == 'TE\\'ST'": { parses: true, match: false },
  "Type == 'TE\\ST'": { parses: true, match: false },
  'Type =~ /TE\\/ST/': { parses: true, match: false },
  'Type =~ /(?i)test/': { parses: true, match: true },
  "Fields[int] == '999'": { parses: true, match: false },
  'Fields[double] =~ /99/': { parses: true, match: false },
  "Fields[bytes] > 'a'": { parses: true, match: true },
  'Fields[string] < 5': { parses: true, match: false },
  true: { parses: false },
  'TRUE &': { parses: false, why: "a lone '&' or '|' at the end is a syntax error, not swallowed" },
  'TRUE | FALSE': { parses: false },
  "Uuid == '6BA7B810-9DAD-41D1-80B4-00C04FD430C8'": { parses: true, match: false },
  "Fields[foo][0][0][0] == 'bar'": { parses: false },
  "Fields[foo][01] == 'alternate'": { parses: true, match: true },
  'Type =~ //': { parses: true, match: true },
  'Type =~ /[/': { parses: false },
  "Hostname == ''": { parses: true, match: true },
  'Severity == 7': { parses: true, match: true },
  'Pid == 0': { parses: true, match: true },
  "Uuid == ''": { parses: true, match: true },
};

function outcome(expression: string, message: Message): Outcome {
  try {
    return { parses: true, match: compileMatcher(expression)(message) };
  } catch (error) {
    if (error instanceof MatcherSyntaxError) return { parses: false };
    throw error;
  }
}

describe('derived quirk cases: Heka’s behaviour kept, or fixed with a reason', () => {
  const cases = vectors.derived_quirk_cases.cases;

  test('every derived case has a decision', () => {
    assert.deepEqual(Object.keys(OURS).sort(), cases.map((c) => c.expr).sort());
  });

  for (const c of cases) {
    const { why, ...ours } = OURS[c.expr]!;
    const heka = c.parses ? { parses: true, match: c.match } : { parses: false };
    const same = isDeepStrictEqual(ours, heka);
    test(`${JSON.stringify(c.expr)} (${same ? 'as in Heka' : `fixed: ${why}`})`, () => {
      // A difference from Heka must be a documented decision.
      assert.ok(same || why !== undefined);
      const message = c.message.startsWith('empty') ? emptyMessage() : vectorMessage();
      assert.deepEqual(outcome(c.expr, message), ours);
    });
  }
});

const message = vectorMessage();
const match = (expression: string, m: Message = message): boolean => compileMatcher(expression)(m);
const syntaxError = (expression: string): MatcherSyntaxError => {
  try {
    compileMatcher(expression);
  } catch (error) {
    if (error instanceof MatcherSyntaxError) return error;
    throw error;
  }
  assert.fail(`${JSON.stringify(expression)} should not parse`);
};

describe('quirk: juxtaposed expressions', () => {
  test('are a syntax error that says how to join them', () => {
    const error = syntaxError("Type == 'TEST' Severity == 6");
    assert.equal(error.column, 16);
    assert.equal(error.token, 'Severity');
    assert.match(error.reason, /joined with '&&' or '\|\|'/);
    assert.deepEqual(error.expected, ["'&&'", "'||'", 'end of input']);
  });

  test('inside parentheses too', () => {
    assert.equal(syntaxError('(TRUE FALSE)').column, 7);
    assert.deepEqual(syntaxError('(TRUE FALSE)').expected, ["'&&'", "'||'", "')'"]);
  });
});

describe('quirk: whitespace', () => {
  test('newline, CR and tab separate tokens anywhere', () => {
    const multiline = "Type == 'TEST'\r\n\t&& (Severity == 6\n    || Severity == 7)\n";
    assert.equal(match(multiline), true);
    assert.equal(match("\n\tType\n==\r'TEST'\n"), true);
  });

  test('a string or regex cannot span a line break', () => {
    assert.match(syntaxError("Type == 'TE\nST'").reason, /unterminated string: .* end of line/);
    assert.match(syntaxError('Type =~ /TE\r\nST/').reason, /unterminated regular expression/);
  });

  test('errors on a later line give the line and the column within it', () => {
    const error = syntaxError("Type == 'TEST'\n&& Severity = 6");
    assert.equal(error.line, 2);
    assert.equal(error.column, 13);
    assert.match(error.message, /at line 2, column 13:/);
  });
});

describe('quirk: numbers', () => {
  const m = createMessage({
    severity: 0,
    fields: [
      { name: 'neg', value: -5 },
      { name: 'frac', value: -0.75 },
    ],
  });

  test('negative numbers parse', () => {
    assert.equal(match('Severity > -1', m), true);
    assert.equal(match('Fields[neg] == -5', m), true);
    assert.equal(match('Fields[frac] < -.5', m), true);
    assert.equal(match('Fields[frac] >= -7.5e-1', m), true);
  });

  test('every form Go accepted still parses', () => {
    for (const n of ['6', '6.', '6.0', '.6e1', '60e-1', '0.6E+1', '006']) {
      assert.equal(match(`Severity == ${n}`), true, n);
    }
  });

  for (const bad of ['6-0', '1e', '1.2.3', '0x6', '5abc', '.', '-.', '1e+', '1e400', '-1e999']) {
    test(`${bad} is a syntax error naming the number`, () => {
      const error = syntaxError(`Severity == ${bad}`);
      assert.equal(error.column, 13);
      assert.equal(error.token, bad);
      assert.equal(error.reason, `malformed number '${bad}'`);
    });
  }

  test('a minus that does not start a number is a stray character', () => {
    assert.equal(syntaxError('Severity == - 1').reason, "unexpected character '-'");
  });
});

describe('quirk: Timestamp compares exactly', () => {
  const ts = '1700000000123456789';

  test('as an integer of nanoseconds', () => {
    assert.equal(match(`Timestamp == ${ts}`), true);
    assert.equal(match('Timestamp == 1700000000123456788'), false);
    assert.equal(match('Timestamp > 1700000000123456788'), true);
    assert.equal(match('Timestamp < 1700000000123456790'), true);
    assert.equal(match(`Timestamp <= ${ts} && Timestamp >= ${ts}`), true);
    assert.equal(match(`Timestamp != ${ts}`), false);
  });

  test('whatever way the integer is written', () => {
    assert.equal(match(`Timestamp == ${ts}.000`), true);
    assert.equal(match('Timestamp == 1.700000000123456789e18'), true);
    assert.equal(match('Timestamp == 17000000001234567890e-1'), true);
    assert.equal(match('Timestamp > 1.7e18'), true);
  });

  test('against a fractional literal', () => {
    assert.equal(match(`Timestamp < ${ts}.5`), true);
    assert.equal(match(`Timestamp <= ${ts}.5`), true);
    assert.equal(match(`Timestamp > ${ts}.5`), false);
    assert.equal(match('Timestamp > 1700000000123456788.5'), true);
    assert.equal(match('Timestamp >= 1700000000123456788.5'), true);
    assert.equal(match(`Timestamp == ${ts}.5`), false);
    assert.equal(match(`Timestamp != ${ts}.5`), true);
  });

  test('before the epoch', () => {
    const m = createMessage({ timestamp: -1500n });
    assert.equal(match('Timestamp == -1500', m), true);
    assert.equal(match('Timestamp < -1499.5', m), true);
    assert.equal(match('Timestamp > -1500.5', m), true);
    assert.equal(match('Timestamp < -1500', m), false);
  });
});

describe('quirk: escapes in strings and regexes (kept as in Heka)', () => {
  const typed = (type: string): Message => createMessage({ type });

  test('a backslash escapes only the quote that opened the string', () => {
    assert.equal(match("Type == 'TE\\'ST'", typed("TE'ST")), true);
    assert.equal(match('Type == "TE\\"ST"', typed('TE"ST')), true);
    assert.equal(match('Type == "it\'s"', typed("it's")), true);
  });

  test('any other backslash is kept, with the character after it', () => {
    assert.equal(match("Type == 'TE\\ST'", typed('TE\\ST')), true);
    assert.equal(match("Type == 'a\\nb'", typed('a\\nb')), true);
    assert.equal(match("Type == 'C:\\\\logs'", typed('C:\\\\logs')), true);
    assert.equal(match("Type == 'a\\\\'", typed('a\\\\')), true);
  });

  test('in a regex, \\/ is a slash and other escapes go to RE2', () => {
    assert.equal(match('Type =~ /^a\\/b$/', typed('a/b')), true);
    assert.equal(match('Type =~ /^\\d+\\.\\d$/', typed('10.5')), true);
    assert.equal(match('Type =~ /\\\\/', typed('a\\b')), true);
  });
});

describe('quirk: types that do not match', () => {
  const m = createMessage({
    fields: [
      { name: 'off', value: false },
      { name: 'word', value: 'TRUE' },
      { name: 'n', value: 1 },
    ],
  });

  test('a BOOL field against a number, string or regex is false (Heka: value == false)', () => {
    assert.equal(match('Fields[off] == 1', m), false);
    assert.equal(match('Fields[off] != 1', m), false);
    assert.equal(match("Fields[off] == 'x'", m), false);
    assert.equal(match('Fields[off] =~ /x/', m), false);
    assert.equal(match('Fields[off] !~ /x/', m), false);
  });

  test('TRUE and FALSE match only BOOL fields (Heka compared a string field with "TRUE")', () => {
    assert.equal(match('Fields[word] == TRUE', m), false);
    assert.equal(match('Fields[n] == TRUE', m), false);
    assert.equal(match('Fields[off] == FALSE', m), true);
  });
});
