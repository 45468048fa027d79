// Matcher benchmark: a typical routing set evaluated by compiled matchers and by hand-written
// JavaScript predicates doing the same tests, over the same messages, in the same run.
//
//   npm run bench:matcher [-- api-logs.jsonl]
//
// With a file (output of shared/bench/gen-api-logs.js), its first 20,000 lines are the batch;
// otherwise an equivalent batch is generated in-process. Not a test: it asserts nothing but that
// both sides agree.
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { compileMatcher, createMessage } from '@hekate/core';
import { seededRandom } from './support/harness.js';

const BATCH = 20_000;
const ROUNDS = 7;
const MIN_ROUND_MS = 150;
const LABEL = 74; // width of the label column

// ------------------------------------------------------------------ messages -----

function weighted(random, table) {
  const total = table.reduce((sum, [, w]) => sum + w, 0);
  let x = random() * total;
  for (const [value, w] of table) if ((x -= w) < 0) return value;
  return table[table.length - 1][0];
}

const STATUS = [
  [200, 840],
  [204, 10],
  [302, 15],
  [304, 25],
  [400, 20],
  [404, 30],
  [429, 10],
  [500, 15],
  [502, 9],
  [503, 9],
  [504, 5],
];
const TYPES = [
  ['visit', 45],
  ['search', 30],
  ['click', 25],
];
const PARTNERS = ['skyfare', 'jetbook', 'globotrip', 'airnova', 'hotelhub', 'staywise', 'roomly'];
const CITIES = ['london', 'berlin', 'paris', 'madrid', 'rome', 'tokyo', 'sydney', 'lisbon'];

const hex = (random) => Math.floor(random() * 2 ** 40).toString(16);

/** A gen-api-logs.js-shaped record, generated in-process. */
function generatedRecords(n) {
  const random = seededRandom(20240601);
  const pick = (list) => list[Math.floor(random() * list.length)];
  const records = [];
  for (let i = 0; i < n; i++) {
    const type = weighted(random, TYPES);
    const record = {
      ts: new Date(Date.UTC(2024, 5, 1) + i * 4).toISOString(),
      type,
      request_id: Math.floor(random() * 2 ** 52).toString(16),
      user_id: `u_${String(Math.floor(random() * 2_500_000)).padStart(8, '0')}`,
      country: pick(['GB', 'DE', 'US', 'FR', 'ES', 'IT']),
      method: random() < 0.1 ? 'POST' : 'GET',
      url:
        type === 'click'
          ? `/api/v2/clickout?offer_id=${hex(random)}&pos=${1 + Math.floor(random() * 30)}`
          : `/api/v2/search/hotels?city=${pick(CITIES)}&rooms=${1 + Math.floor(random() * 3)}`,
      status: weighted(random, STATUS),
      latency_ms: Math.floor(15 + random() * random() * 600),
      bytes: Math.floor(180 + random() * 9000),
    };
    if (type === 'click') record.partner = pick(PARTNERS);
    records.push(record);
  }
  return records;
}

function fileRecords(path, n) {
  const lines = readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .slice(0, n);
  return lines.map((line) => JSON.parse(line));
}

const LOGGERS = [
  'api-gateway',
  'search-svc',
  'clickout-svc',
  'web-frontend',
  'partner-sync',
  'auth-svc',
  'billing-svc',
  'cdn-edge',
  'session-svc',
  'pricing-svc',
];

/** A decoded message: headers from the record, every other key a field, the line as payload. */
function toMessage(record, i) {
  const { type, ts, ...rest } = record;
  const fields = Object.entries(rest)
    .filter(([, value]) => value !== null)
    .map(([name, value]) => ({ name, value }));
  return createMessage({
    type,
    timestamp: new Date(ts),
    logger: LOGGERS[i % LOGGERS.length],
    hostname: 'web-1',
    payload: JSON.stringify(record),
    fields,
  });
}

// ------------------------------------------------------------------ the routing set -----
const ROUTES = [
  {
    matcher: "Type == 'click' && Fields[status] >= 500",
    hand: (m) => {
      if (m.type !== 'click') return false;
      const status = m.value('status');
      return typeof status === 'number' && status >= 500;
    },
  },
  {
    matcher: 'Payload =~ /"status":5\\d\\d/',
    hand: (m) => /"status":5\d\d/.test(m.payload),
  },
  {
    matcher:
      "Logger == 'auth-svc' || Logger == 'billing-svc' || Logger == 'cdn-edge' || " +
      "Logger == 'session-svc' || Logger == 'pricing-svc'",
    hand: (m) => {
      const l = m.logger;
      return (
        l === 'auth-svc' ||
        l === 'billing-svc' ||
        l === 'cdn-edge' ||
        l === 'session-svc' ||
        l === 'pricing-svc'
      );
    },
  },
];

