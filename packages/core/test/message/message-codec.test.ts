import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { hasCode } from '../../src/errors.js';
import type { Field, FieldValue, ValueType } from '../../src/message/field.js';
import { Message } from '../../src/message/message.js';
import { decodeMessage, encodeMessage } from '../../src/message/message-codec.js';
import { JsonDecoder } from '../../src/builtins/decoders/json-decoder.js';
import { make } from '../builtins/test-context.js';
import { propertyParams } from '../property-params.js';

/** Any JS string, lone surrogates included. */
const anyString = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength: 40 }),
  fc.string({ unit: 'binary', minLength: 60, maxLength: 300 }),
);
const anyNumber = fc.oneof(
  fc.integer({ min: -1000, max: 1000 }),
  fc.maxSafeInteger(),
  fc.double(),
  fc.constantFrom(-0, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 2 ** 53, 1e300, Number.NaN),
);
const bytes = fc.uint8Array({ maxLength: 40 });

const valuesOf: Record<ValueType, fc.Arbitrary<FieldValue>> = {
  string: anyString,
  bytes,
  integer: fc.oneof(
    fc.maxSafeInteger(),
    fc.constantFrom(-0, 2 ** 60, -(2 ** 60)),
    fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
    fc.bigInt({ min: -(2n ** 200n), max: 2n ** 200n }),
  ),
  double: fc.double(),
  bool: fc.boolean(),
};

const field: fc.Arbitrary<Field> = fc
  .constantFrom<ValueType>('string', 'bytes', 'integer', 'double', 'bool')
  .chain((type) =>
    fc.record({
      name: fc.oneof(anyString, fc.constantFrom('__proto__', 'constructor', 'status')),
      type: fc.constant(type),
      values: fc.array(valuesOf[type], { maxLength: 4 }),
      representation: fc.oneof(fc.constant(''), anyString),
    }),
  );

const message = fc
  .record({
    uuid: fc.oneof(fc.uuid(), anyString),
    timestamp: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
    type: anyString,
    logger: anyString,
    severity: anyNumber,
    payload: anyString,
    envVersion: anyString,
    pid: anyNumber,
    hostname: anyString,
    raw: fc.option(bytes, { nil: undefined }),
    fields: fc.array(field, { maxLength: 5 }),
  })
  .map((init) => {
    const msg = new Message(init.timestamp);
    msg.uuid = init.uuid;
    msg.type = init.type;
    msg.logger = init.logger;
    msg.severity = init.severity;
    msg.payload = init.payload;
    msg.envVersion = init.envVersion;
    msg.pid = init.pid;
    msg.hostname = init.hostname;
    msg.raw = init.raw;
    msg.fields = init.fields;
    return msg;
  });

/** Everything a message carries, as plain data that deepStrictEqual compares with Object.is. */
function snapshot(msg: Message): unknown {
  return {
    uuid: msg.uuid,
    timestamp: msg.timestamp,
    type: msg.type,
    logger: msg.logger,
    severity: msg.severity,
    payload: msg.payload,
    envVersion: msg.envVersion,
    pid: msg.pid,
    hostname: msg.hostname,
    raw: msg.raw,
    fields: msg.fields.map((f) => ({ ...f, values: [...f.values] })),
  };
}

function assertDecodeError(bytes: Uint8Array): void {
  try {
    decodeMessage(bytes);
  } catch (err) {
    assert.ok(hasCode(err, 'HEKATE_ERR_DECODE'), `expected a DecodeError, got ${String(err)}`);
    return;
  }
}

