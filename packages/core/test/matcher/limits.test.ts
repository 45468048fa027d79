import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  compileMatcher,
  DEFAULT_MAX_DEPTH,
  DEFAULT_MAX_LENGTH,
  MatcherSyntaxError,
} from '../../src/matcher/index.js';
import { createMessage } from '../../src/message/message.js';

function syntaxError(run: () => unknown): MatcherSyntaxError {
  try {
    run();
  } catch (error) {
    assert.ok(
      error instanceof MatcherSyntaxError,
      `expected MatcherSyntaxError, got ${String(error)}`,
    );
    return error;
  }
  assert.fail('expected a MatcherSyntaxError');
}

/** `Type == '…'` padded to exactly `bytes` UTF-8 bytes with `filler`. */
function sized(bytes: number, filler = 'x'): string {
  const head = "Type == '";
  const fill = Buffer.byteLength(filler);
  return `${head}${filler.repeat((bytes - head.length - 1) / fill)}'`;
}

describe('limit: expression length (S8)', () => {
  test('is 4 KiB by default', () => {
    assert.equal(DEFAULT_MAX_LENGTH, 4096);
    assert.equal(typeof compileMatcher(sized(4096)), 'function');
  });

  test('one byte more is an error that names the limit, at the first byte past it', () => {
    const error = syntaxError(() => compileMatcher(sized(4097)));
    assert.equal(error.reason, 'expression longer than 4096 bytes (the maxLength limit)');
    assert.equal(error.column, 4097);
  });

  test('counts UTF-8 bytes, not characters', () => {
    assert.equal(typeof compileMatcher(sized(4096, 'é')), 'function');
    assert.equal(syntaxError(() => compileMatcher(sized(4098, 'é'))).column, 2053);
  });

  test('is configurable', () => {
    assert.equal(typeof compileMatcher(sized(10_000), { maxLength: 10_000 }), 'function');
    syntaxError(() => compileMatcher('TRUE && TRUE', { maxLength: 8 }));
  });

  test('a huge expression is refused at once, and its message stays short', () => {
    const error = syntaxError(() => compileMatcher(`Type == '${'x'.repeat(10_000_000)}'`));
    assert.ok(error.message.length < 500);
  });
});

describe('limit: nesting depth (S8)', () => {
  const nested = (depth: number): string => `${'('.repeat(depth)}TRUE${')'.repeat(depth)}`;

  test(`allows ${DEFAULT_MAX_DEPTH} levels by default`, () => {
    assert.equal(compileMatcher(nested(DEFAULT_MAX_DEPTH))(createMessage()), true);
  });

  test('one more level is an error at the parenthesis that goes too deep', () => {
    const error = syntaxError(() => compileMatcher(nested(DEFAULT_MAX_DEPTH + 1)));
    assert.equal(error.column, DEFAULT_MAX_DEPTH + 1);
    assert.equal(error.token, '(');
    assert.match(error.reason, /maxDepth/);
  });

  test('deep parentheses within the length limit are an error, never a RangeError', () => {
    syntaxError(() => compileMatcher('('.repeat(4000)));
    syntaxError(() => compileMatcher(`${'(TRUE && '.repeat(450)}TRUE`));
  });

  test('the largest allowed depth does not exhaust the stack', () => {
    const deep = `${'(Type == "x" || '.repeat(1000)}TRUE${')'.repeat(1000)}`;
    const predicate = compileMatcher(deep, { maxDepth: 1000, maxLength: 100_000 });
    assert.equal(predicate(createMessage()), true);
  });

  test('long flat chains are not nesting', () => {
    const chain = Array.from({ length: 400 }, (_, i) => `Type == '${i}'`).join(' || ');
    assert.equal(compileMatcher(chain, { maxLength: 8192 })(createMessage({ type: '399' })), true);
    const ands = Array.from({ length: 500 }, () => 'TRUE').join(' && ');
    assert.equal(compileMatcher(ands)(createMessage()), true);
  });

  test('out-of-range options are a TypeError', () => {
    for (const options of [
      { maxDepth: 0 },
      { maxDepth: 1001 },
      { maxDepth: 1.5 },
      { maxLength: -1 },
    ]) {
      assert.throws(() => compileMatcher('TRUE', options), TypeError);
    }
  });
});

describe('hostile regexes (RE2: linear time)', () => {
  // Generous sanity bound for a shared CI machine; RE2 takes about a millisecond.
  const BOUND_MS = 2000;

  function timed<T>(run: () => T): T {
    const start = performance.now();
    const result = run();
    assert.ok(performance.now() - start < BOUND_MS, 'took far too long');
    return result;
  }

  test('^(a+)+$ against 64 KiB completes with the right result', () => {
    const redos = compileMatcher('Payload =~ /^(a+)+$/');
    assert.equal(
      timed(() => redos(createMessage({ payload: `${'a'.repeat(65_535)}!` }))),
      false,
    );
    assert.equal(
      timed(() => redos(createMessage({ payload: 'a'.repeat(65_536) }))),
      true,
    );
  });

  test('also on a BYTES field', () => {
    const redos = compileMatcher('Fields[raw] =~ /^(a+)+$/');
    const bytes = new TextEncoder().encode(`${'a'.repeat(65_535)}!`);
    assert.equal(
      timed(() => redos(createMessage({ fields: [{ name: 'raw', value: bytes }] }))),
      false,
    );
  });

  for (const pattern of ['(a|aa)+$', '(a*)*b', '(.*a){20}x', '(x+x+)+y', '^(\\w+\\s?)*$']) {
    test(`/${pattern}/ against 64 KiB`, () => {
      const payload = `${'a'.repeat(32_768)}${'x'.repeat(32_767)}!`;
      const predicate = compileMatcher(`Payload =~ /${pattern}/`);
      assert.equal(typeof timed(() => predicate(createMessage({ payload }))), 'boolean');
    });
  }

  test('backtracking-only syntax is refused at compile time', () => {
    for (const pattern of ['(a)\\1', '(?=a)', '(?!a)', '(?<=a)b', 'a{1001}', '(a{100}){100}']) {
      const error = syntaxError(() => compileMatcher(`Payload =~ /${pattern}/`));
      assert.match(error.reason, /^invalid regular expression: /);
    }
  });

  test('a regex nested too deeply for RE2 is a syntax error', () => {
    const error = syntaxError(() =>
      compileMatcher(`Payload =~ /${'('.repeat(1500)}a${')'.repeat(1500)}/`),
    );
    assert.match(error.reason, /nests too deeply/);
  });
});
