import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { FILE_MODE, segmentName } from './segment-files.js';
import type { Segment } from './segment-list.js';

/**
 * Appends to the active segment. A write either fully succeeds, and only then do the segment's
 * `size` and `records` grow (so readers never see a partial batch), or it is undone by truncating
 * back to the previous size. If even the truncate fails the writer is `broken`: the bytes past
 * `size` are garbage, nobody reads them, and the queue must roll to a new segment.
 */
export class SegmentWriter {
  readonly segment: Segment;
  readonly #fh: FileHandle;
  #broken = false;

  private constructor(segment: Segment, fh: FileHandle) {
    this.segment = segment;
    this.#fh = fh;
  }

  /** Creates segment `id` in `dir` (it must not exist). */
  static async create(dir: string, id: number): Promise<SegmentWriter> {
    const path = join(dir, segmentName(id));
    const fh = await open(path, 'wx', FILE_MODE);
    return new SegmentWriter({ id, path, size: 0, records: 0, syncedSize: 0 }, fh);
  }

  /** Continues writing an existing segment at its `size`. */
  static async resume(segment: Segment): Promise<SegmentWriter> {
    return new SegmentWriter(segment, await open(segment.path, 'r+'));
  }

  /** True when a failed write could not be undone; roll before writing again. */
  get broken(): boolean {
    return this.#broken;
  }

  /**
   * Writes `frames` (holding `records` records) at the end of the segment, fdatasync'ing before
   * publishing them when `sync` is set.
   * @throws the I/O error, after truncating the segment back to its previous size.
   */
  async write(frames: Uint8Array, records: number, sync: boolean): Promise<void> {
    const at = this.segment.size;
    try {
      for (let done = 0; done < frames.length; ) {
        const left = frames.length - done;
        const { bytesWritten } = await this.#fh.write(frames, done, left, at + done);
        if (bytesWritten === 0) throw new Error('Segment write made no progress.');
        done += bytesWritten;
      }
      if (sync) await this.#fh.datasync();
    } catch (err) {
      await this.#fh.truncate(at).catch(() => {
        this.#broken = true;
      });
      throw err;
    }
    this.segment.size = at + frames.length;
    this.segment.records += records;
    if (sync) this.segment.syncedSize = this.segment.size;
  }

  /** fdatasyncs what has been written. */
  async sync(): Promise<void> {
    const size = this.segment.size;
    if (this.segment.syncedSize >= size) return;
    await this.#fh.datasync();
    this.segment.syncedSize = Math.max(this.segment.syncedSize, size);
  }

  async close(): Promise<void> {
    await this.#fh.close();
  }
}
