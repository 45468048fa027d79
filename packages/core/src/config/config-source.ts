import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { parse, TomlError } from 'smol-toml';
import { ConfigError } from '../errors.js';

/** One parsed TOML document and where it came from. */
export interface ConfigDocument {
  /** The file path, or undefined for text given directly. */
  readonly file: string | undefined;
  readonly text: string;
  readonly table: Record<string, unknown>;
}

/** Parses TOML text; a syntax error becomes a ConfigError with file, line, column and excerpt. */
export function parseToml(text: string, file?: string): ConfigDocument {
  try {
    return { file, text, table: parse(text) as Record<string, unknown> };
  } catch (error) {
    if (error instanceof TomlError) {
      const [first = 'invalid TOML', ...excerpt] = error.message.split('\n');
      throw new ConfigError(`${first.replace(/^Invalid TOML document: /, 'invalid TOML: ')}\n${excerpt.join('\n').trimEnd()}`, {
        file,
        line: error.line,
        column: error.column,
      });
    }
    throw error;
  }
}

/**
 * Reads a config file, or every `*.toml` in a directory in file-name order (Heka's rule).
 * @throws ConfigError when the path is missing, a directory holds no TOML, or a file does not parse.
 */
export async function readConfigPath(configPath: string): Promise<ConfigDocument[]> {
  let files: string[];
  try {
    if ((await stat(configPath)).isDirectory()) {
      files = (await readdir(configPath))
        .filter((f) => f.endsWith('.toml'))
        .sort()
        .map((f) => path.join(configPath, f));
      if (files.length === 0) throw new ConfigError('the config directory holds no *.toml file', { file: configPath });
    } else {
      files = [configPath];
    }
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(`cannot read the config: ${(error as Error).message}`, { file: configPath }, { cause: error });
  }
  const docs: ConfigDocument[] = [];
  for (const file of files) docs.push(parseToml(await readFile(file, 'utf8'), file));
  return docs;
}
