import assert from 'node:assert/strict';
import { appendFileSync, closeSync, mkdirSync, openSync, readFileSync, statSync, writeSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { Router, writeConfig } from '../support/cli.js';
import { OracleChecker, oracleLines } from '../support/oracle.js';
import { sleep, tempDir } from '../support/util.js';

const MiB = 1024 * 1024;
const RSS_LIMIT = 200 * MiB;

test('a 10 MiB line and a 64 MiB line growing without newline: normal lines all arrive, memory bounded', async (t) => {
  const { dir, cleanup } = await tempDir('hekate-e2e-');
  mkdirSync(path.join(dir, 'logs'));
  const app = path.join(dir, 'logs', 'app.log');
  const out = path.join(dir, 'out.log');
  const config = writeConfig(
    dir,
    `[in]
type = "FileInput"
paths = [${JSON.stringify(app)}]

[out]
type = "FileOutput"
message_matcher = "TRUE"
path = ${JSON.stringify(out)}
encoder = "PayloadEncoder"
flush_interval = "20ms"

[PayloadEncoder]
`,
  );
  const checker = new OracleChecker(out, 3000);
  appendFileSync(app, oracleLines(0, 1000));
  appendFileSync(app, `${'x'.repeat(10 * MiB)}\n`);
  appendFileSync(app, oracleLines(1000, 1000));
  const router = new Router(config);
  try {
    await router.until(() => (checker.poll(), checker.unique >= 2000), 30_000, 'the lines around the 10 MiB one');
    const fd = openSync(app, 'a');
    const piece = Buffer.alloc(4 * MiB, 'x');
    for (let i = 0; i < 16; i++) {
      writeSync(fd, piece);
      await sleep(50);
    }
    writeSync(fd, `\n${oracleLines(2000, 1000)}`);
    closeSync(fd);
    await router.until(() => (checker.poll(), checker.unique >= 3000), 30_000, 'every normal line');
    const peak = router.peakRss()!;
    t.diagnostic(`peak RSS ${(peak / MiB).toFixed(1)} MiB`);
    assert.ok(peak <= RSS_LIMIT, `peak RSS ${(peak / MiB).toFixed(1)} MiB`);
    assert.equal((await router.kill('SIGTERM')).code, 0, router.log());
  } finally {
    if (router.child.exitCode === null) await router.kill('SIGKILL');
  }
  checker.poll();
  assert.deepEqual(checker.missing(), []);
  assert.equal(checker.duplicates, 0);
  // The two long lines, cut to max_line_bytes (64 KiB).
  assert.equal(checker.corrupt.length, 2);
  const long = readFileSync(out, 'utf8').split('\n').filter((l) => l.startsWith('x'));
  assert.deepEqual(long.map((l) => l.length), [65536, 65536]);
  await cleanup();
});

test('a slow output: the input pauses and memory stays bounded', async (t) => {
  const { dir, cleanup } = await tempDir('hekate-e2e-');
  mkdirSync(path.join(dir, 'logs'));
  const app = path.join(dir, 'logs', 'app.log');
  const out = path.join(dir, 'out.log');
  const plugin = fileURLToPath(new URL('../fixtures/slow-output.js', import.meta.url));
  const config = writeConfig(
    dir,
    `[in]
type = "FileInput"
paths = [${JSON.stringify(app)}]

[slow]
type = "SlowOutput"
message_matcher = "TRUE"
path = ${JSON.stringify(out)}
lines_per_second = 20000
`,
    `plugins = [${JSON.stringify(plugin)}]\n`,
  );
  const TOTAL = 1_000_000;
  for (let from = 0; from < TOTAL; from += 100_000) appendFileSync(app, oracleLines(from, 100_000, 90));
  const size = statSync(app).size;
  const router = new Router(config);
  const checker = new OracleChecker(out, TOTAL);
  try {
    await sleep(5000);
    checker.poll();
    const peak = router.peakRss()!;
    t.diagnostic(`after 5 s: ${checker.unique} of ${TOTAL} lines written, peak RSS ${(peak / MiB).toFixed(1)} MiB, file ${(size / MiB).toFixed(0)} MiB`);
    assert.ok(checker.unique > 0 && checker.unique < TOTAL / 4, `${checker.unique} lines written`);
    assert.ok(peak <= RSS_LIMIT, `peak RSS ${(peak / MiB).toFixed(1)} MiB`);
    const journal = JSON.parse(readFileSync(path.join(dir, 'state', 'input', 'in', 'checkpoints.json'), 'utf8')) as {
      journal: { files: { offset: number }[] };
    };
    assert.ok(journal.journal.files[0]!.offset < size / 2, 'the checkpoint lags far behind the file');
    assert.equal((await router.kill('SIGTERM')).code, 0, router.log());
  } finally {
    if (router.child.exitCode === null) await router.kill('SIGKILL');
  }
  checker.poll();
  assert.deepEqual(checker.corrupt, []);
  assert.equal(checker.duplicates, 0);
  await cleanup();
});
