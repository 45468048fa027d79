const QUOTE = 34;
const BACKSLASH = 92;
const COLON = 58;
const OPEN_OBJECT = 123;
const CLOSE_OBJECT = 125;
const OPEN_ARRAY = 91;
const CLOSE_ARRAY = 93;
const NULL_START = 110;

/** Index of the quote that closes the string opened at `open`, or the text's length. */
function stringEnd(text: string, open: number): number {
  for (let at = text.indexOf('"', open + 1); at !== -1; at = text.indexOf('"', at + 1)) {
    let backslashes = 0;
    while (text.charCodeAt(at - 1 - backslashes) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return at;
  }
  return text.length;
}

/** The first character at or after `from` that is not JSON whitespace. */
function valueStart(text: string, from: number): number {
  let at = from;
  for (let c = text.charCodeAt(at); c === 32 || c === 9 || c === 10 || c === 13; c = text.charCodeAt(++at));
  return text.charCodeAt(at);
}

/**
 * Checks JSON text against a decoder's limits before it is parsed, so a hostile record (a million
 * keys, nesting a hundred thousand deep) costs a short scan that stops at the limit rather than a
 * parse of the whole thing. Fields are counted as JsonDecoder makes them: one per key outside any
 * array whose value is neither null nor an object it flattens (object nesting below `maxDepth`);
 * keys repeated in the text count each time. Nesting counts every object and array. Returns the
 * reason to refuse the record, or undefined; invalid JSON is left for the parser to report.
 */
export function exceedsJsonLimits(
  text: string,
  maxDepth: number,
  maxFields: number,
  maxNesting: number,
): string | undefined {
  /** Open containers; `kinds[n]` is true when the n-th is an array. */
  const kinds: boolean[] = [];
  let nesting = 0;
  let arrays = 0;
  let fields = 0;
  for (let i = 0; i < text.length; i++) {
    switch (text.charCodeAt(i)) {
      case QUOTE:
        i = stringEnd(text, i);
        break;
      case OPEN_OBJECT:
      case OPEN_ARRAY: {
        if (++nesting > maxNesting) return `nested deeper than ${maxNesting} levels`;
        const array = text.charCodeAt(i) === OPEN_ARRAY;
        kinds[nesting] = array;
        if (array) arrays++;
        break;
      }
      case CLOSE_OBJECT:
      case CLOSE_ARRAY:
        if (nesting === 0) break;
        if (kinds[nesting]) arrays--;
        nesting--;
        break;
      case COLON: {
        if (arrays > 0 || nesting > maxDepth) break;
        const value = valueStart(text, i + 1);
        const flattened = value === OPEN_OBJECT && nesting < maxDepth;
        if (!flattened && value !== NULL_START && ++fields > maxFields) return `more than ${maxFields} fields`;
        break;
      }
    }
  }
  return undefined;
}
