import type { PluginDefinition } from '@hekate/core';
import { BqOutput } from './bq-output.js';

export { BqOutput, defineBqOutput, type BqOutputDependencies } from './bq-output.js';
export { BIGQUERY_SCOPE } from './auth.js';
export { bqOutputOptions, type BqOutputOptions } from './options.js';

/** The plugin types this package provides. */
export const plugins: PluginDefinition[] = [BqOutput];
