import { UnknownPluginTypeError } from '../errors.js';
import { didYouMean } from '../config/did-you-mean.js';
import type { PluginDefinition } from '../plugins/types.js';
import { FIRST_PARTY_PACKAGES, HEKA_EQUIVALENTS } from './first-party.js';

/** True when a value has the shape of a plugin definition. */
export function isPluginDefinition(value: unknown): value is PluginDefinition {
  const v = value as Partial<PluginDefinition> | null;
  return (
    typeof v === 'object' && v !== null && typeof v.type === 'string' && typeof v.kind === 'string' &&
    typeof v.summary === 'string' && typeof v.create === 'function' && typeof v.options === 'object'
  );
}

/**
 * The plugin types one pipeline can use. Each pipeline has its own registry, so embedding two
 * pipelines, or a test, never shares global state.
 */
export class PluginRegistry {
  readonly #types = new Map<string, PluginDefinition>();
  /** Types known to be provided by a package that is not loaded yet, with how to load it. */
  readonly #lazy = new Map<string, { pkg: string; load: () => Promise<PluginDefinition[]> }>();

  constructor(definitions: Iterable<PluginDefinition> = []) {
    this.register(...definitions);
  }

  /**
   * Adds plugin types. Registering a type twice with different definitions is an error: two
   * packages must not silently shadow each other.
   */
  register(...definitions: PluginDefinition[]): this {
    for (const def of definitions) {
      if (!isPluginDefinition(def)) throw new TypeError('Not a plugin definition (use defineInput, defineOutput, …).');
      const existing = this.#types.get(def.type);
      if (existing !== undefined && existing !== def) {
        throw new TypeError(`Plugin type "${def.type}" is registered twice.`);
      }
      this.#types.set(def.type, def);
    }
    return this;
  }

  /**
   * Declares that package `pkg` provides `types` without loading it: `load` imports it the first
   * time a configuration uses one of them, so a pipeline loads only the packages it needs.
   */
  provide(pkg: string, types: readonly string[], load: () => Promise<PluginDefinition[]>): this {
    for (const type of types) if (!this.#types.has(type) && !this.#lazy.has(type)) this.#lazy.set(type, { pkg, load });
    return this;
  }

  /** The package known to provide `type`, if any. */
  providerOf(type: string): string | undefined {
    return this.#lazy.get(type)?.pkg ?? Object.entries(FIRST_PARTY_PACKAGES).find(([, types]) => types.includes(type))?.[0];
  }

  get(type: string): PluginDefinition | undefined {
    return this.#types.get(type);
  }

  /** The definition of `type`, loading the package that provides it if it was declared with {@link provide}. */
  async load(type: string): Promise<PluginDefinition | undefined> {
    const lazy = this.#types.has(type) ? undefined : this.#lazy.get(type);
    if (lazy !== undefined) {
      const definitions = await lazy.load();
      for (const def of definitions) {
        this.#lazy.delete(def.type);
        if (this.#types.get(def.type) !== def) this.register(def);
      }
    }
    return this.#types.get(type);
  }


  /** The definition of `type`, or an UnknownPluginTypeError naming what to install or load. */
  require(type: string): PluginDefinition {
    const def = this.#types.get(type);
    if (def !== undefined) return def;
    const pkg = this.providerOf(type);
    const equivalent = HEKA_EQUIVALENTS[type];
    const hint =
      pkg !== undefined
        ? `; it is provided by ${pkg}: run "npm install ${pkg}" and add it to [hekate] plugins`
        : equivalent !== undefined
          ? `; Heka's ${type} is ${equivalent} in Hekate`
          : didYouMean(type, this.#types.keys());
    throw new UnknownPluginTypeError(`unknown plugin type "${type}"${hint}`);
  }

  /** Every registered type, sorted by kind then name. */
  list(): PluginDefinition[] {
    return [...this.#types.values()].sort((a, b) => a.kind.localeCompare(b.kind) || a.type.localeCompare(b.type));
  }
}
