import { inspectQueue } from '@hekate/core';
import { UsageError, type CommandContext } from '../command.js';
import { EXIT } from '../exit-codes.js';

/** `hekate queue inspect <dir>`: segments, sizes, cursor and pending count of a disk queue. */
export async function queueCommand(ctx: CommandContext): Promise<number> {
  const [action, target] = ctx.positionals;
  if (action !== 'inspect' || target === undefined) throw new UsageError('usage: hekate queue inspect <queue-dir>');
  const report = await inspectQueue(target);
  ctx.out(`${JSON.stringify(report, null, 2)}\n`);
  return EXIT.OK;
}
