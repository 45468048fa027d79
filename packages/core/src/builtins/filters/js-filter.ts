import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { errorMessage, PluginLoadError } from '../../errors.js';
import type { Message } from '../../message/message.js';
import { defineFilter } from '../../plugins/define.js';
import type { Filter, FilterRunner } from '../../plugins/types.js';

/**
 * What a JsFilter module exports. Only `process` is required.
 *
 * @example
 * // errors-per-host.js
 * import { createMessage } from '@hekate/core';
 * let threshold = 10;
 * const counts = new Map();
 * export function init(config) { threshold = config.threshold ?? threshold; }
 * export function process(message) {
 *   counts.set(message.hostname, (counts.get(message.hostname) ?? 0) + 1);
 * }
 * export function onTick(runner) {
 *   for (const [host, n] of counts) {
 *     if (n < threshold) continue;
 *     runner.inject(createMessage({ type: 'alert.errors', hostname: host, payload: `${n} errors` }));
 *   }
 *   counts.clear();
 * }
 */
export interface JsFilterModule {
  /** Called once, before the first message, with the section's `config` table. */
  init?(config: Readonly<Record<string, unknown>>): void | Promise<void>;
  /** Called for each message the matcher accepts; may inject messages through the runner. */
  process(message: Message, runner: FilterRunner): void | Promise<void>;
  /** Called every `ticker_interval`, never at the same time as `process`. */
  onTick?(runner: FilterRunner): void | Promise<void>;
  /** Called once after the last message, before the pipeline stops. */
  close?(runner: FilterRunner): void | Promise<void>;
}

const options = z
  .object({
    filename: z
      .string()
      .min(1)
      .describe('ES module exporting process(message, runner); relative to the config directory.'),
    config: z
      .record(z.string(), z.unknown())
      .default({})
      .describe("Table handed to the module's init(config)."),
  })
  .strict();

type JsFilterOptions = z.output<typeof options>;

const HOOKS = ['init', 'process', 'onTick', 'close'] as const;

class JsFilterImpl implements Filter {
  readonly #file: string;
  readonly #instance: string;
  readonly #config: Readonly<Record<string, unknown>>;
  #module: JsFilterModule | undefined;

  constructor(o: JsFilterOptions, configDir: string, instance: string) {
    this.#file = resolve(configDir, o.filename);
    this.#config = o.config;
    this.#instance = instance;
  }

  async open(): Promise<void> {
    // The section name in the URL gives each section its own module instance (its own
    // module-level state), as each Heka sandbox had its own globals.
    const url = pathToFileURL(this.#file);
    url.searchParams.set('filter', this.#instance);
    let loaded: Partial<Record<(typeof HOOKS)[number], unknown>>;
    try {
      loaded = (await import(url.href)) as typeof loaded;
    } catch (error) {
      const reason = errorMessage(error);
      throw new PluginLoadError(`JsFilter could not load ${this.#file}: ${reason}`, { cause: error });
    }
    if (typeof loaded.process !== 'function') {
      throw new PluginLoadError(
        `JsFilter module ${this.#file} must export a function process(message, runner).`,
      );
    }
    for (const hook of HOOKS) {
      if (loaded[hook] !== undefined && typeof loaded[hook] !== 'function') {
        throw new PluginLoadError(`JsFilter module ${this.#file}: export ${hook} must be a function.`);
      }
    }
    const mod = loaded as JsFilterModule;
    await mod.init?.(this.#config);
    this.#module = mod;
  }

  process(message: Message, runner: FilterRunner): void | Promise<void> {
    return this.#loaded().process(message, runner);
  }

  onTick(runner: FilterRunner): void | Promise<void> {
    return this.#loaded().onTick?.(runner);
  }

  close(runner: FilterRunner): void | Promise<void> {
    return this.#module?.close?.(runner);
  }

  #loaded(): JsFilterModule {
    if (this.#module === undefined) throw new Error('JsFilter used before open().');
    return this.#module;
  }
}

/**
 * JsFilter: runs a filter written as an ES module, the role Heka's Lua SandboxFilter played. The
 * module (`filename`, resolved from the config directory, loaded when the filter opens) exports
 * `process(message, runner)` and optionally `init(config)`, `onTick(runner)` and
 * `close(runner)` (see {@link JsFilterModule}); it builds messages with `createMessage` from
 * `@hekate/core` and injects them with `runner.inject`, within Heka's limits
 * (`max_process_inject`, `max_timer_inject`, `max_message_loops`).
 *
 * Unlike a Lua sandbox, the module is trusted code running in the router's process, with no
 * memory or instruction limits.
 *
 * @example
 * [errors_per_host]
 * type = "JsFilter"
 * message_matcher = "Severity <= 3"
 * ticker_interval = 60
 * filename = "filters/errors-per-host.js"
 * [errors_per_host.config]
 * threshold = 10
 */
export const JsFilter = defineFilter({
  type: 'JsFilter',
  summary: 'Runs a filter written as an ES module (the role of Heka\'s Lua sandbox filters).',
  options,
  create: (o, ctx) => new JsFilterImpl(o, ctx.configDir, ctx.name),
});
