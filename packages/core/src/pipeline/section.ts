import type { CommonOptions } from '../config/common-options.js';
import type { ConfigLocation } from '../errors.js';
import type { PluginDefinition, PluginKind } from '../plugins/types.js';

/** One validated plugin section of a pipeline config. */
export interface PlannedSection<K extends PluginKind = PluginKind> {
  /** The section name: the plugin instance's name. */
  readonly name: string;
  readonly type: string;
  readonly kind: K;
  readonly definition: PluginDefinition<K>;
  /** Parsed common options of the kind. */
  readonly common: CommonOptions[K];
  /** Parsed plugin-specific options. */
  readonly options: unknown;
  /** Where the section is written, for messages; `implicit` when made from a type name. */
  readonly location: ConfigLocation;
  readonly implicit: boolean;
}
