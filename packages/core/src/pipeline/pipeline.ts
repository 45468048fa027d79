import { hostname as osHostname } from 'node:os';
import path from 'node:path';
import { parseToml, readConfigPath, type ConfigDocument } from '../config/config-source.js';
import { errorMessage } from '../errors.js';
import { stderrLogger, type Logger } from '../logger.js';
import { compileMatcher } from '../matcher/index.js';
import { Message } from '../message/message.js';
import { DELIVERY } from '../message/slots.js';
import { Delivery } from '../delivery/delivery.js';
import type { PluginDefinition } from '../plugins/types.js';
import { MemoryBudget } from '../queue/memory-budget.js';
import { MessageQueue } from '../queue/message-queue.js';
import { sleep } from '../queue/notifier.js';
import { PluginRegistry } from '../registry/plugin-registry.js';
import { Router, type Subscriber } from '../router/router.js';
import { Counters } from '../runners/counters.js';
import { FilterRunnerImpl } from '../runners/filter-runner.js';
import { InputRunnerImpl, type InputOutcome } from '../runners/input-runner.js';
import { MemorySource } from '../runners/memory-source.js';
import { OutputRunnerImpl } from '../runners/output-runner.js';
import { Runtime } from '../runners/runtime.js';
import { frameHekaRecord } from '../runners/heka-framing.js';
import { builtinPlugins } from '../builtins/index.js';
import { createBatchSource } from './batch-sources.js';
import { PluginFactory } from './instantiate.js';
import { planPipeline, type PipelinePlan } from './plan.js';
import type { PlannedSection } from './section.js';

/** Options for building a {@link Pipeline}. */
export interface PipelineOptions {
  /** Plugin types available besides the built-ins (first-party or your own). */
  plugins?: readonly PluginDefinition[];
  /** A registry to use instead of a fresh one (the built-ins and `plugins` are added to it). */
  registry?: PluginRegistry;
  logger?: Logger;
  /** Environment for `%ENV[...]`; defaults to process.env. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Directory relative paths resolve from; defaults to the config file's directory or the cwd. */
  configDir?: string;
  /** Directory of the application's package.json, searched for plugin packages. */
  appDir?: string;
  /**
   * Build the filters and outputs only, not the inputs (they are still validated): for feeding
   * the pipeline with {@link Pipeline.inject} alone, as `hekate queue replay` does.
   */
  withoutInputs?: boolean;
}

/** Why a pipeline stopped. */
export interface PipelineExit {
  /** `stopped`: stop() was called; `finished`: its inputs ended; `failed`: a plugin failed for good. */
  reason: 'stopped' | 'finished' | 'failed';
  /** What failed, when `failed`. */
  error?: string;
}

/** A snapshot of a pipeline's counters. */
export interface PipelineStats {
  pipeline: Record<string, number>;
  plugins: Record<string, { kind: string; type: string; queued?: number; counters: Record<string, number> }>;
}

type Runner = InputRunnerImpl | FilterRunnerImpl | OutputRunnerImpl;

/**
 * A running Hekate pipeline: inputs, splitters, decoders, filters, encoders and outputs routed by
 * `message_matcher`. Build it from TOML, a file or directory, or plain objects; everything is
 * validated before {@link start} opens anything.
 *
 * @example
 * const pipeline = await Pipeline.fromToml(`
 *   [in]
 *   type = "StdinInput"
 *   decoder = "JsonDecoder"
 *   [errors]
 *   type = "FileOutput"
 *   message_matcher = "Fields[status] >= 500"
 *   path = "errors.jsonl"
 * `);
 * await pipeline.start();
 * const exit = await pipeline.done;
 */
export class Pipeline {
  readonly plan: PipelinePlan;
  readonly #logger: Logger;
  readonly #runtime: Runtime;
  readonly #inputs: InputRunnerImpl[] = [];
  readonly #filters: FilterRunnerImpl[] = [];
  readonly #outputs: OutputRunnerImpl[] = [];
  readonly #runs = new Map<Runner, Promise<unknown>>();
  /** Runners whose `run` has returned. */
  readonly #exited = new Set<Runner>();
  readonly #factory: PluginFactory;
  #state: 'new' | 'running' | 'stopping' | 'stopped' = 'new';
  #exit: PipelineExit | undefined;
  #resolveDone!: (exit: PipelineExit) => void;
  /** Resolves once the pipeline has stopped, with why. */
  readonly done: Promise<PipelineExit>;

