import { z } from 'zod';
import { defineSplitter } from '../../plugins/define.js';
import type { SplitRecord, Splitter } from '../../plugins/types.js';

const LF = 10;
const CR = 13;
/**
 * Bytes of lines decoded into one string: even as two-byte text it stays under V8's 128 KiB
 * limit for objects in the young generation.
 */
const TEXT_WINDOW_BYTES = 48 * 1024;

const options = z
  .object({
    delimiter: z
      .string()
      .refine((d) => d.length === 1 && d.charCodeAt(0) < 0x80, 'must be a single ASCII character')
      .default('\n')
      .describe('The one-byte record delimiter.'),
    count: z.number().int().min(1).default(1).describe('Delimiters per record.'),
    keep_delimiter: z
      .boolean()
      .default(false)
      .describe('Keep the final delimiter (and any CR) in each record, as Heka did.'),
    skip_empty: z
      .boolean()
      .default(true)
      .describe('Skip records that are empty once the delimiter is removed (blank lines).'),
  })
  .strict();

type TokenSplitterOptions = z.output<typeof options>;

class TokenSplitterImpl implements Splitter {
  readonly #byte: number;
  readonly #char: string;
  readonly #count: number;
  readonly #keep: boolean;
  readonly #skipEmpty: boolean;
  /** Strip a `\r` before a `\n` delimiter (CRLF line endings). */
  readonly #crlf: boolean;

  constructor(options: TokenSplitterOptions) {
    this.#char = options.delimiter;
    this.#byte = options.delimiter.charCodeAt(0);
    this.#count = options.count;
    this.#keep = options.keep_delimiter;
    this.#skipEmpty = options.skip_empty && !options.keep_delimiter;
    this.#crlf = this.#byte === LF && !options.keep_delimiter;
  }

  split(buf: Uint8Array, out: SplitRecord[]): number {
    const end = this.#count === 1 ? buf.lastIndexOf(this.#byte) + 1 : this.#groupsEnd(buf);
    if (end === 0) return 0;
    // The delimiter is one ASCII byte, which never occurs inside a UTF-8 sequence (and a decoder
    // never swallows it into a replacement character), so a region ending with one decodes on its
    // own and its delimiters are exactly the string's.
    const bytes = Buffer.from(buf.buffer, buf.byteOffset, end);
    if (this.#count !== 1) {
      this.#cut(bytes.toString('utf8'), out);
      return end;
    }
    // Lines are decoded a window at a time: a window's text is small enough to be a young object,
    // freed cheaply with the records cut from it, where a chunk-sized string would go straight to
    // the old generation and wait for a full collection.
    for (let start = 0; start < end; ) {
      const limit = start + TEXT_WINDOW_BYTES;
      let stop = limit >= end ? end : bytes.lastIndexOf(this.#byte, limit - 1) + 1;
      if (stop <= start) stop = bytes.indexOf(this.#byte, limit) + 1;
      this.#cut(bytes.toString('utf8', start, stop), out);
      start = stop;
    }
    return end;
  }

  /** Bytes up to the end of the last complete group of `count` delimiters. */
  #groupsEnd(buf: Uint8Array): number {
    let end = 0;
    let seen = 0;
    for (let at = buf.indexOf(this.#byte); at !== -1; at = buf.indexOf(this.#byte, at + 1)) {
      if (++seen === this.#count) {
        seen = 0;
        end = at + 1;
      }
    }
    return end;
  }

  /** Cuts `text`, which ends with a group's last delimiter, into records. */
  #cut(text: string, out: SplitRecord[]): void {
    let start = 0;
    let seen = 0;
    for (let at = text.indexOf(this.#char); at !== -1; at = text.indexOf(this.#char, at + 1)) {
      if (++seen < this.#count) continue;
      seen = 0;
      if (this.#keep) out.push(text.slice(start, at + 1));
      else {
        const stop = this.#crlf && at > start && text.charCodeAt(at - 1) === CR ? at - 1 : at;
        if (stop > start || !this.#skipEmpty) out.push(text.slice(start, stop));
      }
      start = at + 1;
    }
  }
}

/**
 * TokenSplitter: a record every `count` occurrences of a one-byte `delimiter` (default `"\n"`:
 * lines).
 *
 * Differences from Heka, which kept the delimiter in every record: by default the final delimiter
 * is removed (and a `\r` before a `\n`, so CRLF files give clean lines) and empty records are
 * skipped, as Vector and Fluent Bit do; PayloadEncoder's `append_newlines` puts the newline back
 * on output. `keep_delimiter = true` restores Heka's records exactly (they are then never empty).
 *
 * @example
 * [lines]
 * type = "TokenSplitter"
 * delimiter = "\n"
 */
export const TokenSplitter = defineSplitter({
  type: 'TokenSplitter',
  // A finite stream's last line needs no delimiter (stdin at end of file, a closed connection).
  commonDefaults: { deliver_incomplete_final: true },
  summary: 'Splits a byte stream into records at a one-byte delimiter (lines by default).',
  options,
  create: (o) => new TokenSplitterImpl(o),
});
