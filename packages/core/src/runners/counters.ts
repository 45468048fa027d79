import type { PluginCounters } from '../plugins/types.js';

/** A runner's named counters; plugins add their own through the same object. */
export class Counters implements PluginCounters {
  readonly #values = new Map<string, number>();

  add(name: string, n = 1): void {
    this.#values.set(name, (this.#values.get(name) ?? 0) + n);
  }

  /** A plain snapshot, sorted by name. */
  snapshot(): Record<string, number> {
    return Object.fromEntries([...this.#values].sort(([a], [b]) => a.localeCompare(b)));
  }
}
