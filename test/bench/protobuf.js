// Protobuf benchmark: split + decode of 1,000,000 Heka-framed messages by HekaFramingSplitter
// and ProtobufDecoder, next to protobufjs decoding the same message bytes in a bare loop, in the
// same run.
//
//   npm run bench:protobuf [-- --messages 1000000]
//
// The stream is 1,000 distinct API-request messages (headers, a JSON payload line and 11 typed
// fields, about 700 bytes each, as a Heka node would send them), framed, fed 64 KiB at a time
// through core's splitter stream the way TcpInput feeds it, and repeated until the count is
// reached. Fields are decoded lazily, as in the pipeline; the "fields built" line also builds
// every field of every message. Not a test: it asserts nothing but that both sides agree.
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { createMessage, frameHekaRecord, silentLogger } from '@hekate/core';
import { BufferedSplitterStream } from '../../packages/core/dist/src/runners/splitter-stream.js';
import { seededRandom } from './support/harness.js';
import {
  decodeHekaMessage,
  encodeHekaMessage,
  hekaTypes,
  HekaFramingSplitter,
} from '../../plugins/protobuf/dist/src/index.js';

const { values: args } = parseArgs({
  options: { messages: { type: 'string', default: '1000000' } },
});
const TOTAL = Number(args.messages);
const DISTINCT = 1000;
const CHUNK = 64 * 1024;
const ROUNDS = 3;

// ------------------------------------------------------------------ messages -----

const STATUS = [200, 200, 200, 200, 200, 200, 204, 302, 304, 404, 429, 500, 503];
const PARTNERS = ['skyfare', 'jetbook', 'globotrip', 'airnova', 'hotelhub', 'staywise', 'roomly'];
const CITIES = ['london', 'berlin', 'paris', 'madrid', 'rome', 'tokyo', 'sydney', 'lisbon'];
const LOGGERS = ['api-gateway', 'search-svc', 'clickout-svc', 'web-frontend', 'partner-sync'];

function apiMessage(random, i) {
  const pick = (list) => list[Math.floor(random() * list.length)];
  const type = pick(['visit', 'search', 'click']);
  const record = {
    ts: new Date(Date.UTC(2024, 5, 1) + i * 4).toISOString(),
    type,
    request_id: Math.floor(random() * 2 ** 52).toString(16),
    user_id: `u_${String(Math.floor(random() * 2_500_000)).padStart(8, '0')}`,
    country: pick(['GB', 'DE', 'US', 'FR', 'ES', 'IT']),
    method: random() < 0.1 ? 'POST' : 'GET',
    url: `/api/v2/search/hotels?city=${pick(CITIES)}&rooms=${1 + Math.floor(random() * 3)}`,
    status: pick(STATUS),
    latency_ms: Math.floor(15 + random() * random() * 600),
    bytes: Math.floor(180 + random() * 9000),
    partner: pick(PARTNERS),
  };
  const { ts, ...fields } = record;
  return createMessage({
    timestamp: new Date(ts),
    type: `api.${type}`,
    logger: pick(LOGGERS),
    severity: record.status >= 500 ? 3 : 6,
    payload: JSON.stringify(record),
    envVersion: '1',
    pid: 4000 + (i % 50),
    hostname: `web-${i % 8}`,
    fields: [
      ...Object.entries(fields).map(([name, value]) => ({ name, value })),
      { name: 'score', value: random() },
      { name: 'cached', value: random() < 0.3 },
      { name: 'ResponseSize', value: record.bytes, representation: 'B' },
    ],
  });
}

const random = seededRandom(20240601);
const encoded = Array.from({ length: DISTINCT }, (_, i) =>
  Buffer.from(encodeHekaMessage(apiMessage(random, i))),
);
const stream = Buffer.concat(encoded.map((bytes) => frameHekaRecord(bytes)));
const repeats = Math.ceil(TOTAL / DISTINCT);
const meanBytes = Math.round(encoded.reduce((n, b) => n + b.length, 0) / DISTINCT);

// ------------------------------------------------------------------ the two sides -----
const counters = { add() {} };
const context = {
  name: 'bench',
  type: 'HekaFramingSplitter',
  logger: silentLogger,
  configDir: '.',
  stateDir: '.',
  hostname: 'bench',
  counters,
};

/** Split + decode: HekaFramingSplitter through core's splitter stream, then decodeHekaMessage. */
function ours(buildFields) {
  const splitter = HekaFramingSplitter.create(HekaFramingSplitter.options.parse({}), context);
  const splitStream = new BufferedSplitterStream(
    splitter,
    { maxRecordSize: 2 ** 32, keepTruncated: false, useMessageBytes: true },
    counters,
  );
  let n = 0;
  let sink = 0;
  for (let r = 0; r < repeats; r++) {
    for (let at = 0; at < stream.length; at += CHUNK) {
      const records = splitStream.push(stream.subarray(at, at + CHUNK));
      for (let i = 0; i < records.length; i++) {
        const m = decodeHekaMessage(records[i]);
        sink += m.severity;
        if (buildFields) sink += m.fields.length;
      }
      n += records.length;
    }
  }
  return { n, sink };
}

const { Message: HekaMessage } = hekaTypes();

/** The bare loop: protobufjs decoding the same message bytes, already cut out of the stream. */
function bare() {
  let n = 0;
  let sink = 0;
  for (let r = 0; r < repeats; r++) {
    for (let i = 0; i < encoded.length; i++) {
      const m = HekaMessage.decode(encoded[i]);
      sink += m.severity;
    }
    n += encoded.length;
  }
  return { n, sink };
}

function rate(run) {
  const start = performance.now();
  const { n } = run();
  return (n / (performance.now() - start)) * 1000;
}

// Both sides read the same messages.
const check = decodeHekaMessage(encoded[0]);
const reference = HekaMessage.decode(encoded[0]);
if (check.payload !== reference.payload || check.fields.length !== reference.fields.length)
  throw new Error('The two sides disagree.');

let oursBest = 0;
let fullBest = 0;
let bareBest = 0;
for (let r = 0; r < ROUNDS; r++) {
  oursBest = Math.max(
    oursBest,
    rate(() => ours(false)),
  );
  bareBest = Math.max(bareBest, rate(bare));
  fullBest = Math.max(
    fullBest,
    rate(() => ours(true)),
  );
}

const fmt = (n) => Math.round(n).toLocaleString('en-US');
console.log(
  `protobuf bench: ${fmt(repeats * DISTINCT)} framed messages (${DISTINCT} distinct, ${meanBytes} B mean), best of ${ROUNDS} rounds, node ${process.version}`,
);
console.log(
  `  split + decode (HekaFramingSplitter + ProtobufDecoder): ${fmt(oursBest)} messages/s`,
);
console.log(
  `  split + decode, every field built:                      ${fmt(fullBest)} messages/s`,
);
console.log(
  `  protobufjs decode, bare loop over the same bytes:       ${fmt(bareBest)} messages/s`,
);
console.log(
  `  ratio: ${((oursBest / bareBest) * 100).toFixed(0)}% of the bare loop (goal >= 70%); fields built: ${((fullBest / bareBest) * 100).toFixed(0)}%`,
);
