import { Worker } from 'node:worker_threads';
import type { ChecksumJob } from './frame-checksum-worker.js';
import { fillChecksums } from './record-frame.js';

/** Below this many bytes a round trip to the worker costs more than the checksums. */
const MIN_OFF_THREAD_BYTES = 64 * 1024;

interface Pending {
  readonly frames: Uint8Array;
  readonly done: () => void;
}

let worker: Worker | null | undefined;
let nextId = 0;
const pending = new Map<number, Pending>();

/** The shared worker, started on first use; null once it could not start or failed. */
function checksumWorker(): Worker | null {
  if (worker !== undefined) return worker;
  try {
    const started = new Worker(new URL('./frame-checksum-worker.js', import.meta.url));
    started.unref();
    started.on('message', (id: number) => {
      const job = pending.get(id);
      pending.delete(id);
      if (pending.size === 0) started.unref();
      job?.done();
    });
    const lost = () => {
      worker = null;
      // The jobs it had are done here instead.
      for (const job of pending.values()) {
        fillChecksums(job.frames);
        job.done();
      }
      pending.clear();
    };
    started.on('error', lost);
    started.on('exit', lost);
    worker = started;
  } catch {
    worker = null;
  }
  return worker;
}

/**
 * Fills in the checksums of frames laid out by `layFrames`, on a worker thread when the frames
 * are in shared memory and large enough to be worth it, so the pipeline's thread does not spend
 * its time on CRC-32C; otherwise (or if the worker cannot run) here.
 */
export function fillChecksumsOffThread(frames: Uint8Array): Promise<void> {
  const shared = frames.buffer instanceof SharedArrayBuffer;
  const thread = shared && frames.length >= MIN_OFF_THREAD_BYTES ? checksumWorker() : null;
  if (thread === null) {
    fillChecksums(frames);
    return Promise.resolve();
  }
  return new Promise((done) => {
    const id = ++nextId;
    pending.set(id, { frames, done });
    // Referenced while it has work: an append waiting for it keeps the process alive.
    if (pending.size === 1) thread.ref();
    const job: ChecksumJob = { id, buffer: frames.buffer as SharedArrayBuffer, offset: frames.byteOffset, length: frames.length };
    thread.postMessage(job);
  });
}
