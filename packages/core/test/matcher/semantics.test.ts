import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compileMatcher } from '../../src/matcher/index.js';
import { createMessage, type Message } from '../../src/message/message.js';
import type { FieldSource } from '../../src/message/field-source.js';
import { createField } from '../../src/message/field.js';

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

const message = createMessage({
  type: 'TEST',
  fields: [
    { name: 'str', value: 'abc' },
    { name: 'bytes', value: utf8('abc') },
    { name: 'int', value: 42 },
    { name: 'big', value: 2n ** 60n },
    { name: 'dbl', value: 4.5 },
    { name: 'bool', value: true },
    { name: 'arr', value: ['x', 'y', 'z'] },
    { name: 'rep', value: 'first' },
    { name: 'rep', value: 'second' },
  ],
});

const match = (expression: string, m: Message = message): boolean => compileMatcher(expression)(m);

describe('typing: which literal a field type compares with', () => {
  // [field, string test, number test, regex test, bool test]
  const TABLE: readonly [string, boolean, boolean, boolean, boolean][] = [
    ['str', true, false, true, false],
    ['bytes', true, false, true, false],
    ['int', false, true, false, false],
    ['big', false, true, false, false],
    ['dbl', false, true, false, false],
    ['bool', false, false, false, true],
  ];
  const VALUES: Readonly<Record<string, [string, string, string, string]>> = {
    str: ["'abc'", '0', '/^ab/', 'TRUE'],
    bytes: ["'abc'", '0', '/b/', 'TRUE'],
    int: ["'42'", '42', '/42/', 'TRUE'],
    big: ["'1152921504606846976'", '1152921504606846976', '/1/', 'TRUE'],
    dbl: ["'4.5'", '4.5', '/4/', 'TRUE'],
    bool: ["'true'", '1', '/true/', 'TRUE'],
  };

  for (const [field, asString, asNumber, asRegex, asBool] of TABLE) {
    test(`Fields[${field}]`, () => {
      const [s, n, r, b] = VALUES[field]!;
      assert.equal(match(`Fields[${field}] == ${s}`), asString, 'string');
      assert.equal(match(`Fields[${field}] == ${n}`), asNumber, 'number');
      assert.equal(match(`Fields[${field}] =~ ${r}`), asRegex, 'regex');
      assert.equal(match(`Fields[${field}] == ${b}`), asBool, 'bool');
      // A type mismatch fails whatever the operator: there is no negated mismatch.
      assert.equal(match(`Fields[${field}] != ${asString ? '0' : "'x'"}`), false);
      assert.equal(match(`Fields[${field}] != NIL`), true);
    });
  }
});

describe('the NIL rule: a missing field fails every test but == NIL', () => {
  const tests = [
    "== 'x'",
    "!= 'x'",
    "< 'x'",
    ">= ''",
    '== 0',
    '!= 0',
    '< 1',
    '>= -1',
    '=~ //',
    '!~ /x/',
    '== TRUE',
    '== FALSE',
    '!= NIL',
  ];
  for (const subject of ['Fields[nope]', 'Fields[str][1]', 'Fields[arr][0][3]', 'Fields[rep][2]']) {
    test(subject, () => {
      for (const t of tests) assert.equal(match(`${subject} ${t}`), false, `${subject} ${t}`);
      assert.equal(match(`${subject} == NIL`), true);
    });
  }
});

describe('Fields[name][fi][ai]', () => {
  test('selects the fi-th field of that name and the ai-th value', () => {
    assert.equal(match("Fields[rep] == 'first'"), true);
    assert.equal(match("Fields[rep][1] == 'second'"), true);
    assert.equal(match("Fields[arr][0][2] == 'z'"), true);
    assert.equal(match("Fields[arr][0][02] == 'z'"), true);
  });

  test('reads fields through the lazy source without building them all', () => {
    let lookups = 0;
    const source: FieldSource = {
      lookup: (name, fieldIndex) => {
        lookups++;
        return name === 'status' && fieldIndex === 0
          ? createField({ name, value: 503 })
          : undefined;
      },
      materialize: () => assert.fail('the matcher must not materialise every field'),
    };
    const lazy = createMessage();
    lazy.setFieldSource(source);
    assert.equal(match('Fields[status] >= 500 && Fields[other] == NIL', lazy), true);
    assert.equal(lookups, 2);
  });

  test('names are verbatim and may not break prototypes', () => {
    const m = createMessage({
      fields: [
        { name: '__proto__', value: 'p' },
        { name: 'a b', value: 1 },
      ],
    });
    assert.equal(match("Fields[__proto__] == 'p'", m), true);
    assert.equal(match('Fields[a b] == 1', m), true);
    assert.equal(match('Fields[constructor] == NIL', m), true);
  });
});

