/**
 * A copy of `text` that does not share memory with a larger string. A splitter decodes a whole
 * chunk at once and cuts records out of it as slices; a queued message holding such a slice would
 * keep the whole chunk alive, so a queue that keeps 1% of the lines would keep every chunk.
 */
export function ownString(text: string): string {
  // Concatenating makes a cons string; slicing it flattens it into a new string first.
  return text.length < 16 ? text : (' ' + text).slice(1);
}
