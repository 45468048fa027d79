import path from 'node:path';
import { ConfigError, errorMessage } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Decoder, PluginContext, PluginInstances, PluginKind } from '../plugins/types.js';
import { Counters } from '../runners/counters.js';
import type { PipelinePlan } from './plan.js';
import type { PlannedSection } from './section.js';

/** Makes plugin instances for a plan, each with its context, counters and logger. */
export class PluginFactory {
  readonly #plan: PipelinePlan;
  readonly #logger: Logger;
  readonly #hostname: string;
  /** Counters per section name, shared by every instance of that section. */
  readonly counters = new Map<string, Counters>();
  /** Decoders being created, to reject cycles such as a MultiDecoder that includes itself. */
  readonly #creating = new Set<string>();

  constructor(plan: PipelinePlan, logger: Logger, hostname: string) {
    this.#plan = plan;
    this.#logger = logger;
    this.#hostname = hostname;
  }

  /** The section called `name`. */
  section(name: string): PlannedSection {
    const found = this.#plan.sections.find((s) => s.name === name);
    if (found === undefined) throw new ConfigError(`no section named "${name}"`, { section: name });
    return found;
  }

  countersOf(name: string): Counters {
    let c = this.counters.get(name);
    if (c === undefined) this.counters.set(name, (c = new Counters()));
    return c;
  }

  loggerOf(section: PlannedSection): Logger {
    return this.#logger.child({ plugin: section.name, type: section.type });
  }

  /** Creates an instance of a section's plugin; a throwing factory becomes a ConfigError naming it. */
  create<K extends PluginKind>(section: PlannedSection<K>): PluginInstances[K] {
    const context: PluginContext = {
      name: section.name,
      type: section.type,
      logger: this.loggerOf(section),
      configDir: this.#plan.configDir,
      stateDir: path.join(this.#plan.baseDir, section.kind, section.name.replace(/[^A-Za-z0-9_.-]/g, '_')),
      hostname: this.#hostname,
      counters: this.countersOf(section.name),
      createDecoder: (name) => this.decoder(name),
    };
    try {
      return section.definition.create(section.options, context);
    } catch (error) {
      if (error instanceof ConfigError) throw error;
      throw new ConfigError(`cannot create ${section.type}: ${errorMessage(error)}`, section.location, { cause: error });
    }
  }

  /** A new instance of the decoder section `name`. */
  decoder(name: string): Decoder {
    const section = this.section(name);
    if (section.kind !== 'decoder') throw new ConfigError(`"${name}" is a ${section.kind}, not a decoder`, section.location);
    if (this.#creating.has(name)) throw new ConfigError(`decoder "${name}" includes itself (a cycle)`, section.location);
    this.#creating.add(name);
    try {
      return this.create(section as PlannedSection<'decoder'>);
    } finally {
      this.#creating.delete(name);
    }
  }
}
