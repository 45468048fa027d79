import type { z } from 'zod';
import { ConfigError, type ConfigLocation } from '../errors.js';
import { didYouMean } from './did-you-mean.js';

/**
 * Turns zod's complaints about one section into ConfigErrors naming the key, with a did-you-mean
 * for unknown keys. `knownKeys` are every key the section could have (common and the plugin's).
 */
export function optionIssues(
  issues: readonly z.core.$ZodIssue[],
  knownKeys: readonly string[],
  where: (key: string | undefined) => ConfigLocation,
): ConfigError[] {
  const problems: ConfigError[] = [];
  for (const issue of issues) {
    const prefix = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const full = prefix === '' ? key : `${prefix}.${key}`;
        problems.push(new ConfigError(`unknown option "${full}"${didYouMean(key, knownKeys)}`, where(full)));
      }
    } else {
      const key = prefix === '' ? undefined : prefix;
      problems.push(new ConfigError(issue.message.replace(/^Invalid input: /, ''), where(key)));
    }
  }
  return problems;
}

/** The top-level keys a zod object schema knows, or none for other schemas. */
export function schemaKeys(schema: z.ZodType): string[] {
  const shape = (schema as { shape?: Record<string, unknown> }).shape;
  return shape === undefined ? [] : Object.keys(shape);
}
