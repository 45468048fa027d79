import type { PluginDefinition } from '@hekate/core';
import { KafkaInput } from './kafka-input.js';
import { KafkaOutput } from './kafka-output.js';

export { KafkaInput, KafkaOutput };

/** The plugin types this package provides; Hekate reads this export when it loads the package. */
export const plugins: PluginDefinition[] = [KafkaInput, KafkaOutput];
