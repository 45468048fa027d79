import type { z } from 'zod';
import type { PluginContext, PluginDefinition, PluginInstances, PluginKind } from './types.js';

const SUFFIXES: readonly [string, PluginKind][] = [
  ['Input', 'input'],
  ['Splitter', 'splitter'],
  ['Decoder', 'decoder'],
  ['Filter', 'filter'],
  ['Encoder', 'encoder'],
  ['Output', 'output'],
];

/** The kind named by a type's suffix (`KafkaInput` → input), or undefined. */
export function kindOfType(type: string): PluginKind | undefined {
  for (const [suffix, kind] of SUFFIXES) {
    if (type.endsWith(suffix) && type.length > suffix.length) return kind;
  }
  return undefined;
}

/** The fields of a definition as a plugin author writes them. */
export interface PluginSpec<K extends PluginKind, S extends z.ZodType> {
  type: string;
  summary: string;
  options: S;
  commonDefaults?: Readonly<Record<string, unknown>> | ((options: z.output<S>) => Readonly<Record<string, unknown>>);
  create(options: z.output<S>, context: PluginContext): PluginInstances[K];
}

function define<K extends PluginKind>(kind: K) {
  return <S extends z.ZodType>(spec: PluginSpec<K, S>): PluginDefinition<K, z.output<S>> => {
    if (kindOfType(spec.type) !== kind) {
      throw new TypeError(`Plugin type "${spec.type}" must end with "${SUFFIXES.find(([, k]) => k === kind)![0]}".`);
    }
    return Object.freeze({ kind, ...spec }) as unknown as PluginDefinition<K, z.output<S>>;
  };
}

/**
 * Declares an input type.
 * @example
 * export const TickInput = defineInput({
 *   type: 'TickInput', summary: 'Emits a message every second.',
 *   options: z.object({}).strict(),
 *   create: () => ({ async run(runner) { ... } }),
 * });
 */
export const defineInput = define('input');
/** Declares a splitter type. */
export const defineSplitter = define('splitter');
/** Declares a decoder type. */
export const defineDecoder = define('decoder');
/** Declares a filter type. */
export const defineFilter = define('filter');
/** Declares an encoder type. */
export const defineEncoder = define('encoder');
/** Declares an output type. */
export const defineOutput = define('output');
