import path from 'node:path';
import { COMMON_SCHEMAS, globalSchema, type GlobalOptions } from '../config/common-options.js';
import type { ConfigDocument } from '../config/config-source.js';
import { interpolateEnv } from '../config/env.js';
import { locate } from '../config/locate.js';
import { optionIssues, schemaKeys } from '../config/option-issues.js';
import { ConfigError, errorMessage, hasCode, type ConfigLocation } from '../errors.js';
import { compileMatcher, type MatcherPredicate } from '../matcher/index.js';
import type { Message } from '../message/message.js';
import { kindOfType } from '../plugins/define.js';
import type { PluginDefinition, PluginKind } from '../plugins/types.js';
import { discoverPlugins, loadPluginModule } from '../registry/plugin-loader.js';
import type { PluginRegistry } from '../registry/plugin-registry.js';
import { mergeDocuments, type RawSection } from './raw-config.js';
import type { PlannedSection } from './section.js';

/** A validated pipeline: global options and every section, nothing started. */
export interface PipelinePlan {
  readonly global: GlobalOptions;
  readonly sections: readonly PlannedSection[];
  /** Compiled matchers of filters and outputs, by section name. */
  readonly matchers: ReadonlyMap<string, (message: Message) => boolean>;
  readonly configDir: string;
  readonly baseDir: string;
}

/** What planning needs besides the documents. */
export interface PlanOptions {
  registry: PluginRegistry;
  env: Readonly<Record<string, string | undefined>>;
  /** Directory that relative paths and `[hekate] plugins` resolve from. */
  configDir: string;
  /** Directory of the application's package.json, whose direct dependencies are searched for plugins. */
  appDir?: string;
}

const REFERENCES: readonly { from: PluginKind; key: 'decoder' | 'splitter' | 'encoder'; to: PluginKind }[] = [
  { from: 'input', key: 'decoder', to: 'decoder' },
  { from: 'input', key: 'splitter', to: 'splitter' },
  { from: 'output', key: 'encoder', to: 'encoder' },
];

function where(section: RawSection, key?: string): ConfigLocation {
  return locate(section.document.text, section.document.file, section.name, key);
}

/**
 * Validates a whole configuration before anything starts: TOML, environment references, global
 * options, plugin loading, every section's type and options (with did-you-mean for unknown keys),
 * matchers, and references between sections. All problems are reported together in one
 * ConfigError; nothing is opened or created.
 */
export async function planPipeline(documents: readonly ConfigDocument[], options: PlanOptions): Promise<PipelinePlan> {
  const raw = mergeDocuments(documents);
  const problems: ConfigError[] = [];
  const globalDoc = raw.globalDocument;
  const globalWhere = (key?: string): ConfigLocation =>
    globalDoc === undefined ? { section: 'hekate', key } : locate(globalDoc.text, globalDoc.file, 'hekate', key);
  const globalValues = interpolateEnv(raw.global, options.env, (key) => globalWhere(key || undefined));
  const parsedGlobal = globalSchema.safeParse(globalValues);
  if (!parsedGlobal.success) {
    throw new ConfigError('invalid [hekate] section', globalWhere(), {
      problems: optionIssues(parsedGlobal.error.issues, schemaKeys(globalSchema), globalWhere),
    });
  }
  const global = parsedGlobal.data;
  for (const spec of global.plugins) {
    try {
      options.registry.register(...(await loadPluginModule(spec, options.configDir)));
    } catch (error) {
      problems.push(new ConfigError(errorMessage(error), globalWhere('plugins'), { cause: error }));
    }
  }
  if (options.appDir !== undefined) await discoverPlugins(options.appDir, options.registry);

  const sections: PlannedSection[] = [];
  for (const section of raw.sections) {
    try {
      const planned = await planSection(section, options);
      if (planned !== undefined) sections.push(planned);
    } catch (error) {
      if (error instanceof ConfigError) problems.push(error, ...error.problems);
      else problems.push(new ConfigError(errorMessage(error), where(section), { cause: error }));
      // Report a bad matcher of this section too, so one run shows every problem.
      const expression = section.values.message_matcher;
      if (typeof expression === 'string') {
        const compiled = compileOrExplain(expression, where(section, 'message_matcher'));
        if (compiled instanceof ConfigError) problems.push(compiled);
      }
    }
  }
  await addImplicitSections(sections, options.registry);
  const matchers = new Map<string, (message: Message) => boolean>();
  for (const s of sections) checkSection(s, sections, matchers, problems);

  if (problems.length > 0) {
    problems.sort(
      (a, b) => (a.location.file ?? '').localeCompare(b.location.file ?? '') || (a.location.line ?? 0) - (b.location.line ?? 0),
    );
    const first = problems[0]!;
    throw new ConfigError(
      problems.length === 1 ? first.reason : `${problems.length} problems in the configuration; the first: ${first.reason}`,
      first.location,
      { problems },
    );
  }
  return {
    global,
    sections,
    matchers,
    configDir: options.configDir,
    baseDir: path.resolve(options.configDir, global.base_dir),
  };
}

