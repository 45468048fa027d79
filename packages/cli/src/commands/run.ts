import type { Pipeline } from '@hekate/core';
import { EXIT } from '../exit-codes.js';
import type { CommandContext } from '../command.js';
import { loadPipeline } from '../load.js';

/**
 * `hekate run -config <file|dir>`: runs a pipeline until SIGTERM/SIGINT (a graceful, draining
 * stop; a second signal exits at once) or until its inputs finish. SIGHUP reopens output files.
 */
export async function runCommand(ctx: CommandContext): Promise<number> {
  const pipeline: Pipeline = await loadPipeline(ctx.configPath(), ctx.logger);
  let signals = 0;
  const onStop = (signal: NodeJS.Signals) => {
    signals++;
    if (signals > 1) {
      ctx.logger.warn('Second signal: exiting without draining.', { signal });
      process.exit(EXIT.FAILURE);
    }
    ctx.logger.info('Stopping: draining queues.', { signal });
    void pipeline.stop();
  };
  const onHup = () => void pipeline.reopen();
  process.on('SIGTERM', onStop);
  process.on('SIGINT', onStop);
  process.on('SIGHUP', onHup);
  // A daemon runs until signalled, even while every plugin idles on promises alone (an input
  // waiting for more, outputs waiting for messages): signal listeners keep no process alive.
  const keepAlive = setInterval(() => {}, 2 ** 30);
  try {
    await pipeline.start();
    const exit = await pipeline.done;
    if (exit.reason === 'failed') {
      ctx.logger.error('Pipeline failed.', { error: exit.error });
      return EXIT.FAILURE;
    }
    ctx.logger.info('Pipeline stopped.', { reason: exit.reason });
    return EXIT.OK;
  } finally {
    clearInterval(keepAlive);
    process.off('SIGTERM', onStop);
    process.off('SIGINT', onStop);
    process.off('SIGHUP', onHup);
  }
}
