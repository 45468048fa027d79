import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import type { FsyncPolicy } from '../../src/queue/disk-queue-types.js';
import { queueOptions, readAll, removeDir, tempDir, texts, withQueue } from './queue-test-kit.js';

const child = fileURLToPath(new URL('../fixtures/append-until-killed.js', import.meta.url));

/** Runs the appending child until it has reported `count` records, SIGKILLs it, returns the numbers it printed. */
async function appendThenKill(dir: string, fsync: FsyncPolicy, count: number): Promise<number[]> {
  const proc = spawn(process.execPath, [child, dir, fsync], { stdio: ['ignore', 'pipe', 'inherit'] });
  const printed: number[] = [];
  let partial = '';
  const exited = new Promise<NodeJS.Signals | null>((resolve) => proc.on('exit', (_code, signal) => resolve(signal)));
  proc.stdout.setEncoding('utf8');
  proc.stdout.on('data', (chunk: string) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop()!;
    for (const line of lines) printed.push(Number(line));
    if (printed.length >= count) proc.kill('SIGKILL');
  });
  assert.equal(await exited, 'SIGKILL', 'the child died of something else');
  return printed;
}

describe('disk queue under SIGKILL', () => {
  for (const [fsync, count] of [['batch', 1500], ['never', 5000]] as const) {
    it(`keeps every record whose append resolved (fsync '${fsync}')`, async () => {
      const dir = await tempDir();
      try {
        const printed = await appendThenKill(dir, fsync, count);
        assert.ok(printed.length >= count);
        await withQueue(queueOptions(dir), async (q) => {
          const numbers = texts(await readAll(q)).map((t) => Number(/^n=(\d+) /.exec(t)![1]));
          // Every printed number is there, in order; records appended but not yet printed may follow.
          assert.deepEqual(numbers.slice(0, printed.length), printed);
          assert.deepEqual(numbers, numbers.map((_, i) => i));
        });
      } finally {
        await removeDir(dir);
      }
    });
  }
});
