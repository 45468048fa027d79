import assert from 'node:assert/strict';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { Counters, silentLogger } from '@hekate/core';
import { Journal, type CheckpointEntry } from '../src/journal.js';
import { tempDir } from './support/util.js';

function entry(offset: number, key = '1:2'): CheckpointEntry {
  return { key, path: '/var/log/app.log', stream: 'app', fingerprint: { length: 10, hash: 'h' }, offset, tail: 't', skip: false };
}

test('round-trips entries, with mode 0700 on the directory and 0600 on the file', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const journalDir = path.join(dir, 'state', 'in');
    const counters = new Counters();
    const j = new Journal(journalDir, silentLogger, counters);
    assert.deepEqual(await j.load(), { entries: [], existed: false });
    await j.write([entry(10)]);
    await j.write([entry(20), entry(5, '3:4')]);
    j.writeSync([entry(30)]);
    const again = await new Journal(journalDir, silentLogger, counters).load();
    assert.deepEqual(again, { entries: [entry(30)], existed: true });
    assert.equal((await stat(journalDir)).mode & 0o777, 0o700);
    assert.equal((await stat(path.join(journalDir, 'checkpoints.json'))).mode & 0o777, 0o600);
    assert.equal(counters.get('checkpoints_written'), 3);
    assert.equal(counters.get('checkpoint_recoveries'), 0);
  } finally {
    await cleanup();
  }
});

test('a damaged current generation falls back to the previous one, logged and counted', async () => {
  const fixtures: [string, (text: string) => string][] = [
    ['empty file (logstash#8218)', () => ''],
    ['trailing brace (heka#1275)', (t) => `${t.trim()}}`],
    ['NaN offset', (t) => t.replace('"offset":20', '"offset":NaN')],
    ['edited offset, stale checksum', (t) => t.replace('"offset":20', '"offset":21')],
    ['garbage', () => '\u0000\u0000\u0000'],
  ];
  for (const [name, damage] of fixtures) {
    const { dir, cleanup } = await tempDir();
    try {
      const j = new Journal(dir, silentLogger, new Counters());
      await j.load();
      await j.write([entry(10)]);
      await j.write([entry(20)]);
      const file = path.join(dir, 'checkpoints.json');
      await writeFile(file, damage(await readFile(file, 'utf8')));
      const counters = new Counters();
      const loaded = await new Journal(dir, silentLogger, counters).load();
      assert.deepEqual(loaded.entries, [entry(10)], name);
      assert.equal(counters.get('checkpoint_recoveries'), 1, name);
    } finally {
      await cleanup();
    }
  }
});

test('with no intact generation it starts empty but knows a journal existed', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    await writeFile(path.join(dir, 'checkpoints.json'), '{"checksum":');
    const counters = new Counters();
    const loaded = await new Journal(dir, silentLogger, counters).load();
    assert.deepEqual(loaded, { entries: [], existed: true });
    assert.equal(counters.get('checkpoint_recoveries'), 1);
  } finally {
    await cleanup();
  }
});

test('invalid entries in an intact journal are dropped one by one and counted', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const j = new Journal(dir, silentLogger, new Counters());
    await j.load();
    await j.write([entry(10), { ...entry(-1, '5:6') }]);
    const counters = new Counters();
    const loaded = await new Journal(dir, silentLogger, counters).load();
    assert.deepEqual(loaded.entries, [entry(10)]);
    assert.equal(counters.get('checkpoint_recoveries'), 1);
  } finally {
    await cleanup();
  }
});

test('a crash at any step of a write leaves the last or the new generation (model check)', async () => {
  // The write's durable steps, in order; a crash keeps a prefix of them, and may tear the
  // temporary file written by the first.
  await fc.assert(
    fc.asyncProperty(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 0, max: 3 }), fc.nat(), async (generations, steps, tear) => {
      const { dir, cleanup } = await tempDir();
      try {
        const j = new Journal(dir, silentLogger, new Counters());
        await j.load();
        for (let g = 1; g <= generations; g++) await j.write([entry(g * 10)]);
        const current = path.join(dir, 'checkpoints.json');
        const text = JSON.stringify({ partial: true }).repeat(1 + (tear % 3));
        // Step 1: the temporary file (torn unless the crash came after its fsync).
        const tmpText = steps === 0 ? text.slice(0, tear % text.length) : await nextGeneration(dir, generations + 1);
        await writeFile(`${current}.tmp`, tmpText);
        if (steps >= 2) await rename(current, `${current}.prev`);
        if (steps >= 3) await rename(`${current}.tmp`, current);
        const loaded = await new Journal(dir, silentLogger, new Counters()).load();
        const expected = steps === 0 ? generations * 10 : (generations + 1) * 10;
        assert.deepEqual(loaded.entries, [entry(expected)]);
      } finally {
        await cleanup();
      }
    }),
    { numRuns: 40 },
  );
});

/** The text a write of generation `generation` would produce, made in a scratch directory. */
async function nextGeneration(dir: string, generation: number): Promise<string> {
  const scratch = path.join(dir, 'scratch');
  await mkdir(scratch);
  const j = new Journal(scratch, silentLogger, new Counters());
  await j.load();
  for (let g = 1; g < generation; g++) await j.write([entry(g * 10)]);
  await j.write([entry(generation * 10)]);
  return readFile(path.join(scratch, 'checkpoints.json'), 'utf8');
}
