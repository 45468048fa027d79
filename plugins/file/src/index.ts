import type { PluginDefinition } from '@hekate/core';
import { FileInput } from './file-input.js';

export { FileInput } from './file-input.js';
export { fileInputOptions, type FileInputOptions } from './options.js';

/** The plugin types this package provides. */
export const plugins: PluginDefinition[] = [FileInput];
