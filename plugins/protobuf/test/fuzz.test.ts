// reliability-plan B4: mutated frames and protobuf bytes never throw out of the splitter or the
// decoder (only DecodeError), never make the splitter hold or emit more than the size limit, and
// the stream resynchronises.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { DecodeError, frameHekaRecord } from '@hekate/core';
import {
  decodeHekaMessage,
  encodeHekaMessage,
  HekaFramingSplitter,
  MAX_FRAME_OVERHEAD,
} from '../src/index.js';
import { message } from './support/arbitraries.js';
import { testContext } from './support/context.js';

const MAX = 2048;
const RUNS = Number(process.env.HEKATE_FUZZ_RUNS ?? 2000);

type Mutation =
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'set'; at: number; value: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'varint'; at: number; length: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({
    kind: fc.constant('flip' as const),
    at: fc.nat(),
    bit: fc.integer({ min: 0, max: 7 }),
  }),
  // Separator bytes, header lengths and varint continuation bits are what framing hinges on.
  fc.record({
    kind: fc.constant('set' as const),
    at: fc.nat(),
    value: fc.oneof(
      fc.constantFrom(0x1e, 0x1f, 0xff, 0x80, 0, 0x08),
      fc.integer({ min: 0, max: 255 }),
    ),
  }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    bytes: fc.uint8Array({ maxLength: 40 }),
  }),
  fc.record({
    kind: fc.constant('delete' as const),
    at: fc.nat(),
    length: fc.integer({ min: 1, max: 40 }),
  }),
  // A run of continuation bytes: an over-long varint (lengths, counts, tags).
  fc.record({
    kind: fc.constant('varint' as const),
    at: fc.nat(),
    length: fc.integer({ min: 1, max: 12 }),
  }),
);

function mutate(bytes: Uint8Array, mutations: readonly Mutation[]): Buffer {
  let b = Buffer.from(bytes);
  for (const m of mutations) {
    if (b.length === 0) break;
    const at = m.at % b.length;
    switch (m.kind) {
      case 'flip':
        b[at] = b[at]! ^ (1 << m.bit);
        break;
      case 'set':
        b[at] = m.value;
        break;
      case 'insert':
        b = Buffer.concat([b.subarray(0, at), m.bytes, b.subarray(at)]);
        break;
      case 'delete':
        b = Buffer.concat([b.subarray(0, at), b.subarray(at + m.length)]);
        break;
      case 'varint':
        b = Buffer.concat([b.subarray(0, at), Buffer.alloc(m.length, 0xff), b.subarray(at)]);
        break;
    }
  }
  return b;
}

/** Splits a stream in chunks the way core's splitter stream does, checking the memory bound. */
function splitStream(stream: Uint8Array, chunk: number): Uint8Array[] {
  const splitter = HekaFramingSplitter.create(
    HekaFramingSplitter.options.parse({ max_message_size: MAX }),
    testContext(),
  );
  const out: Uint8Array[] = [];
  let held: Uint8Array = new Uint8Array(0);
  for (let at = 0; at < stream.length; at += chunk) {
    const buf = Buffer.concat([held, stream.subarray(at, at + chunk)]);
    held = buf.subarray(splitter.split(buf, out));
    assert.ok(held.length <= MAX + MAX_FRAME_OVERHEAD, `splitter holds ${held.length} bytes`);
  }
  for (const record of out) assert.ok(record.length <= MAX, `record of ${record.length} bytes`);
  return out;
}

/** Decodes a record: a DecodeError is fine; anything else, or a failure later, is not. */
function decodeOrRefuse(record: Uint8Array): void {
  let decoded;
  try {
    decoded = decodeHekaMessage(record);
  } catch (error) {
    assert.ok(error instanceof DecodeError, `decoder threw ${String(error)}`);
    return;
  }
  // Once decoded, nothing may fail later: lazy fields, lookups, re-encoding from scratch.
  void decoded.value('status');
  void decoded.fields;
  encodeHekaMessage(decoded.clone());
}

const frames = fc
  .array(
    message.map(encodeHekaMessage).filter((bytes) => bytes.length <= MAX),
    { minLength: 1, maxLength: 4 },
  )
  .map((ms) => ms.map((bytes) => frameHekaRecord(bytes)));

test('mutated framed streams: no exception but DecodeError, bounded buffering, bounded records', () => {
  fc.assert(
    fc.property(
      frames,
      fc.array(mutation, { minLength: 1, maxLength: 8 }),
      fc.integer({ min: 1, max: 512 }),
      (fs, ms, chunk) => {
        for (const record of splitStream(mutate(Buffer.concat(fs), ms), chunk))
          decodeOrRefuse(record);
      },
    ),
    { numRuns: RUNS },
  );
});

test('mutated message bytes: the decoder returns a message or throws DecodeError, never anything else', () => {
  fc.assert(
    fc.property(message, fc.array(mutation, { minLength: 1, maxLength: 8 }), (m, ms) =>
      decodeOrRefuse(mutate(encodeHekaMessage(m), ms)),
    ),
    { numRuns: RUNS },
  );
});

test('random bytes: the splitter and decoder survive anything', () => {
  fc.assert(
    fc.property(
      fc.uint8Array({ maxLength: 4096 }),
      fc.integer({ min: 1, max: 700 }),
      (bytes, chunk) => {
        for (const record of splitStream(bytes, chunk)) decodeOrRefuse(record);
        decodeOrRefuse(bytes);
      },
    ),
    { numRuns: RUNS },
  );
});

test('after any garbage, the stream resyncs: clean frames past the longest possible bogus frame are all read', () => {
  // A bogus header in the garbage may announce up to MAX bytes; past that filler every frame is found.
  const filler = Buffer.alloc(MAX + MAX_FRAME_OVERHEAD, 0x41);
  fc.assert(
    fc.property(
      frames,
      fc.array(mutation, { minLength: 1, maxLength: 8 }),
      frames,
      fc.integer({ min: 1, max: 512 }),
      (bad, ms, good, chunk) => {
        const stream = Buffer.concat([mutate(Buffer.concat(bad), ms), filler, ...good]);
        const records = splitStream(stream, chunk);
        const tail = records.slice(-good.length).map((r) => Buffer.from(r));
        assert.deepEqual(
          tail,
          good.map((f) => Buffer.from(f.subarray(f[1]! + 3))),
        );
      },
    ),
    { numRuns: Math.ceil(RUNS / 4) },
  );
});
