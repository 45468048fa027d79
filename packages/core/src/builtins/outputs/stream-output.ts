import type { Writable } from 'node:stream';
import { errorMessage, PermanentError } from '../../errors.js';
import type { Output, OutputBatch, OutputRunner } from '../../plugins/types.js';
import { RecordPacker } from '../shared/record-packer.js';

/** Batches for terminal-like streams: whatever is queued, written at once, without lingering. */
const BATCHING = { maxMessages: 1000, maxBytes: 4 * 1024 * 1024, lingerMs: 0 };

/**
 * An output that writes each batch's records, packed into one buffer, to a writable stream with one write, and
 * acknowledges the batch once the stream has taken it (its write callback), which also bounds
 * what is buffered in the stream (backpressure). A stream error (EPIPE when the reader went away)
 * sends the batch to the dead-letter route. `stream` is called at open, so construction touches
 * nothing.
 */
export function createStreamOutput(type: string, stream: () => Writable): Output {
  let target: Writable | undefined;
  let onError: ((error: Error) => void) | undefined;
  const packer = new RecordPacker(type);
  return {
    batching: BATCHING,
    async open(runner: OutputRunner) {
      target = stream();
      // Errors also reach the write callback; without a listener they would be thrown.
      onError = (error) => runner.logger.error('Output stream failed.', { error: error.message });
      target.on('error', onError);
    },
    async write(batch: OutputBatch): Promise<void> {
      // The stream is done with the packed bytes by its write callback, before the next batch.
      const data = packer.pack(batch);
      await new Promise<void>((resolve, reject) => {
        if (target === undefined) throw new Error(`${type} written before open().`);
        target.write(data, (error) => {
          if (!error) return resolve();
          const reason = errorMessage(error);
          reject(new PermanentError(`${type} could not write: ${reason}`, { cause: error }));
        });
      });
    },
    async close() {
      if (onError !== undefined) target?.off('error', onError);
    },
  };
}
