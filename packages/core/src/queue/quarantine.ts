import type { FileHandle } from 'node:fs/promises';
import { mkdir, open } from 'node:fs/promises';
import { join } from 'node:path';
import { errorMessage } from '../errors.js';
import type { Logger } from '../logger.js';
import { DIR_MODE, FILE_MODE, segmentName } from './segment-files.js';

const COPY_CHUNK = 1024 * 1024;

/**
 * Where corrupt bytes found while reading go: `<dir>/quarantine/<segment>-<offset>.bad`, one file
 * per corrupt region, for a human to look at. The name is derived from the region, so finding the
 * same region again after a restart rewrites the same file instead of adding a copy.
 */
export class Quarantine {
  readonly #dir: string;
  readonly #logger: Logger;

  constructor(queueDir: string, logger: Logger) {
    this.#dir = join(queueDir, 'quarantine');
    this.#logger = logger;
  }

  /**
   * Copies `[start, end)` of segment `segmentId` (open as `source`) into the quarantine. Failing
   * to do so (the disk is full, say) is logged: reading must go on regardless.
   */
  async save(source: FileHandle, segmentId: number, start: number, end: number): Promise<void> {
    const path = join(this.#dir, `${segmentName(segmentId)}-${start}.bad`);
    try {
      await mkdir(this.#dir, { recursive: true, mode: DIR_MODE });
      const out = await open(path, 'w', FILE_MODE);
      try {
        const buf = Buffer.allocUnsafe(Math.min(COPY_CHUNK, end - start));
        for (let at = start; at < end; ) {
          const { bytesRead } = await source.read(buf, 0, Math.min(buf.length, end - at), at);
          if (bytesRead === 0) break;
          await out.write(buf, 0, bytesRead);
          at += bytesRead;
        }
      } finally {
        await out.close();
      }
    } catch (err) {
      this.#logger.error('Could not copy corrupt queue bytes to the quarantine.', {
        path,
        bytes: end - start,
        error: errorMessage(err),
      });
    }
  }
}
