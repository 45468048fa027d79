import assert from 'node:assert/strict';
import { appendFileSync, copyFileSync, mkdirSync, renameSync, statSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { Router, writeConfig } from '../support/cli.js';
import { Writer } from '../support/files.js';
import { OracleChecker, oracleLine, oracleLines } from '../support/oracle.js';
import { sleep, tempDir } from '../support/util.js';

interface Setup {
  dir: string;
  app: string;
  config: string;
  checker: OracleChecker;
  cleanup: () => Promise<void>;
}

async function setup(total: number, pattern = 'app.log*'): Promise<Setup> {
  const { dir, cleanup } = await tempDir('hekate-e2e-');
  mkdirSync(path.join(dir, 'logs'));
  const out = path.join(dir, 'out.log');
  const config = writeConfig(
    dir,
    `[in]
type = "FileInput"
paths = [${JSON.stringify(path.join(dir, 'logs', pattern))}]
rotate_wait = "1s"

[out]
type = "FileOutput"
message_matcher = "TRUE"
path = ${JSON.stringify(out)}
encoder = "PayloadEncoder"
flush_interval = "20ms"

[PayloadEncoder]
`,
  );
  return { dir, app: path.join(dir, 'logs', 'app.log'), config, checker: new OracleChecker(out, total), cleanup };
}

/** Waits until `n` distinct lines arrived. */
function arrived(s: Setup, router: Router, n: number, what = `${n} lines`): Promise<void> {
  return router.until(() => (s.checker.poll(), s.checker.unique >= n), 30_000, what);
}

/** Stops the router cleanly and checks the output: nothing missing or corrupt, `repeated` twice. */
async function finish(s: Setup, router: Router, total: number, repeated = 0): Promise<void> {
  await arrived(s, router, total, 'every line');
  await sleep(200);
  assert.equal((await router.kill('SIGTERM')).code, 0, router.log());
  s.checker.poll();
  assert.deepEqual(s.checker.corrupt, []);
  assert.deepEqual(s.checker.missing(total).slice(0, 10), []);
  assert.equal(s.checker.duplicates, repeated);
  await s.cleanup();
}

test('copytruncate, three times under a writer that keeps its descriptor: zero loss', async () => {
  const s = await setup(40_000);
  const writer = new Writer(s.app);
  const router = new Router(s.config);
  try {
    let seq = 0;
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 10; i++, seq += 1000) {
        writer.write(oracleLines(seq, 1000));
        await sleep(5);
      }
      // logrotate's copytruncate with rotate 3: shift the copies, copy, truncate.
      for (let k = 2; k >= 1; k--) {
        try {
          renameSync(`${s.app}.${k}`, `${s.app}.${k + 1}`);
        } catch {
          // Not there yet.
        }
      }
      copyFileSync(s.app, `${s.app}.1`);
      truncateSync(s.app, 0);
    }
    writer.write(oracleLines(seq, 10_000));
    await finish(s, router, 40_000);
  } finally {
    writer.close();
    if (router.child.exitCode === null) await router.kill('SIGKILL');
  }
});

test('truncation below the offset: the file is read again from its start, zero loss', async () => {
  const s = await setup(3000, 'app.log');
  appendFileSync(s.app, oracleLines(0, 1000));
  const router = new Router(s.config);
  try {
    await arrived(s, router, 1000);
    truncateSync(s.app, 0);
    appendFileSync(s.app, oracleLines(1000, 500));
    await arrived(s, router, 1500);
    // Keep the first ten lines: they are read again (a tailer cannot tell them from new ones).
    truncateSync(s.app, Buffer.byteLength(oracleLines(1000, 10)));
    await sleep(300);
    appendFileSync(s.app, oracleLines(1500, 1000));
    await arrived(s, router, 2500);
    writeFileSync(s.app, oracleLines(2500, 500)); // replaced in one go: truncate and write
    await finish(s, router, 3000, 10);
  } finally {
    if (router.child.exitCode === null) await router.kill('SIGKILL');
  }
});

test('delete and recreate with the same first line, running and while stopped: zero loss', async () => {
  const header = (n: number) => oracleLine(n, 'HEADER same first line');
  const s = await setup(64);
  let seq = 0;
  const generation = () => {
    const text = `${header(seq)}\n${oracleLines(seq + 1, 15)}`;
    seq += 16;
    return text;
  };
  writeFileSync(s.app, generation());
  let router = new Router(s.config);
  try {
    await arrived(s, router, 16);
    unlinkSync(s.app);
    writeFileSync(s.app, generation());
    await arrived(s, router, 32);
    assert.equal((await router.kill('SIGTERM')).code, 0, router.log());
    unlinkSync(s.app);
    writeFileSync(s.app, generation());
    router = new Router(s.config);
    await arrived(s, router, 48);
    unlinkSync(s.app);
    await sleep(50);
    writeFileSync(s.app, generation());
    await finish(s, router, 64);
  } finally {
    if (router.child.exitCode === null) await router.kill('SIGKILL');
  }
});

test('inode reuse while stopped: the new file is read from its start, zero loss', async () => {
  const s = await setup(2500, 'app.log');
  appendFileSync(s.app, oracleLines(0, 2000));
  let router = new Router(s.config);
  try {
    await arrived(s, router, 2000);
    assert.equal((await router.kill('SIGTERM')).code, 0, router.log());
    const ino = statSync(s.app).ino;
    unlinkSync(s.app);
    writeFileSync(s.app, oracleLines(2000, 500));
    assert.equal(statSync(s.app).ino, ino, 'the filesystem reused the inode');
    router = new Router(s.config);
    await finish(s, router, 2500);
  } finally {
    if (router.child.exitCode === null) await router.kill('SIGKILL');
  }
});

test('a partial line at SIGKILL is delivered once, complete, after the restart', async () => {
  const s = await setup(1002, 'app.log');
  const partial = `${oracleLine(1000, 'the line being written when the router died')}\n`;
  appendFileSync(s.app, oracleLines(0, 1000) + partial.slice(0, 20));
  let router = new Router(s.config);
  try {
    await arrived(s, router, 1000);
    await sleep(500); // the checkpoint of the complete lines is written
    await router.kill('SIGKILL');
    appendFileSync(s.app, partial.slice(20) + oracleLines(1001, 1));
    router = new Router(s.config);
    await finish(s, router, 1002);
  } finally {
    if (router.child.exitCode === null) await router.kill('SIGKILL');
  }
});
