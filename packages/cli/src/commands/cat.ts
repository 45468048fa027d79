import {
  builtinPlugins,
  errorMessage,
  type Encoder,
  type Logger,
} from '@hekate/core';
import { decodeHekaMessage, readFrameFile, type FrameFileStats } from '@hekate/plugin-protobuf';
import { UsageError, type CommandContext } from '../command.js';
import { matcherFlag, sizeFlag } from '../flags.js';
import { EXIT } from '../exit-codes.js';

const FORMATS = ['txt', 'json', 'count'] as const;
type Format = (typeof FORMATS)[number];

/** heka-cat's default `-max-message-size`. */
const DEFAULT_MAX_MESSAGE_SIZE = '4MiB';

/**
 * A core encoder with its default options: RstEncoder prints text as Heka's tools did, JsonEncoder
 * JSON lines.
 */
function encoderFor(format: Exclude<Format, 'count'>, logger: Logger): Encoder {
  const type = format === 'txt' ? 'RstEncoder' : 'JsonEncoder';
  const definition = builtinPlugins.find((d) => d.type === type)!;
  return definition.create(definition.options.parse({}), {
    name: 'cat',
    type,
    logger,
    configDir: process.cwd(),
    stateDir: process.cwd(),
    hostname: '',
    counters: { add() {} },
    createDecoder: () => {
      throw new Error('hekate cat has no decoders');
    },
  }) as Encoder;
}

function summary(
  processed: number,
  matched: number,
  corrupt: number,
  stats: FrameFileStats,
): string {
  const rejected = Object.values(stats.rejected).reduce((n, x) => n + x, 0);
  return (
    `Processed: ${processed}, matched: ${matched} messages` +
    (corrupt + rejected + stats.bytesSkipped > 0
      ? ` (${corrupt} undecodable, ${rejected} bad frames, ${stats.bytesSkipped} bytes skipped)`
      : '') +
    `; next offset ${stats.offset}\n`
  );
}

/**
 * `hekate cat <file>`: Heka's heka-cat. Reads a file of Heka-framed protobuf messages (a FileOutput
 * with ProtobufEncoder and `use_framing`, or a Heka disk-queue segment), keeps those `-match`
 * accepts (default `TRUE`), and prints them as text (`-format txt`, RstEncoder's layout), JSON
 * lines (`-format json`, JsonEncoder) or only their number (`-format count`). `-offset` starts at a
 * byte offset, `-tail` keeps reading as the file grows until interrupted, and
 * `-max-message-size` (default 4 MiB) bounds a frame. Signatures are not checked. A summary goes
 * to standard error. Hekate's own disk-queue segments use another framing: see `hekate queue`.
 */
export async function catCommand(ctx: CommandContext): Promise<number> {
  const [file, ...extra] = ctx.positionals;
  if (file === undefined || extra.length > 0) {
    throw new UsageError(
      'usage: hekate cat <file> [-match <expr>] [-format txt|json|count] [-tail] [-offset <bytes>] [-max-message-size <bytes>]',
    );
  }
  const format = (typeof ctx.flags.format === 'string' ? ctx.flags.format : 'txt') as Format;
  if (!FORMATS.includes(format))
    throw new UsageError(`-format must be one of ${FORMATS.join(', ')}`);
  const matches = matcherFlag(ctx);
  const offset = sizeFlag(ctx, 'offset', '0');
  const maxMessageSize = sizeFlag(ctx, 'max-message-size', DEFAULT_MAX_MESSAGE_SIZE);
  const encoder = format === 'count' ? undefined : encoderFor(format, ctx.logger);

  const stop = new AbortController();
  const interrupt = () => stop.abort();
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);
  const stats: FrameFileStats = { rejected: {}, bytesSkipped: 0, offset };
  let [processed, matched, corrupt] = [0, 0, 0];
  try {
    const records = readFrameFile(
      file,
      { offset, tail: ctx.flags.tail === true, maxMessageSize, signal: stop.signal },
      stats,
    );
    for await (const record of records) {
      processed++;
      let message;
      try {
        message = decodeHekaMessage(record);
      } catch (error) {
        corrupt++;
        ctx.logger.warn('Undecodable message skipped.', { error: errorMessage(error) });
        continue;
      }
      if (!matches(message)) continue;
      matched++;
      const text = encoder?.encode(message);
      if (text !== undefined)
        ctx.out(typeof text === 'string' ? text : Buffer.from(text).toString('utf8'));
    }
  } finally {
    process.off('SIGINT', interrupt);
    process.off('SIGTERM', interrupt);
  }
  if (format === 'count') ctx.out(`${matched}\n`);
  process.stderr.write(summary(processed, matched, corrupt, stats));
  return EXIT.OK;
}
