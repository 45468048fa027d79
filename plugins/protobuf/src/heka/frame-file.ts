import { open } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { scanFrames, type FrameRejection } from './frame-scanner.js';
import type { SignatureVerifier } from './signing.js';

/** How {@link readFrameFile} reads. */
export interface FrameFileOptions {
  /**
   * Byte offset to start at (heka-cat's `-offset`); the scan resyncs on the first frame after it.
   */
  readonly offset?: number;
  /**
   * At the end of the file, wait for more to be written instead of finishing (heka-cat's `-tail`).
   */
  readonly tail?: boolean;
  /** Largest message accepted (heka-cat's `-max-message-size`; default 4 MiB). */
  readonly maxMessageSize?: number;
  /** Checks signed frames; by default signatures are not checked. */
  readonly verifier?: SignatureVerifier;
  /** Ends reading (the only way a tailing read ends). */
  readonly signal?: AbortSignal;
  /** How often a tailing read looks for new data, in ms (default 250). */
  readonly pollMs?: number;
}

/** What a read found besides records: rejected frames by reason, and bytes skipped. */
export interface FrameFileStats {
  rejected: Partial<Record<FrameRejection, number>>;
  bytesSkipped: number;
  /** Offset just past the last complete frame read. */
  offset: number;
}

const CHUNK = 64 * 1024;
const DEFAULT_MAX_MESSAGE_SIZE = 4 * 1024 * 1024;

/**
 * Reads a file of Heka frames — a FileOutput with ProtobufEncoder and `use_framing`, or a Heka
 * disk-queue segment — and yields each frame's message bytes, resynchronising past garbage as
 * HekaFramingSplitter does. `stats` is filled in as it goes.
 */
export async function* readFrameFile(
  path: string,
  options: FrameFileOptions = {},
  stats?: FrameFileStats,
): AsyncGenerator<Uint8Array> {
  const found: FrameFileStats = stats ?? { rejected: {}, bytesSkipped: 0, offset: 0 };
  const scan = {
    maxMessageSize: options.maxMessageSize ?? DEFAULT_MAX_MESSAGE_SIZE,
    verifier: options.verifier,
    onReject: (reason: FrameRejection) =>
      void (found.rejected[reason] = (found.rejected[reason] ?? 0) + 1),
    onSkip: (bytes: number) => void (found.bytesSkipped += bytes),
  };
  const file = await open(path, 'r');
  try {
    let position = options.offset ?? 0;
    found.offset = position;
    let held = Buffer.alloc(0);
    const chunk = Buffer.allocUnsafe(CHUNK);
    while (options.signal?.aborted !== true) {
      const { bytesRead } = await file.read(chunk, 0, CHUNK, position);
      if (bytesRead === 0) {
        if (options.tail !== true) return;
        await sleep(options.pollMs ?? 250, undefined, { signal: options.signal }).catch(
          () => undefined,
        );
        continue;
      }
      position += bytesRead;
      const buf = Buffer.concat([held, chunk.subarray(0, bytesRead)]);
      const records: Uint8Array[] = [];
      const consumed = scanFrames(buf, records, scan);
      held = Buffer.from(buf.subarray(consumed));
      found.offset = position - held.length;
      yield* records;
    }
  } finally {
    await file.close();
  }
}