async function planSection(section: RawSection, options: PlanOptions): Promise<PlannedSection | undefined> {
  const values = interpolateEnv(section.values, options.env, (key) => where(section, key || undefined)) as Record<string, unknown>;
  const type = values.type ?? section.name;
  if (typeof type !== 'string') throw new ConfigError('"type" must be a string', where(section, 'type'));
  if (kindOfType(type) === undefined) {
    throw new ConfigError(
      `cannot tell the plugin kind of type "${type}": a type ends with Input, Splitter, Decoder, Filter, Encoder or Output`,
      where(section, values.type === undefined ? undefined : 'type'),
    );
  }
  let definition: PluginDefinition | undefined;
  try {
    definition = await options.registry.load(type);
  } catch (error) {
    throw new ConfigError(errorMessage(error), where(section, 'type'), { cause: error });
  }
  if (definition === undefined) {
    try {
      options.registry.require(type);
    } catch (error) {
      throw new ConfigError(errorMessage(error), where(section, values.type === undefined ? undefined : 'type'), { cause: error });
    }
  }
  return validateSection(section.name, definition!, values, (key) => where(section, key), false);
}

/** Splits a section into common and plugin options and validates both. */
function validateSection(
  name: string,
  definition: PluginDefinition,
  values: Record<string, unknown>,
  at: (key?: string) => ConfigLocation,
  implicit: boolean,
): PlannedSection {
  const commonSchema = COMMON_SCHEMAS[definition.kind];
  const commonKeys = new Set(schemaKeys(commonSchema));
  const given: Record<string, unknown> = {};
  const own: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(values)) {
    if (key === 'type') continue;
    if (commonKeys.has(key)) given[key] = value;
    else own[key] = value;
  }
  const known = [...commonKeys, ...schemaKeys(definition.options)];
  const parsedOwn = definition.options.safeParse(own);
  const defaults =
    typeof definition.commonDefaults === 'function'
      ? parsedOwn.success
        ? definition.commonDefaults(parsedOwn.data)
        : {}
      : definition.commonDefaults;
  const parsedCommon = commonSchema.safeParse(mergeDefaults(defaults ?? {}, given));
  const problems = [
    ...(parsedCommon.success ? [] : optionIssues(parsedCommon.error.issues, known, at)),
    ...(parsedOwn.success ? [] : optionIssues(parsedOwn.error.issues, known, at)),
  ];
  if (problems.length > 0) throw new ConfigError(problems[0]!.reason, problems[0]!.location, { problems: problems.slice(1) });
  return {
    name,
    type: definition.type,
    kind: definition.kind,
    definition,
    common: parsedCommon.data as never,
    options: parsedOwn.data,
    location: at(),
    implicit,
  };
}

/** Section values over plugin defaults; sub-tables (`[x.buffering]`) merge key by key. */
function mergeDefaults(defaults: Readonly<Record<string, unknown>>, given: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...defaults };
  for (const [key, value] of Object.entries(given)) {
    const base = out[key];
    const isTable = (v: unknown) => v !== null && typeof v === 'object' && !Array.isArray(v);
    out[key] = isTable(base) && isTable(value) ? { ...(base as object), ...(value as object) } : value;
  }
  return out;
}

/**
 * Heka registered default instances of some plugins; Hekate generalises it: a decoder, splitter
 * or encoder named by its type (e.g. `decoder = "JsonDecoder"`) without a section of that name is
 * made with default options when its options allow that.
 */
async function addImplicitSections(sections: PlannedSection[], registry: PluginRegistry): Promise<void> {
  const names = new Set(sections.map((s) => s.name));
  for (const s of sections) {
    for (const ref of REFERENCES) {
      const target = s.kind === ref.from ? (s.common as Record<string, unknown>)[ref.key] : undefined;
      if (typeof target !== 'string' || names.has(target)) continue;
      const definition = await registry.load(target).catch(() => undefined);
      if (definition?.kind !== ref.to || !definition.options.safeParse({}).success) continue;
      sections.push(validateSection(target, definition, {}, (key) => ({ section: target, key }), true));
      names.add(target);
    }
  }
}

function checkSection(
  s: PlannedSection,
  sections: readonly PlannedSection[],
  matchers: Map<string, (message: Message) => boolean>,
  problems: ConfigError[],
): void {
  const at = (key?: string): ConfigLocation => ({ ...s.location, key });
  const common = s.common as Record<string, unknown>;
  for (const ref of REFERENCES) {
    const target = s.kind === ref.from ? common[ref.key] : undefined;
    if (typeof target !== 'string') continue;
    const found = sections.find((x) => x.name === target);
    if (found === undefined) problems.push(new ConfigError(`${ref.key} "${target}" is not a section of this configuration`, at(ref.key)));
    else if (found.kind !== ref.to) problems.push(new ConfigError(`${ref.key} "${target}" is a ${found.kind}, not a ${ref.to}`, at(ref.key)));
  }
  if (s.kind !== 'filter' && s.kind !== 'output') return;
  const expression = common.message_matcher;
  if (typeof expression !== 'string' || expression.trim() === '') {
    problems.push(new ConfigError('message_matcher is required for filters and outputs (use "TRUE" to match everything)', at('message_matcher')));
    return;
  }
  const compiled = compileOrExplain(expression, at('message_matcher'));
  if (compiled instanceof ConfigError) problems.push(compiled);
  else matchers.set(s.name, compiled);
}

/** The compiled matcher, or the ConfigError saying where and why it does not compile. */
function compileOrExplain(expression: string, at: ConfigLocation): MatcherPredicate | ConfigError {
  try {
    return compileMatcher(expression);
  } catch (error) {
    if (!hasCode(error, 'HEKATE_ERR_MATCHER_SYNTAX')) throw error;
    return new ConfigError(`invalid message_matcher: ${errorMessage(error)}`, at, { cause: error });
  }
}
