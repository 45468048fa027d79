import { Pipeline, type Logger } from '@hekate/core';
import { firstPartyRegistry } from './first-party.js';

/** Builds (and fully validates) the pipeline of a config file or directory, starting nothing. */
export function loadPipeline(configPath: string, logger: Logger): Promise<Pipeline> {
  return Pipeline.fromFile(configPath, { registry: firstPartyRegistry(), logger, appDir: process.cwd() });
}
