import type { PluginDefinition } from '@hekate/core';

/** The plugin types this package provides. */
export const plugins: PluginDefinition[] = [];