describe('message codec', () => {
  it('round-trips every message exactly', () => {
    fc.assert(
      fc.property(message, (msg) => {
        assert.deepStrictEqual(snapshot(decodeMessage(encodeMessage(msg))), snapshot(msg));
      }),
      propertyParams(500),
    );
  });

  it('keeps edge-case strings exactly: a leading BOM, lone surrogates, NUL, long text', () => {
    for (const text of ['\uFEFF', '\uFEFFlonger than thirty-two bytes of text', 'a\ud800', '\udc00'.repeat(40), '\0', 'é'.repeat(5000)]) {
      const msg = new Message(0n);
      msg.payload = text;
      msg.addField(text, text);
      const decoded = decodeMessage(encodeMessage(msg));
      assert.equal(decoded.payload, text);
      assert.equal(decoded.fields[0]!.name, text);
    }
  });

  it('decodes bytes values and raw as plain Uint8Arrays that do not share the input', () => {
    const msg = new Message(1n);
    msg.raw = new Uint8Array([9, 8, 7]);
    msg.addField('b', new Uint8Array([1, 2, 3]));
    const encoded = encodeMessage(msg);
    const decoded = decodeMessage(encoded);
    assert.equal(Object.getPrototypeOf(decoded.raw), Uint8Array.prototype);
    assert.equal(Object.getPrototypeOf(decoded.value('b')), Uint8Array.prototype);
    encoded.fill(0);
    assert.deepEqual([...decoded.raw!], [9, 8, 7]);
  });

  it('is compact: a typical log message costs little more than its strings', () => {
    const msg = new Message(1_700_000_000_000_000_000n);
    msg.type = 'app.log';
    msg.logger = 'nginx';
    msg.hostname = 'web-1';
    msg.pid = 1234;
    msg.severity = 6;
    msg.payload = 'GET /index.html 200 '.repeat(15);
    msg.addField('status', 200);
    msg.addField('path', '/index.html');
    const strings = 7 + 5 + 5 + msg.payload.length + 6 + 4 + 11;
    assert.ok(encodeMessage(msg).length <= strings + 50, `${encodeMessage(msg).length} bytes`);
  });

  it('throws only DecodeError on arbitrary bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), assertDecodeError), propertyParams(2000));
  });

  it('throws only DecodeError on mutated encodings (flips, truncations, insertions)', () => {
    const mutation = fc.record({
      at: fc.nat(),
      kind: fc.constantFrom('flip', 'truncate', 'insert', 'delete'),
      byte: fc.integer({ min: 0, max: 255 }),
    });
    fc.assert(
      fc.property(message, fc.array(mutation, { minLength: 1, maxLength: 3 }), (msg, mutations) => {
        let b = Array.from(encodeMessage(msg));
        for (const m of mutations) {
          const at = m.at % (b.length + 1);
          if (m.kind === 'flip' && at < b.length) b[at] = b[at]! ^ (m.byte || 1);
          else if (m.kind === 'truncate') b = b.slice(0, at);
          else if (m.kind === 'insert') b.splice(at, 0, m.byte);
          else b.splice(at, 1);
        }
        assertDecodeError(Uint8Array.from(b));
      }),
      propertyParams(1000),
    );
  });

  it('rejects every strict prefix of an encoding', () => {
    const msg = new Message(5n);
    msg.payload = 'payload';
    msg.addField('n', [1, 2n ** 70n]);
    const encoded = encodeMessage(msg);
    for (let n = 0; n < encoded.length; n++) {
      assert.throws(() => decodeMessage(encoded.subarray(0, n)), { code: 'HEKATE_ERR_DECODE' });
    }
    assert.throws(() => decodeMessage(Uint8Array.from([...encoded, 0])), { code: 'HEKATE_ERR_DECODE' });
  });

  it('checks lengths and counts against the remaining bytes before allocating', () => {
    const msg = new Message(5n);
    msg.uuid = '00000000-0000-0000-0000-000000000000';
    const head = Array.from(encodeMessage(msg)).slice(0, -1); // everything but the field count
    const hugeVarint = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x0f]; // 2^53 - 1
    assert.throws(() => decodeMessage(Uint8Array.from([...head, ...hugeVarint])), {
      code: 'HEKATE_ERR_DECODE',
      message: /Impossible field count/,
    });
    // A 2^53-1 byte string length right after the flags (text uuid).
    assert.throws(() => decodeMessage(Uint8Array.from([1, 0, ...hugeVarint])), { code: 'HEKATE_ERR_DECODE' });
    const start = process.memoryUsage().arrayBuffers;
    for (let i = 0; i < 1000; i++) {
      try {
        decodeMessage(Uint8Array.from([...head, 0x01, 0x00, 0x02, 0x00, ...hugeVarint]));
      } catch {
        // expected
      }
    }
    assert.ok(process.memoryUsage().arrayBuffers - start < 10 * 1024 * 1024);
  });

  it('rejects an unknown version, unknown flags and invalid UTF-8', () => {
    const encoded = encodeMessage(new Message(0n));
    const version2 = Uint8Array.from([2, ...encoded.subarray(1)]);
    assert.throws(() => decodeMessage(version2), { code: 'HEKATE_ERR_DECODE', message: /version/ });
    const flag16 = Uint8Array.from([1, 16, ...encoded.subarray(2)]);
    assert.throws(() => decodeMessage(flag16), { code: 'HEKATE_ERR_DECODE', message: /flags/ });
    const textIsPayloadAlone = Uint8Array.from([1, 8, ...encoded.subarray(2)]);
    assert.throws(() => decodeMessage(textIsPayloadAlone), { code: 'HEKATE_ERR_DECODE', message: /flags/ });
    const msg = new Message(0n);
    msg.uuid = 'x';
    msg.payload = 'é'.repeat(40);
    const bad = encodeMessage(msg);
    const at = bad.indexOf(0xc3);
    bad[at] = 0xff;
    assert.throws(() => decodeMessage(bad), { code: 'HEKATE_ERR_DECODE', message: /UTF-8/ });
  });

  it('refuses to encode a value that does not match its field type', () => {
    const msg = new Message(0n);
    msg.fields = [{ name: 'n', type: 'integer', values: ['7'], representation: '' }];
    assert.throws(() => encodeMessage(msg), { code: 'HEKATE_ERR_ENCODE' });
    msg.fields = [];
    msg.timestamp = 2n ** 63n;
    assert.throws(() => encodeMessage(msg), { code: 'HEKATE_ERR_ENCODE' });
  });

  describe('fields a JsonDecoder built from a record', () => {
    const record = JSON.stringify({ type: 'click', status: 503, req: { path: '/a', ms: 1.5 }, tags: ['x', 'y'], big: 2 ** 60 });
    const decoded = (options: Record<string, unknown> = {}, payload = record) => {
      const m = new Message(7n);
      m.payload = payload;
      return make(JsonDecoder, { Type: 'type', ...options }).decode(m) as Message;
    };
    const plain = (m: Message) => m.fields.map((f) => [f.name, f.type, [...f.values], f.representation]);

    it('are stored as the record text, without building them, and read back equal', () => {
      const m = decoded();
      const encoded = encodeMessage(m);
      assert.ok(m.fieldSource !== undefined, 'encoding did not build the fields');
      const headersOnly = new Message(7n);
      Object.assign(headersOnly, { uuid: m.uuid, type: m.type, logger: m.logger, payload: m.payload, hostname: m.hostname });
      assert.equal(encoded.length, encodeMessage(headersOnly).length + 3, 'the text is the payload: flag, separator, depth');
      const back = decodeMessage(encoded);
      assert.equal(back.value('req.ms'), 1.5);
      assert.deepEqual(encodeMessage(back), encoded);
      assert.deepEqual(plain(back), plain(decoded()));
    });

    it('keep their own text, their layout and the fields the message had before decoding', () => {
      const withBefore = new Message(7n);
      withBefore.payload = record;
      withBefore.addField('path', '/var/log/api.log');
      const decoder = make(JsonDecoder, { payload_keep: false, separator: '/', max_depth: 2 });
      const m = decoder.decode(withBefore) as Message;
      const expected = plain(m);
      const back = decodeMessage(encodeMessage(m));
      assert.equal(back.payload, '');
      assert.deepEqual(plain(back), expected);
      assert.equal(back.value('req/path'), '/a');
      assert.equal(back.value('path'), '/var/log/api.log');
    });

    it('are stored one by one when the record no longer parses to them', () => {
      const m = decoded({ mapped_keys_keep: false });
      const back = decodeMessage(encodeMessage(m));
      assert.equal(back.value('type'), undefined);
      assert.deepEqual(plain(back), plain(decoded({ mapped_keys_keep: false })));
    });

    it('are parsed when first read, a DecodeError if the stored text is not a JSON object', () => {
      const encoded = encodeMessage(decoded({}, '{"a":1}'));
      const at = encoded.indexOf(0x7b); // the payload's "{"
      encoded[at] = 0x5b; // "["
      const back = decodeMessage(encoded);
      assert.equal(back.payload, '["a":1}');
      assert.throws(() => back.value('a'), { code: 'HEKATE_ERR_DECODE', message: /JSON object/ });
    });
  });

  it('gives a message whose uuid was never read a random v4 uuid, the same on both sides', () => {
    const uuids = new Set<string>();
    for (let i = 0; i < 300; i++) {
      const m = new Message(1n);
      const back = decodeMessage(encodeMessage(m));
      assert.match(m.uuid, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      assert.equal(back.uuid, m.uuid);
      assert.equal(m.clone().uuid, m.uuid);
      uuids.add(m.uuid);
    }
    assert.equal(uuids.size, 300);
  });
});