  private constructor(plan: PipelinePlan, logger: Logger, withInputs: boolean) {
    this.plan = plan;
    this.#logger = logger;
    this.done = new Promise((resolve) => (this.#resolveDone = resolve));
    const budget = new MemoryBudget(plan.global.memory_limit);
    const hostname = plan.global.hostname ?? osHostname();
    this.#runtime = new Runtime(new Router(budget), budget, plan.global, hostname, logger, new Counters());
    this.#factory = new PluginFactory(plan, logger, hostname);
    for (const s of plan.sections) {
      if (s.kind === 'input' && withInputs) this.#inputs.push(this.#inputRunner(s as PlannedSection<'input'>));
      else if (s.kind === 'filter') this.#filters.push(this.#filterRunner(s as PlannedSection<'filter'>));
      else if (s.kind === 'output') this.#outputs.push(this.#outputRunner(s as PlannedSection<'output'>));
    }
    for (const runner of [...this.#filters, ...this.#outputs]) this.#runtime.router.add(runner);
  }

  /** Builds a pipeline from TOML text. */
  static async fromToml(text: string, options: PipelineOptions = {}): Promise<Pipeline> {
    return Pipeline.#build([parseToml(text)], options, options.configDir ?? process.cwd());
  }

  /** Builds a pipeline from a TOML file, or from every `*.toml` file of a directory in name order. */
  static async fromFile(configPath: string, options: PipelineOptions = {}): Promise<Pipeline> {
    const docs = await readConfigPath(configPath);
    const dir = docs.length === 1 && docs[0]!.file === configPath ? path.dirname(configPath) : configPath;
    return Pipeline.#build(docs, options, options.configDir ?? path.resolve(dir));
  }

  /**
   * Builds a pipeline from plain objects shaped like the TOML: `{ sectionName: { type, ...options } }`,
   * with an optional `hekate` global section.
   */
  static async fromObject(config: Record<string, Record<string, unknown>>, options: PipelineOptions = {}): Promise<Pipeline> {
    const doc: ConfigDocument = { file: undefined, text: '', table: config };
    return Pipeline.#build([doc], options, options.configDir ?? process.cwd());
  }

  static async #build(docs: ConfigDocument[], options: PipelineOptions, configDir: string): Promise<Pipeline> {
    const registry = options.registry ?? new PluginRegistry();
    for (const def of [...builtinPlugins, ...(options.plugins ?? [])]) if (registry.get(def.type) === undefined) registry.register(def);
    const plan = await planPipeline(docs, {
      registry,
      env: options.env ?? process.env,
      configDir,
      ...(options.appDir === undefined ? {} : { appDir: options.appDir }),
    });
    return new Pipeline(plan, options.logger ?? stderrLogger(), options.withoutInputs !== true);
  }

  /** Starts outputs, then filters, then inputs. */
  async start(): Promise<void> {
    if (this.#state !== 'new') throw new Error('A pipeline can be started once.');
    this.#state = 'running';
    for (const r of this.#outputs) this.#launch(r, r.run(), 'output');
    for (const r of this.#filters) this.#launch(r, r.run(), 'filter');
    for (const r of this.#inputs) this.#launch(r, r.run(), 'input');
    this.#logger.info('Pipeline started.', { inputs: this.#inputs.length, filters: this.#filters.length, outputs: this.#outputs.length });
  }

  /**
   * Stops inputs, then lets filters and outputs finish what is queued (up to `shutdown_timeout`),
   * then closes them. Checkpoints only ever cover what was acknowledged, so whatever could not
   * be written in time is read again on the next start.
   */
  async stop(exit: PipelineExit = { reason: 'stopped' }): Promise<PipelineExit> {
    if (this.#state === 'new') this.#finish(exit);
    if (this.#state !== 'running') return this.done;
    this.#state = 'stopping';
    this.#exit = exit;
    const cancel = new AbortController();
    const deadline = sleep(this.plan.global.shutdown_timeout, cancel.signal).then(() => !cancel.signal.aborted);
    /** Waits for `work`; true when the shutdown deadline came first. */
    const late = (work: Promise<unknown>) => Promise.race([work.then(() => false), deadline]);
    const runsOf = (runners: Runner[]) => Promise.all(runners.map((r) => this.#runs.get(r)));
    const consumers = [...this.#filters, ...this.#outputs];

    for (const r of this.#inputs) r.stop();
    let timedOut = await late(runsOf(this.#inputs));
    if (!timedOut) {
      // Filters and outputs drain together until all are idle at once, so a filter's injection
      // or an output's dead letter during the drain still reaches the plugin it is for.
      for (const r of this.#outputs) r.drain();
      timedOut = await late(this.#whenIdle(consumers, cancel.signal));
    }
    for (const r of consumers) r.finish();
    if (!timedOut) timedOut = await late(runsOf(consumers));
    if (timedOut) {
      this.#logger.warn('Shutdown timeout reached; giving up on what is still queued (it will be read again on restart).', {
        timeout_ms: this.plan.global.shutdown_timeout,
      });
      for (const r of consumers) r.abort();
    }
    await runsOf(consumers);
    cancel.abort();
    this.#finish(exit);
    return exit;
  }

  /** SIGHUP: asks every output to reopen its files (logrotate). */
  async reopen(): Promise<void> {
    await Promise.all(this.#outputs.map((r) => r.reopen()));
  }

  /**
   * Routes messages as if an input had delivered them. Resolves once every output that matched
   * them has acknowledged them.
   */
  inject(messages: Message | readonly Message[]): Promise<void> {
    const batch = messages instanceof Message ? [messages] : [...messages];
    return new Promise((resolve) => {
      const delivery = new Delivery(resolve);
      for (const m of batch) m[DELIVERY] = delivery;
      this.#runtime.router.route(batch);
      delivery.release();
    });
  }

  /**
   * Calls `listener` with every message `matcher` accepts, synchronously, until the returned
   * function is called. The listener must not keep the message beyond the call.
   */
  subscribe(matcher: string, listener: (message: Message) => void): () => void {
    const matches = compileMatcher(matcher);
    const subscriber: Subscriber = {
      name: 'subscription',
      matches,
      blocking: false,
      accept: (message) => {
        try {
          listener(message);
        } catch (error) {
          this.#logger.error('A subscription listener threw.', { error: errorMessage(error) });
        }
      },
    };
    this.#runtime.router.add(subscriber);
    return () => this.#runtime.router.remove(subscriber);
  }

  /** Counters of the pipeline and of every plugin. */
  stats(): PipelineStats {
    const plugins: PipelineStats['plugins'] = {};
    for (const s of this.plan.sections) {
      const runner = [...this.#filters, ...this.#outputs].find((r) => r.name === s.name);
      plugins[s.name] = {
        kind: s.kind,
        type: s.type,
        ...(runner === undefined ? {} : { queued: runner.queued }),
        counters: this.#factory.countersOf(s.name).snapshot(),
      };
    }
    return { pipeline: { ...this.#runtime.counters.snapshot(), memory_queued_bytes: this.#runtime.budget.used }, plugins };
  }

  /** Resolves once every runner is idle or has ended (polling; only used while stopping). */
  async #whenIdle(runners: (FilterRunnerImpl | OutputRunnerImpl)[], signal: AbortSignal): Promise<void> {
    while (!signal.aborted && !runners.every((r) => r.idle || this.#exited.has(r))) await sleep(5, signal);
  }

  #launch(runner: Runner, run: Promise<unknown>, kind: string): void {
    const tracked = run.finally(() => this.#exited.add(runner)).then(
      (outcome) => this.#ended(runner, kind, outcome as InputOutcome | undefined),
      (error: unknown) => this.#ended(runner, kind, 'failed', error),
    );
    this.#runs.set(runner, tracked);
  }

  #ended(runner: Runner, kind: string, outcome: InputOutcome | undefined, error?: unknown): void {
    if (this.#state !== 'running') return;
    const section = this.plan.sections.find((s) => s.name === runner.name)!;
    const canExit = (section.common as { can_exit?: boolean }).can_exit === true;
    if (error !== undefined) this.#logger.error(`The ${kind} failed.`, { plugin: runner.name, error: errorMessage(error) });
    if (kind === 'input' && outcome === 'finished') {
      if (canExit) this.#logger.info('Input finished; can_exit is set, so the pipeline goes on.', { plugin: runner.name });
      else void this.stop({ reason: 'finished' });
      return;
    }
    if (canExit) {
      this.#logger.warn(`The ${kind} exited; can_exit is set, so the pipeline goes on without it.`, { plugin: runner.name });
      return;
    }
    void this.stop({ reason: 'failed', error: `${kind} "${runner.name}" ${error === undefined ? 'stopped' : `failed: ${errorMessage(error)}`}` });
  }

  #finish(exit: PipelineExit): void {
    this.#state = 'stopped';
    this.#resolveDone(this.#exit ?? exit);
  }

  #inputRunner(s: PlannedSection<'input'>): InputRunnerImpl {
    const splitterSection = this.#factory.section(s.common.splitter) as PlannedSection<'splitter'>;
    const splitterCommon = splitterSection.common;
    return new InputRunnerImpl(
      {
        name: s.name,
        type: s.type,
        input: this.#factory.create(s),
        common: s.common,
        decoder: s.common.decoder === undefined ? undefined : this.#factory.decoder(s.common.decoder),
        makeSplitter: () => this.#factory.create(splitterSection),
        splitterLimits: {
          maxRecordSize: splitterCommon.max_record_size ?? this.plan.global.max_message_size,
          keepTruncated: splitterCommon.keep_truncated,
          useMessageBytes: splitterCommon.use_message_bytes,
          deliverIncompleteFinal: splitterCommon.deliver_incomplete_final,
        },
        logger: this.#factory.loggerOf(s),
        counters: this.#factory.countersOf(s.name),
      },
      this.#runtime,
    );
  }

  #queue(s: PlannedSection<'filter' | 'output'>): MessageQueue {
    const counters = this.#factory.countersOf(s.name);
    return new MessageQueue({
      maxMessages: s.common.queue_max_messages,
      maxBytes: s.common.queue_max_bytes,
      fullAction: s.common.queue_full_action,
      budget: this.#runtime.budget,
      onDrop: () => counters.add('messages_dropped'),
    });
  }

  #filterRunner(s: PlannedSection<'filter'>): FilterRunnerImpl {
    return new FilterRunnerImpl(
      {
        name: s.name,
        type: s.type,
        filter: this.#factory.create(s),
        common: s.common,
        matcher: this.plan.matchers.get(s.name)!,
        queue: this.#queue(s),
        logger: this.#factory.loggerOf(s),
        counters: this.#factory.countersOf(s.name),
      },
      this.#runtime,
    );
  }

  #outputRunner(s: PlannedSection<'output'>): OutputRunnerImpl {
    const queue = this.#queue(s);
    const logger = this.#factory.loggerOf(s);
    const counters = this.#factory.countersOf(s.name);
    const stateDir =
      s.common.buffering.dir === undefined
        ? path.join(this.plan.baseDir, 'output_queue', s.name.replace(/[^A-Za-z0-9_.-]/g, '_'))
        : path.resolve(this.plan.configDir, s.common.buffering.dir);
    return new OutputRunnerImpl(
      {
        name: s.name,
        type: s.type,
        output: this.#factory.create(s),
        common: s.common,
        matcher: this.plan.matchers.get(s.name)!,
        encoder: s.common.encoder === undefined ? undefined : this.#factory.create(this.#factory.section(s.common.encoder) as PlannedSection<'encoder'>),
        frame: s.common.use_framing ? frameHekaRecord : undefined,
        queue,
        source: s.common.use_buffering ? createBatchSource(queue, s.common.buffering, stateDir, logger, counters) : new MemorySource(queue),
        logger,
        counters,
      },
      this.#runtime,
    );
  }
}