describe('headers', () => {
  test('text headers compare byte-wise, case-sensitively', () => {
    const m = createMessage({ logger: 'GoSpec', hostname: 'h', envVersion: '0.8', payload: 'p' });
    assert.equal(match("Logger == 'GoSpec' && Hostname == 'h' && EnvVersion >= '0.8'", m), true);
    assert.equal(match("Logger == 'gospec'", m), false);
    assert.equal(match("Logger < 'Gz' && Logger > 'GoR'", m), true);
  });

  test('Uuid compares as lowercase hyphenated text', () => {
    const m = createMessage({ uuid: '6ba7b810-9dad-41d1-80b4-00c04fd430c8' });
    assert.equal(match("Uuid =~ /^6ba7b810-/ && Uuid != ''", m), true);
  });

  test('Severity defaults to 7, Pid to 0', () => {
    assert.equal(match('Severity == 7 && Pid == 0', createMessage()), true);
  });

  test('numbers compare as float64, like Heka', () => {
    const m = createMessage({ fields: [{ name: 'big', value: 2n ** 53n + 1n }] });
    assert.equal(match('Fields[big] == 9007199254740992', m), true);
    assert.equal(match('Fields[dbl] > 4.4999 && Fields[dbl] < 4.5001'), true);
  });
});

describe('string order is UTF-8 byte order (Go), not UTF-16', () => {
  // U+1F600 is F0 9F 98 80 in UTF-8, after U+FFFD (EF BF BD); in UTF-16 it sorts before.
  const m = createMessage({ type: '😀', fields: [{ name: 'b', value: utf8('😀') }] });

  test('for headers', () => {
    assert.equal(match("Type > '\ufffd'", m), true);
    assert.equal(match("Type < '\ufffd'", m), false);
    assert.equal(match("Type >= '😀' && Type <= '😀'", m), true);
  });

  test('for BYTES fields, compared without decoding', () => {
    assert.equal(match("Fields[b] > '\ufffd'", m), true);
    assert.equal(match("Fields[b] == '😀'", m), true);
    assert.equal(match("Fields[b] < '😀!'", m), true);
  });

  test('invalid UTF-8 in BYTES compares byte by byte', () => {
    const raw = createMessage({ fields: [{ name: 'raw', value: new Uint8Array([0xff, 0x61]) }] });
    assert.equal(match("Fields[raw] > '\ufffd'", raw), true);
    assert.equal(match("Fields[raw] != 'a'", raw), true);
    assert.equal(match('Fields[raw] =~ /a$/', raw), true);
  });
});

describe('regexes', () => {
  const m = createMessage({ payload: 'GET /api/users/42 took 12ms', type: 'Web' });

  test('RE2 syntax: named groups, inline flags, classes, \\pL, \\Q…\\E', () => {
    assert.equal(match('Payload =~ /(?P<verb>GET|POST) \\/api/', m), true);
    assert.equal(match('Type =~ /(?i)^web$/', m), true);
    assert.equal(match('Payload =~ /[[:digit:]]+ms$/', m), true);
    assert.equal(match('Type =~ /^\\pL+$/', m), true);
    assert.equal(match('Payload =~ /\\Q\\/api\\/\\E/', m), true);
  });

  test('search is unanchored; ^ and $ anchor the whole text', () => {
    assert.equal(match('Payload =~ /users/', m), true);
    assert.equal(match('Payload =~ /^users/', m), false);
    assert.equal(match('Payload =~ /12ms$/', createMessage({ payload: '12ms\n' })), false);
  });

  test('!~ is the negation of =~ on a present value', () => {
    assert.equal(match('Payload !~ /POST/', m), true);
    assert.equal(match('Payload !~ /GET/', m), false);
  });
});
