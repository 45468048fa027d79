import type { PluginDefinition, SplitRecord } from '../../../src/plugins/types.js';
import { BufferedSplitterStream, type SplitterLimits } from '../../../src/runners/splitter-stream.js';
import { Counters } from '../../../src/runners/counters.js';
import { make } from '../test-context.js';

/** Pushes chunks through a splitter of `def` in a real BufferedSplitterStream; returns the records. */
export function splitChunks(
  def: PluginDefinition<'splitter'>,
  options: Record<string, unknown>,
  chunks: readonly (string | Uint8Array)[],
  limits: Partial<SplitterLimits> = {},
): SplitRecord[] {
  const stream = new BufferedSplitterStream(
    make(def, options),
    { maxRecordSize: 64 * 1024, keepTruncated: false, useMessageBytes: false, deliverIncompleteFinal: false, ...limits },
    new Counters(),
  );
  const out: SplitRecord[] = [];
  for (const chunk of chunks) out.push(...stream.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk));
  return out;
}
