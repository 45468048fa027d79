import { DEAD_LETTER_TYPE, Pipeline, errorMessage, inspectQueue, restoreDeadLetter, type Message } from '@hekate/core';
import { UsageError, type CommandContext } from '../command.js';
import { EXIT } from '../exit-codes.js';
import { firstPartyRegistry } from '../first-party.js';
import { matcherFlag, sizeFlag } from '../flags.js';

const USAGE = 'usage: hekate queue inspect <queue-dir> | hekate queue replay <dead-letter-file> -config <path> [-match <expr>]';
const REPLAY_BATCH = 500;

/** `hekate queue inspect <dir>`: segments, sizes, cursor and pending count of a disk queue, as JSON. */
async function inspect(ctx: CommandContext, dir: string): Promise<number> {
  ctx.out(`${JSON.stringify(await inspectQueue(dir), null, 2)}\n`);
  return EXIT.OK;
}

/**
 * `hekate queue replay <file> -config <path>`: reads dead letters from a file of Heka-framed
 * protobuf messages (a FileOutput with `encoder = "ProtobufEncoder"` and `use_framing = true`
 * whose matcher takes `Type == 'hekate.dead_letter'`), restores each original message (Type,
 * Logger, Severity; the `dead_letter.*` fields removed) and injects it into the pipeline of
 * `-config` — its filters and outputs only, not its inputs — waiting until every output that
 * matched has acknowledged it. `-match` narrows the dead letters replayed (e.g.
 * `Fields[dead_letter.plugin] == 'bq'`).
 */
async function replay(ctx: CommandContext, file: string): Promise<number> {
  const selected = matcherFlag(ctx, `Type == '${DEAD_LETTER_TYPE}'`);
  const { readFrameFile, decodeHekaMessage } = await import('@hekate/plugin-protobuf');
  const pipeline = await Pipeline.fromFile(ctx.configPath(), {
    registry: firstPartyRegistry(),
    logger: ctx.logger,
    appDir: process.cwd(),
    withoutInputs: true,
  });
  await pipeline.start();
  let [read, replayed, skipped] = [0, 0, 0];
  let batch: Message[] = [];
  const flush = async () => {
    await pipeline.inject(batch);
    replayed += batch.length;
    batch = [];
  };
  try {
    const maxMessageSize = sizeFlag(ctx, 'max-message-size', '4MiB');
    for await (const record of readFrameFile(file, { offset: 0, tail: false, maxMessageSize }, { rejected: {}, bytesSkipped: 0, offset: 0 })) {
      read++;
      let letter: Message;
      try {
        letter = decodeHekaMessage(record);
      } catch (error) {
        skipped++;
        ctx.logger.warn('Undecodable record skipped.', { error: errorMessage(error) });
        continue;
      }
      if (letter.type !== DEAD_LETTER_TYPE || !selected(letter)) {
        skipped++;
        continue;
      }
      batch.push(restoreDeadLetter(letter));
      if (batch.length >= REPLAY_BATCH) await flush();
    }
    if (batch.length > 0) await flush();
  } finally {
    await pipeline.stop();
  }
  ctx.out(`Replayed ${replayed} of ${read} messages from ${file} (${skipped} skipped: not selected dead letters or undecodable).\n`);
  return EXIT.OK;
}

/** `hekate queue inspect|replay …`. */
export async function queueCommand(ctx: CommandContext): Promise<number> {
  const [action, target, ...extra] = ctx.positionals;
  if (target === undefined || extra.length > 0) throw new UsageError(USAGE);
  if (action === 'inspect') return inspect(ctx, target);
  if (action === 'replay') return replay(ctx, target);
  throw new UsageError(USAGE);
}
