import { parseArgs, type ParseArgsConfig } from 'node:util';

/**
 * Parses a command's flags with node's parseArgs, accepting Heka's single-dash long flags
 * (`-config=x.toml`, `-config x.toml`) as well as `--config`.
 */
export function parseFlags(
  argv: readonly string[],
  options: NonNullable<ParseArgsConfig['options']>,
): { values: Record<string, string | boolean | undefined>; positionals: string[] } {
  const longNames = new Set(Object.keys(options));
  const normalised = argv.map((arg) => {
    const m = /^-([a-z][a-z-]+)(=.*)?$/.exec(arg);
    return m !== null && longNames.has(m[1]!) ? `-${arg}` : arg;
  });
  const { values, positionals } = parseArgs({ args: normalised, options, allowPositionals: true, strict: true });
  return { values: values as Record<string, string | boolean | undefined>, positionals };
}
