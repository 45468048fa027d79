import type { PluginDefinition } from '@hekate/core';
import { KeyValueDecoder } from './key-value-decoder.js';

export { KeyValueDecoder };

/** The plugin types this package provides; Hekate reads this export when it loads the package. */
export const plugins: PluginDefinition[] = [KeyValueDecoder];
