import { RE2JS } from 're2js';
import { z } from 'zod';
import { defineSplitter } from '../../plugins/define.js';
import type { SplitRecord, Splitter } from '../../plugins/types.js';
import { re2Pattern } from '../shared/re2-option.js';

const options = z
  .object({
    delimiter: re2Pattern((re) =>
      re.groupCount() > 1 ? 'must not contain more than one capture group' : undefined,
    )
      .default('\n')
      .describe('RE2 regex that separates records; at most one capture group.'),
    delimiter_eol: z
      .boolean()
      .default(true)
      .describe('The captured delimiter ends the previous record (true) or starts the next (false).'),
  })
  .strict();

type RegexSplitterOptions = z.output<typeof options>;

class RegexSplitterImpl implements Splitter {
  readonly #re: RE2JS;
  readonly #capture: boolean;
  readonly #eol: boolean;

  constructor(o: RegexSplitterOptions) {
    this.#re = RE2JS.compile(o.delimiter);
    this.#capture = this.#re.groupCount() === 1;
    this.#eol = o.delimiter_eol;
  }

  split(buf: Uint8Array, out: SplitRecord[]): number {
    // Matching runs on the bytes, so offsets are byte offsets and an incomplete UTF-8 sequence
    // at the end of the buffer is simply left for the next call.
    const bytes = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
    const m = this.#re.matcher(buf);
    let start = 0;
    let from = 0;
    while (from <= buf.length && m.find(from)) {
      const matchStart = m.start();
      const matchEnd = m.end();
      if (matchEnd === matchStart) {
        // An empty match separates nothing.
        from = matchEnd + 1;
        continue;
      }
      const captured = this.#capture && m.start(1) >= 0;
      let end = matchStart;
      let next = matchEnd;
      if (captured && this.#eol) end = m.end(1);
      else if (captured) next = m.start(1);
      if (end > start) out.push(bytes.toString('utf8', start, end));
      start = next;
      // With the capture starting the next record, search on after it (Heka skipped it too).
      from = captured && !this.#eol ? m.end(1) : matchEnd;
    }
    return start;
  }
}

/**
 * RegexSplitter: records are separated by matches of an RE2 `delimiter`. Without a capture group
 * the delimiter is dropped; with one, the record runs up to the end of the capture
 * (`delimiter_eol = true`), or the capture starts the next record (`delimiter_eol = false`, e.g.
 * `'\n(\d{4}-\d\d-\d\d )'` for multi-line records that start with a date). Heka's RegexSplitter;
 * as in Hekate's TokenSplitter, empty records are skipped.
 *
 * @example
 * [multiline]
 * type = "RegexSplitter"
 * delimiter = '\n(\d{4}-\d{2}-\d{2} )'
 * delimiter_eol = false
 */
export const RegexSplitter = defineSplitter({
  type: 'RegexSplitter',
  // A finite stream's last line needs no delimiter (stdin at end of file, a closed connection).
  commonDefaults: { deliver_incomplete_final: true },
  summary: 'Splits a byte stream into records at matches of an RE2 regular expression.',
  options,
  create: (o) => new RegexSplitterImpl(o),
});
