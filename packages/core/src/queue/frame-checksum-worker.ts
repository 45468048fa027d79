/**
 * The worker thread behind {@link fillChecksumsOffThread}: fills in the checksums of the frames
 * laid out in a shared buffer and answers with the job's id.
 */
import { parentPort } from 'node:worker_threads';
import { fillChecksums } from './record-frame.js';

/** A job: the frames at `[offset, offset + length)` of a shared buffer. */
export interface ChecksumJob {
  readonly id: number;
  readonly buffer: SharedArrayBuffer;
  readonly offset: number;
  readonly length: number;
}

parentPort?.on('message', (job: ChecksumJob) => {
  fillChecksums(new Uint8Array(job.buffer, job.offset, job.length));
  parentPort!.postMessage(job.id);
});
