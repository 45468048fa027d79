import type { PluginCounters } from '../plugins/types.js';

/**
 * Named counters: what a runner gives its plugin (which adds its own through the same object) and
 * reports in `stats()`. Also a PluginCounters to hand a plugin under test.
 */
export class Counters implements PluginCounters {
  readonly #values = new Map<string, number>();

  add(name: string, n = 1): void {
    this.#values.set(name, (this.#values.get(name) ?? 0) + n);
  }

  /** The value of one counter (0 if never added to). */
  get(name: string): number {
    return this.#values.get(name) ?? 0;
  }

  /** A plain snapshot, sorted by name. */
  snapshot(): Record<string, number> {
    return Object.fromEntries([...this.#values].sort(([a], [b]) => a.localeCompare(b)));
  }
}
