// Disk queue throughput: append + read + ack of 200,000 encoded messages (~400 B) in batches of
// 500, with fsync 'batch' and 'never', next to plain fs.writeSync of the same bytes in the same run.
// Each batch is appended, read back and acknowledged. The cursor is persisted (temp file, fsync,
// rename, fsync dir) on every ack (cursor_update_count = 1, Heka's default) and, in a second pass,
// every 50th ack.
// Run after a build: node test/bench/disk-queue.js [count]
import { closeSync, fdatasyncSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DiskQueue } from '../../packages/core/dist/src/queue/disk-queue.js';
import { decodeMessage, encodeMessage } from '../../packages/core/dist/src/message/message-codec.js';
import { createMessage } from '../../packages/core/dist/src/message/message.js';

const COUNT = Number(process.argv[2] ?? 200_000);
const BATCH = 500;
const silent = { error() {}, warn() {}, info() {}, debug() {}, child() { return silent; } };

function makeMessages() {
  const paths = ['/api/v1/users', '/api/v1/orders', '/healthz', '/static/app.js'];
  return Array.from({ length: COUNT }, (_, i) =>
    createMessage({
      type: 'api.access',
      logger: 'api-gateway',
      hostname: 'web-07.prod.example.com',
      pid: 4242,
      severity: 6,
      payload:
        `10.0.${i % 250}.${i % 200} - - [12/Nov/2026:10:00:00 +0000] ` +
        `"GET ${paths[i % 4]}?page=${i} HTTP/1.1" ${200 + (i % 5)} ${1000 + (i % 9000)} ` +
        `"https://example.com/" "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 ` +
        `(KHTML, like Gecko) Chrome/120.0 Safari/537.36" rt=0.${i % 1000}`,
      fields: [
        { name: 'status', value: 200 + (i % 5) },
        { name: 'path', value: paths[i % 4] },
        { name: 'bytes', value: 1000 + (i % 9000) },
        { name: 'latency', value: (i % 1000) / 1000 },
        { name: 'request_id', value: `req-${i.toString(16).padStart(12, '0')}` },
      ],
    }),
  );
}

function batches(records) {
  const out = [];
  for (let i = 0; i < records.length; i += BATCH) out.push(records.slice(i, i + BATCH));
  return out;
}

async function runQueue(encodedBatches, fsync, cursorUpdateCount) {
  const dir = mkdtempSync(join(tmpdir(), 'hekate-bench-queue-'));
  try {
    const queue = await DiskQueue.open({
      dir,
      maxFileSize: 16 << 20,
      maxBufferSize: 0,
      fsync,
      fsyncIntervalMs: 1000,
      cursorUpdateCount,
      logger: silent,
    });
    const start = performance.now();
    let read = 0;
    for (const batch of encodedBatches) {
      await queue.append(batch);
      const got = await queue.read(BATCH, 64 << 20);
      read += got.length;
      await queue.ack(got[got.length - 1].position);
    }
    const ms = performance.now() - start;
    await queue.close();
    if (read !== COUNT) throw new Error(`read ${read} of ${COUNT}`);
    return ms;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function runPlain(encodedBatches, sync) {
  const dir = mkdtempSync(join(tmpdir(), 'hekate-bench-plain-'));
  try {
    const fd = openSync(join(dir, 'plain.log'), 'w');
    const start = performance.now();
    for (const batch of encodedBatches) {
      writeSync(fd, Buffer.concat(batch));
      if (sync) fdatasyncSync(fd);
    }
    const ms = performance.now() - start;
    closeSync(fd);
    return ms;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const messages = makeMessages();
let encoded = messages.map(encodeMessage); // the first pass also makes each message's uuid
let t = performance.now();
encoded = messages.map(encodeMessage);
const encodeMs = performance.now() - t;
t = performance.now();
for (const e of encoded) decodeMessage(e);
const decodeMs = performance.now() - t;
const totalBytes = encoded.reduce((n, e) => n + e.length, 0);
const encodedBatches = batches(encoded);
const MB = totalBytes / 1e6;

const row = (label, ms, base) => {
  const rate = String(Math.round((COUNT / ms) * 1000)).padStart(10);
  const mbs = ((MB / ms) * 1000).toFixed(1).padStart(8);
  const ratio = base === undefined ? '' : `   ${(ms / base).toFixed(2)}× the time of plain writeSync`;
  return `${label.padEnd(38)} ${rate} rec/s ${mbs} MB/s${ratio}`;
};

const average = (totalBytes / COUNT).toFixed(0);
console.log(`${COUNT} messages, ${average} B encoded on average (${MB.toFixed(1)} MB),`);
console.log(`batches of ${BATCH}, files in ${tmpdir()}`);
console.log(row('encodeMessage', encodeMs));
console.log(row('decodeMessage', decodeMs));
const plain = runPlain(encodedBatches, false);
const plainSync = runPlain(encodedBatches, true);
console.log(row('plain writeSync', plain));
console.log(row('plain writeSync + fdatasync per batch', plainSync));
for (const cursorUpdateCount of [1, 50]) {
  const never = await runQueue(encodedBatches, 'never', cursorUpdateCount);
  const batch = await runQueue(encodedBatches, 'batch', cursorUpdateCount);
  console.log(`cursor persisted every ${cursorUpdateCount} ack(s):`);
  console.log(row("  queue append+read+ack, fsync 'never'", never, plain));
  console.log(row("  queue append+read+ack, fsync 'batch'", batch, plain));
  const vsNever = (batch / never).toFixed(2);
  const vsSync = (batch / plainSync).toFixed(2);
  console.log(`  'batch' takes ${vsNever}× the time of 'never', ${vsSync}× that of writeSync + fdatasync`);
}
