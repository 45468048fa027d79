/**
 * Model-based test of the disk queue (reliability plan §5.6, after Vector's disk_v2 model tests):
 * random sequences of append, flush, read, skip, ack, crash, restart and corrupt-a-byte run against
 * a real queue in a temporary directory and an in-memory model of what must come back. A skip
 * takes records without reading them, as a buffered output does with the records it appended in
 * the same session (so only those, only once every earlier record has been taken, and not after a
 * read met a corrupt record).
 *
 * A crash closes the queue and undoes what the close wrote (closeAsCrash), then cuts every segment
 * at a random byte between the length last fsynced (observed by wrapping FileHandle's
 * datasync/sync) and its end: a host crash that lost unsynced data.
 *
 * Invariants: records come back in order, byte-exact, never invented; every record that was
 * fsynced, or is still intact in the files after a crash, and not acknowledged is read again,
 * unless it was corrupted (then it may be skipped and is counted); nothing acknowledged is read
 * again except what was acknowledged after the last persisted cursor, which is at most
 * cursorUpdateCount - 1 acks behind; no crash ever needs a cursor recovery.
 */
import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import { open, readdir, readFile, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { DiskQueue } from '../../src/queue/disk-queue.js';
import type { DiskQueueOptions, FsyncPolicy } from '../../src/queue/disk-queue-types.js';
import type { QueuePosition } from '../../src/queue/queue-position.js';
import { FRAME_HEADER_BYTES } from '../../src/queue/record-frame.js';
import { propertyParams } from '../property-params.js';
import { closeAsCrash, queueOptions, removeDir, tempDir } from './queue-test-kit.js';

type Command =
  | { kind: 'append'; sizes: number[] }
  | { kind: 'flush' }
  | { kind: 'read'; max: number }
  | { kind: 'skip'; max: number }
  | { kind: 'ack'; pick: number }
  | { kind: 'crash'; cuts: number[] }
  | { kind: 'restart' }
  | { kind: 'corrupt'; pick: number; at: number; xor: number };

/** Where a crash cuts a file's unsynced tail: often at the synced length, else anywhere. */
const cut = fc.oneof(fc.constant(0), fc.double({ min: 0, max: 1, noNaN: true }));

const append = fc.record({
  kind: fc.constant('append' as const),
  sizes: fc.array(fc.nat(40), { minLength: 1, maxLength: 4 }),
});
const read = fc.record({ kind: fc.constant('read' as const), max: fc.integer({ min: 1, max: 8 }) });
const skip = fc.record({ kind: fc.constant('skip' as const), max: fc.integer({ min: 1, max: 8 }) });
const ack = fc.record({ kind: fc.constant('ack' as const), pick: fc.nat() });
const crash = fc.record({
  kind: fc.constant('crash' as const),
  cuts: fc.array(cut, { minLength: 8, maxLength: 8 }),
});
const corrupt = fc.record({
  kind: fc.constant('corrupt' as const),
  pick: fc.nat(),
  at: fc.nat(),
  xor: fc.integer({ min: 1, max: 255 }),
});

const command: fc.Arbitrary<Command> = fc.oneof(
  { weight: 3, arbitrary: append },
  { weight: 1, arbitrary: fc.constant({ kind: 'flush' as const }) },
  { weight: 3, arbitrary: read },
  { weight: 2, arbitrary: skip },
  { weight: 4, arbitrary: ack },
  { weight: 2, arbitrary: crash },
  { weight: 1, arbitrary: fc.constant({ kind: 'restart' as const }) },
  { weight: 1, arbitrary: corrupt },
);

const scenario = fc.record({
  fsync: fc.constantFrom<FsyncPolicy>('never', 'batch'),
  maxFileSize: fc.integer({ min: 80, max: 600 }),
  cursorUpdateCount: fc.integer({ min: 1, max: 4 }),
  commands: fc.array(command, { minLength: 1, maxLength: 50, size: 'max' }),
});

/** The payload of record `seq`: a unique marker, then `size` filler letters. */
function payload(seq: number, size: number): Uint8Array {
  const marker = `REC:${String(seq).padStart(6, '0')}:`;
  const out = new Uint8Array(marker.length + size);
  for (let i = 0; i < marker.length; i++) out[i] = marker.charCodeAt(i);
  for (let i = 0; i < size; i++) out[marker.length + i] = 97 + ((seq + i) % 26);
  return out;
}

function seqOf(data: Uint8Array): number {
  return Number(new TextDecoder().decode(data.subarray(4, 10)));
}

// Durable length per segment file name, from observed fsyncs.
const durable = new Map<string, number>();
let watchedDir: string | undefined;
let recording = true;

function nameOfInode(ino: number): string | undefined {
  if (watchedDir === undefined) return undefined;
  for (const name of readdirSync(watchedDir)) {
    if (name.endsWith('.seg') && statSync(join(watchedDir, name)).ino === ino) return name;
  }
  return undefined;
}

interface SegmentContent {
  name: string;
  path: string;
  data: Buffer;
}

interface Rec {
  size: number;
  flushed: boolean;
  damaged: boolean;
  lost: boolean;
}

class Harness {
  readonly #options: DiskQueueOptions;
  readonly #recs: Rec[] = [];
  #queue!: DiskQueue;
  /** Highest index acknowledged (in memory). */
  #acked = -1;
  /** The persisted cursor is at or after this index. */
  #guaranteed = -1;
  #ackEvents: number[] = [];
  /** Index of the last record read in this session. */
  #lastRead = -1;
  /** After a crash, until the first read shows where the persisted cursor was. */
  #resumeUnknown = false;
  #positions = new Map<number, QueuePosition>();
  /** Index of the first record appended in this session. */
  #sessionStart = 0;

  constructor(options: DiskQueueOptions) {
    this.#options = options;
  }

  async open(): Promise<void> {
    this.#queue = await DiskQueue.open(this.#options);
    assert.equal(this.#queue.stats().cursorRecoveries, 0, 'a crash needed a cursor recovery');
    this.#positions.clear();
    this.#ackEvents = [];
    this.#sessionStart = this.#recs.length;
  }

  #skippable(i: number): boolean {
    const r = this.#recs[i]!;
    return r.damaged || r.lost;
  }

  #assertSkippable(from: number, to: number, why: string): void {
    for (let j = from; j < to; j++) assert.ok(this.#skippable(j), `record ${j} was not read (${why})`);
  }

  async run(c: Command): Promise<void> {
    switch (c.kind) {
      case 'append': {
        const first = this.#recs.length;
        await this.#queue.append(c.sizes.map((size, i) => payload(first + i, size)));
        const flushed = this.#options.fsync === 'batch';
        for (const size of c.sizes) this.#recs.push({ size, flushed, damaged: false, lost: false });
        return;
      }
      case 'flush':
        await this.#queue.flush();
        for (const r of this.#recs) r.flushed = true;
        return;
      case 'read':
        return this.#read(c.max);
      case 'skip':
        return this.#skip(c.max);
      case 'ack': {
        const ackable = [...this.#positions.keys()].filter((i) => i > this.#acked);
        if (ackable.length === 0) return;
        const i = ackable[c.pick % ackable.length]!;
        await this.#queue.ack(this.#positions.get(i)!);
        this.#acked = i;
        this.#ackEvents.push(i);
        const n = this.#options.cursorUpdateCount;
        // The persisted cursor is at most n - 1 acks behind.
        const events = this.#ackEvents;
        if (events.length >= n) this.#guaranteed = Math.max(this.#guaranteed, events[events.length - n]!);
        return;
      }
      case 'restart':
        await this.#queue.close();
        if (!this.#resumeUnknown) this.#guaranteed = this.#acked;
        this.#lastRead = this.#acked;
        return this.open();
      case 'crash':
        return this.#crash(c.cuts);
      case 'corrupt':
        return this.#corrupt(c);
    }
  }

  async #read(max: number): Promise<void> {
    const got = await this.#queue.read(max, 1 << 30);
    for (const record of got) {
      const i = seqOf(record.data);
      assert.ok(i < this.#recs.length, `invented record ${i}`);
      assert.deepEqual(record.data, payload(i, this.#recs[i]!.size), `record ${i} altered`);
      if (this.#resumeUnknown) {
        const persisted = this.#guaranteed;
        assert.ok(i > persisted, `record ${i} read again, but the cursor was persisted past ${persisted}`);
        this.#assertSkippable(this.#acked + 1, i, 'after a crash');
        this.#resumeUnknown = false;
        this.#acked = i - 1;
      } else {
        assert.ok(i > this.#lastRead, `record ${i} read twice or out of order (after ${this.#lastRead})`);
        this.#assertSkippable(this.#lastRead + 1, i, 'gap');
      }
      this.#lastRead = i;
      this.#positions.set(i, record.position);
    }
    if (got.length < max) {
      const last = this.#resumeUnknown ? this.#acked : this.#lastRead;
      this.#assertSkippable(last + 1, this.#recs.length, 'queue looked empty');
      this.#checkPending();
    }
  }

  async #skip(max: number): Promise<void> {
    const next = this.#lastRead + 1;
    // As a buffered output: only records of this session, and never again once a read met a
    // corrupt record (the output then stops trusting what it holds in memory).
    if (this.#resumeUnknown || next < this.#sessionStart || this.#queue.stats().corruptRecords > 0) return;
    const sizes = this.#recs.slice(next, next + max).map((r, k) => payload(next + k, r.size).length);
    const positions = await this.#queue.skip(sizes);
    assert.equal(positions.length, sizes.length, 'every record appended in this session can be skipped');
    positions.forEach((position, k) => this.#positions.set(next + k, position));
    this.#lastRead += positions.length;
  }

  #checkPending(): void {
    if (this.#resumeUnknown) return;
    let expected = 0;
    for (let j = this.#acked + 1; j < this.#recs.length; j++) {
      if (this.#recs[j]!.damaged) return; // pending is exact only without corruption ahead
      if (!this.#recs[j]!.lost) expected++;
    }
    assert.equal(this.#queue.stats().pending, expected, 'pending');
  }

  async #segmentFiles(): Promise<SegmentContent[]> {
    const names = (await readdir(this.#options.dir)).filter((n) => n.endsWith('.seg')).sort();
    return Promise.all(
      names.map(async (name) => {
        const path = join(this.#options.dir, name);
        return { name, path, data: await readFile(path) };
      }),
    );
  }

  /** Where record `i`'s frame is, if it is intact-looking in some segment. */
  #find(files: SegmentContent[], i: number): { path: string; start: number; end: number } | undefined {
    const marker = Buffer.from(`REC:${String(i).padStart(6, '0')}:`);
    for (const f of files) {
      const at = f.data.indexOf(marker);
      if (at < 0) continue;
      const start = at - FRAME_HEADER_BYTES;
      const end = at + marker.length + this.#recs[i]!.size;
      if (start >= 0 && end <= f.data.length) return { path: f.path, start, end };
    }
    return undefined;
  }

  async #crash(cuts: number[]): Promise<void> {
    recording = false;
    await closeAsCrash(this.#queue, this.#options.dir);
    recording = true;
    let k = 0;
    for (const f of await this.#segmentFiles()) {
      const kept = durable.get(f.name) ?? 0;
      const size = Math.max(kept, Math.floor(kept + cuts[k++ % cuts.length]! * (f.data.length - kept + 1)));
      if (size < f.data.length) await truncate(f.path, size);
      durable.set(f.name, Math.min(size, f.data.length));
    }
    const files = await this.#segmentFiles();
    for (let i = this.#guaranteed + 1; i < this.#recs.length; i++) {
      const r = this.#recs[i]!;
      if (r.lost || r.damaged || this.#find(files, i) !== undefined) continue;
      assert.ok(!(r.flushed && i > this.#acked), `fsynced record ${i} lost in a crash`);
      r.lost = true;
    }
    this.#resumeUnknown = true;
    await this.open();
  }

  async #corrupt(c: { pick: number; at: number; xor: number }): Promise<void> {
    const files = await this.#segmentFiles();
    const present = this.#recs.map((_, i) => i).filter((i) => !this.#recs[i]!.lost && !this.#recs[i]!.damaged);
    if (present.length === 0) return;
    const i = present[c.pick % present.length]!;
    const where = this.#find(files, i);
    if (where === undefined) return;
    const at = where.start + (c.at % (where.end - where.start));
    const fh = await open(where.path, 'r+');
    try {
      const b = Buffer.alloc(1);
      await fh.read(b, 0, 1, at);
      b[0]! ^= c.xor;
      await fh.write(b, 0, 1, at);
    } finally {
      await fh.close();
    }
    this.#recs[i]!.damaged = true;
  }

  /** Closes the queue after a failure, ignoring further errors. */
  async abandon(): Promise<void> {
    await this.#queue.close().catch(() => undefined);
  }

  async finish(): Promise<void> {
    for (;;) {
      const before = this.#lastRead;
      await this.#read(50);
      if (this.#lastRead === before) break;
    }
    await this.#queue.close();
  }
}

describe('disk queue model', () => {
  type Sync = (this: unknown) => Promise<void>;
  let proto: { datasync: Sync; sync: Sync; stat(): Promise<{ ino: number; size: number }> };
  let original: { datasync: Sync; sync: Sync };

  before(async () => {
    const fh = await open(process.execPath, 'r');
    proto = Object.getPrototypeOf(fh);
    await fh.close();
    original = { datasync: proto.datasync, sync: proto.sync };
    for (const method of ['datasync', 'sync'] as const) {
      proto[method] = async function (this: unknown) {
        const self = this as typeof proto;
        const st = await self.stat();
        await original[method].call(self);
        const name = recording ? nameOfInode(st.ino) : undefined;
        if (name !== undefined) durable.set(name, Math.max(durable.get(name) ?? 0, st.size));
      };
    }
  });

  after(() => {
    proto.datasync = original.datasync;
    proto.sync = original.sync;
  });

  it('delivers every durable unacknowledged record after any crash, in order, exactly once per session', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        const dir = await tempDir();
        watchedDir = dir;
        durable.clear();
        try {
          const { fsync, maxFileSize, cursorUpdateCount } = s;
          const h = new Harness(queueOptions(dir, { fsync, maxFileSize, cursorUpdateCount }));
          await h.open();
          try {
            for (const c of s.commands) await h.run(c);
          } catch (err) {
            await h.abandon();
            throw err;
          }
          await h.finish();
        } finally {
          watchedDir = undefined;
          await removeDir(dir);
        }
      }),
      propertyParams(100),
    );
  });
});