/**
 * Shown apart: every message contains `"latency_ms":`, so the literal screen passes them all and
 * RE2 (re2js) runs on each, against V8's RegExp by hand. This is the engine's own speed.
 */
const ENGINE_ONLY = {
  matcher: 'Payload =~ /"latency_ms":\\d{4}/',
  hand: (m) => /"latency_ms":\d{4}/.test(m.payload),
};

// ------------------------------------------------------------------ timing -----
/** Evaluations per second of `predicates` (each over every message) in one round. */
function round(predicates, messages) {
  let evaluations = 0;
  let sink = 0;
  const start = performance.now();
  let elapsed = 0;
  do {
    for (let i = 0; i < messages.length; i++) {
      const m = messages[i];
      for (let j = 0; j < predicates.length; j++) if (predicates[j](m)) sink++;
    }
    evaluations += messages.length * predicates.length;
    elapsed = performance.now() - start;
  } while (elapsed < MIN_ROUND_MS);
  if (sink < 0) throw new Error('unreachable');
  return (evaluations / elapsed) * 1000;
}

/** Best rates of both sides, measured in alternate rounds so that drift favours neither. */
function rates(compiled, hand, messages) {
  let c = 0;
  let h = 0;
  for (let r = 0; r < ROUNDS; r++) {
    c = Math.max(c, round(compiled, messages));
    h = Math.max(h, round(hand, messages));
  }
  return { c, h };
}

function agree(compiled, hand, messages) {
  let matched = 0;
  for (const m of messages) {
    if (compiled(m) !== hand(m)) throw new Error('Compiled and hand-written predicates disagree.');
    if (hand(m)) matched++;
  }
  return matched;
}

const fmt = (n) => (n >= 1e6 ? `${(n / 1e6).toFixed(2)} M/s` : `${(n / 1e3).toFixed(0)} k/s`);
const pct = (a, b) => `${((a / b) * 100).toFixed(0)}%`;

function row(label, compiled, hand, messages) {
  const { c, h } = rates(compiled, hand, messages);
  console.log(
    `${label.padEnd(LABEL)} ${fmt(c).padStart(10)} ${fmt(h).padStart(10)} ${pct(c, h).padStart(6)}`,
  );
  return { c, h };
}

const file = process.argv[2];
const records = file === undefined ? generatedRecords(BATCH) : fileRecords(file, BATCH);
const messages = records.map(toMessage);
console.log(
  `Matcher benchmark: ${messages.length} messages (${file ?? 'generated in-process'}), ` +
    `Node ${process.version}`,
);
console.log('Evaluations per second; [n] is how many of the messages match.\n');
console.log(
  `${'matcher'.padEnd(LABEL)} ${['compiled', 'hand'].map((h) => h.padStart(10)).join(' ')}  ratio`,
);

const compiled = ROUTES.map((r) => compileMatcher(r.matcher));
for (const [i, r] of ROUTES.entries()) {
  const matched = agree(compiled[i], r.hand, messages);
  const shown = r.matcher.length > 60 ? `${r.matcher.slice(0, 57)}...` : r.matcher;
  const label = `${shown} [${matched}]`;
  row(label, [compiled[i]], [r.hand], messages);
}
const total = row(
  'the routing set (all three per message)',
  compiled,
  ROUTES.map((r) => r.hand),
  messages,
);
console.log(
  `\nRouting set: ${fmt(total.c)} compiled vs ${fmt(total.h)} hand-written evaluations; ` +
    `ratio ${pct(total.c, total.h)} (goal >= 50%).`,
);

const engine = compileMatcher(ENGINE_ONLY.matcher);
agree(engine, ENGINE_ONLY.hand, messages);
console.log('\nRE2 on every message (no literal screens them out), V8 RegExp by hand:');
row(ENGINE_ONLY.matcher, [engine], [ENGINE_ONLY.hand], messages);
console.log('');

// ------------------------------------------------------------------ ReDoS -----
const redos = compileMatcher('Payload =~ /^(a+)+$/');
for (const [label, payload] of [
  ['64 KiB of a + !', `${'a'.repeat(65535)}!`],
  ['64 KiB of a', 'a'.repeat(65536)],
]) {
  const m = createMessage({ payload });
  const start = performance.now();
  const result = redos(m);
  console.log(
    `ReDoS: Payload =~ /^(a+)+$/ against ${label}: ${result} ` +
      `in ${(performance.now() - start).toFixed(1)} ms`,
  );
}
