import { createReadStream, fstatSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { z } from 'zod';
import { defineInput } from '../../plugins/define.js';
import type { InputRunner, SplitRecord } from '../../plugins/types.js';

const options = z
  .object({
    message_type: z.string().default('stdin').describe('Type of the messages produced.'),
  })
  .strict();

/** Stays on the stream: an error after reading stopped (EIO from a closed terminal) is no crash. */
function ignoreLateError(): void {}

/** Sockets and pipes (stdin when it is one) can stop keeping the process alive. */
interface Refable {
  ref?(): unknown;
  unref?(): unknown;
}

/**
 * Reads `stream` to its end through the runner's splitter, delivering each chunk's records as
 * messages of type `messageType`, and the splitter's final record at end of stream. The stream is
 * paused while a batch is delivered (backpressure). Once it ends, fails or the runner stops, the
 * stream is left paused, without this function's listeners, and unreferenced: a paused pipe
 * still reads ahead up to its high-water mark, and must not hold the process open. Resolves at
 * end of stream or on stop; rejects on a stream error.
 */
export function readStream(
  stream: Readable,
  runner: InputRunner,
  messageType: string,
): Promise<void> {
  const splitter = runner.splitter();
  // Takes the records lazily, so that a throwing splitter rejects instead of throwing in an event.
  const deliver = async (split: () => SplitRecord[]): Promise<void> => {
    const records = split();
    if (records.length === 0) return;
    const messages = records.map((record) => {
      const message = runner.createMessage(record);
      message.type = messageType;
      return message;
    });
    await runner.deliver(messages);
  };
  return new Promise<void>((resolve, reject) => {
    const { signal } = runner;
    let done = false;
    const finish = (error?: unknown): void => {
      if (done) return;
      done = true;
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', finish);
      signal.removeEventListener('abort', onAbort);
      stream.pause();
      (stream as Refable).unref?.();
      if (error === undefined) resolve();
      else reject(error);
    };
    const onData = (chunk: Buffer | string): void => {
      stream.pause();
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      deliver(() => splitter.push(bytes)).then(() => {
        if (!done) stream.resume();
      }, finish);
    };
    const onEnd = (): void => {
      deliver(() => splitter.end()).then(() => finish(), finish);
    };
    const onAbort = (): void => finish();
    if (signal.aborted || stream.readableEnded) {
      finish();
      return;
    }
    (stream as Refable).ref?.();
    if (!stream.listeners('error').includes(ignoreLateError)) stream.on('error', ignoreLateError);
    signal.addEventListener('abort', onAbort, { once: true });
    stream.on('error', finish);
    stream.on('end', onEnd);
    stream.on('data', onData);
  });
}

/**
 * StdinInput: reads the process's standard input (a pipe, a redirected file or a terminal) until
 * it ends, split into records by the input's splitter (TokenSplitter by default: one message per
 * line). Messages have Type `message_type` ("stdin"). When stdin ends the input is finished: by
 * default (`can_exit = false`) the pipeline then drains and stops; with `can_exit = true` it
 * carries on without it.
 *
 * @example
 * [stdin]
 * type = "StdinInput"
 * decoder = "JsonDecoder"
 */
export const StdinInput = defineInput({
  type: 'StdinInput',
  summary: 'Reads records from standard input.',
  options,
  commonDefaults: { splitter: 'TokenSplitter' },
  create: (o) => ({ run: (runner) => readStream(stdinStream(), runner, o.message_type) }),
});

/** Read size when stdin is a regular file: large reads keep the reader ahead of the pipeline. */
const FILE_READ_BYTES = 256 * 1024;

/**
 * The stream to read stdin from: for a redirected regular file (`hekate run < app.log`), a file
 * stream on descriptor 0 with 256 KiB reads rather than process.stdin's 64 KiB; otherwise stdin.
 */
function stdinStream(): Readable {
  try {
    if (fstatSync(0).isFile()) return createReadStream('', { fd: 0, highWaterMark: FILE_READ_BYTES, autoClose: false });
  } catch {
    // No usable descriptor 0 (closed stdin): process.stdin reports that itself.
  }
  return process.stdin;
}
