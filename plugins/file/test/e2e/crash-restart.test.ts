import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, readFileSync, renameSync, truncateSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { Router, writeConfig } from '../support/cli.js';
import { OracleChecker, oracleLines, prng } from '../support/oracle.js';
import { sleep, tempDir } from '../support/util.js';

const QUEUE = 5000;
const FLUSH = 2000;
const CHUNK = 256 * 1024;
const CHECKPOINT_MS = 250;
const MiB = 1024 * 1024;
/** A generous bound on one journal write (fsyncs included) on a busy CI disk. */
const WRITE_MS = 100;

function pipeline(dir: string, logs: string, out: string): string {
  return writeConfig(
    dir,
    `[in]
type = "FileInput"
paths = [${JSON.stringify(path.join(logs, 'app.log*'))}]
read_buffer_size = ${CHUNK}
checkpoint_interval = "${CHECKPOINT_MS}ms"

[out]
type = "FileOutput"
message_matcher = "TRUE"
path = ${JSON.stringify(out)}
encoder = "PayloadEncoder"
flush_interval = "20ms"
flush_count = ${FLUSH}
queue_max_messages = ${QUEUE}

[PayloadEncoder]
`,
  );
}

/**
 * FileOutput's last write may be torn by SIGKILL, leaving a partial line that the next run's
 * first line would run into. Those bytes were never acknowledged (they are read and written
 * again), so cut them off, as a crash-safe output does on open. Returns true if it did.
 */
function dropTornTail(out: string, checker: OracleChecker): boolean {
  let text: Buffer;
  try {
    text = readFileSync(out);
  } catch {
    return false;
  }
  if (text.length === 0 || text[text.length - 1] === 10) return false;
  const size = text.lastIndexOf(10) + 1;
  truncateSync(out, size);
  checker.truncated(size);
  return true;
}

test('1,000,000 lines, rename rotations, SIGKILL twice: every line at least once, none corrupt, few repeated', async (t) => {
  const seed = Number(process.env.HEKATE_TEST_SEED ?? Date.now() % 2 ** 31);
  t.diagnostic(`seed ${seed} (replay with HEKATE_TEST_SEED)`);
  const rand = prng(seed);
  const TOTAL = 1_000_000;
  const BATCH = 10_000;
  const ROTATE_EVERY = 150_000;
  const killAt = [0.15 + 0.25 * rand(), 0.55 + 0.25 * rand()].map((f) => Math.floor(f * TOTAL));
  const { dir, cleanup } = await tempDir('hekate-e2e-');
  const logs = path.join(dir, 'logs');
  mkdirSync(logs);
  const app = path.join(logs, 'app.log');
  const out = path.join(dir, 'out.log');
  const config = pipeline(dir, logs, out);
  const checker = new OracleChecker(out, TOTAL);
  let written = 0;
  let rotations = 0;
  const rotate = () => renameSync(app, `${app}.${++rotations}`);
  /** Appends up to `n` lines; returns true when that ended the file (a scheduled rotation). */
  const write = (n: number): boolean => {
    const count = Math.min(n, TOTAL - written);
    appendFileSync(app, oracleLines(written, count, 20 + (written % 40)));
    written += count;
    const rotating = written % ROTATE_EVERY === 0 && written < TOTAL;
    if (rotating) rotate();
    return rotating;
  };
  let router = new Router(config);
  let peakRate = 0;
  let lastCount = 0;
  let lastTime = Date.now();
  const kills: number[] = [];
  let torn = 0;
  const deadline = Date.now() + 150_000;
  try {
    while (written < TOTAL || !checker.complete()) {
      if (Date.now() > deadline) {
        checker.poll();
        assert.fail(`Not complete after 150 s: missing ${checker.missing().slice(0, 10).join(', ')}; corrupt ${checker.corrupt.slice(0, 3).join(' | ')}`);
      }
      if (written < TOTAL && written - checker.unique < 200_000) write(BATCH);
      checker.poll();
      if (Date.now() - lastTime >= 500) {
        peakRate = Math.max(peakRate, ((checker.received - lastCount) * 1000) / (Date.now() - lastTime));
        lastCount = checker.received;
        lastTime = Date.now();
      }
      if (kills.length < killAt.length && checker.unique >= killAt[kills.length]!) {
        await router.kill('SIGKILL');
        kills.push(checker.unique);
        if (dropTornTail(out, checker)) torn++;
        // While the router is down: more lines, and one or two rotations.
        for (let r = 0; r < kills.length && written < TOTAL; r++) {
          if (!write(20_000) && written < TOTAL) rotate();
        }
        await sleep(1000);
        router = new Router(config);
      }
      await sleep(written < TOTAL ? 5 : 50);
      assert.equal(router.child.exitCode, null, `the router exited early:\n${router.log()}`);
    }
    const stopped = await router.kill('SIGTERM');
    assert.equal(stopped.code, 0, router.log());
  } finally {
    if (router.child.exitCode === null) await router.kill('SIGKILL');
  }
  checker.poll();
  // Per kill: the output's queue and batch, two read chunks, and the acknowledgements not yet in
  // the journal (at most 1 MiB of lines, the journal-write trigger, plus one write's duration).
  const inFlight = QUEUE + FLUSH + 2 * Math.ceil(CHUNK / 40) + Math.ceil(MiB / 40) + Math.ceil((peakRate * WRITE_MS) / 1000);
  t.diagnostic(
    `kills at ${kills.join(', ')}; rotations ${rotations}; torn output tails cut ${torn}; received ${checker.received}; duplicates ${checker.duplicates} ` +
      `(${((100 * checker.duplicates) / TOTAL).toFixed(2)}%, bound ${kills.length * inFlight}); peak ${Math.round(peakRate)} lines/s`,
  );
  assert.equal(kills.length, 2);
  assert.deepEqual(checker.corrupt, []);
  assert.deepEqual(checker.missing().slice(0, 10), []);
  assert.ok(checker.duplicates <= kills.length * inFlight, `${checker.duplicates} duplicates`);
  await cleanup();
});

test('SIGTERM and restart: zero loss, zero duplicates', async () => {
  const TOTAL = 300_000;
  const { dir, cleanup } = await tempDir('hekate-e2e-');
  const logs = path.join(dir, 'logs');
  mkdirSync(logs);
  const app = path.join(logs, 'app.log');
  const out = path.join(dir, 'out.log');
  const config = pipeline(dir, logs, out);
  const checker = new OracleChecker(out, TOTAL);
  appendFileSync(app, oracleLines(0, TOTAL / 2));
  let router = new Router(config);
  try {
    await router.until(() => (checker.poll(), checker.unique >= TOTAL / 4), 60_000, 'a quarter of the lines');
    appendFileSync(app, oracleLines(TOTAL / 2, TOTAL / 4));
    const stopped = await router.kill('SIGTERM');
    assert.equal(stopped.code, 0, router.log());
    checker.poll();
    assert.equal(checker.duplicates, 0);
    renameSync(app, `${app}.1`);
    appendFileSync(app, oracleLines((3 * TOTAL) / 4, TOTAL / 4));
    router = new Router(config);
    await router.until(() => (checker.poll(), checker.complete()), 60_000, 'every line');
    await sleep(300);
    assert.equal((await router.kill('SIGTERM')).code, 0, router.log());
  } finally {
    if (router.child.exitCode === null) await router.kill('SIGKILL');
  }
  checker.poll();
  assert.deepEqual(checker.corrupt, []);
  assert.deepEqual(checker.missing().slice(0, 10), []);
  assert.equal(checker.duplicates, 0);
  await cleanup();
});
