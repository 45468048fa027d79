import { ConfigError } from '../errors.js';

const ENV_REF = /%ENV\[([^\]]*)\]/g;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Replaces `%ENV[NAME]` and `%ENV[NAME:-default]` in every string value of a parsed config
 * (Heka's syntax plus a default form). Substituting into parsed strings rather than raw text
 * means an environment value can never inject TOML. An unset variable without a default, a
 * malformed reference, or a value containing a newline is a ConfigError.
 */
export function interpolateEnv(
  value: unknown,
  env: Readonly<Record<string, string | undefined>>,
  where: (path: string) => ConstructorParameters<typeof ConfigError>[1],
  path = '',
): unknown {
  if (typeof value === 'string') return interpolateString(value, env, () => where(path));
  if (Array.isArray(value)) return value.map((v, i) => interpolateEnv(v, env, where, `${path}[${i}]`));
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
    const out: Record<string, unknown> = Object.create(null);
    for (const [k, v] of Object.entries(value)) out[k] = interpolateEnv(v, env, where, path === '' ? k : `${path}.${k}`);
    return out;
  }
  return value;
}

function interpolateString(
  text: string,
  env: Readonly<Record<string, string | undefined>>,
  where: () => ConstructorParameters<typeof ConfigError>[1],
): string {
  if (!text.includes('%ENV[')) return text;
  if (/%ENV\[[^\]]*$/.test(text)) throw new ConfigError('%ENV[ is missing its closing "]"', where());
  return text.replace(ENV_REF, (_all, inner: string) => {
    const sep = inner.indexOf(':-');
    const name = sep === -1 ? inner : inner.slice(0, sep);
    if (!NAME.test(name)) throw new ConfigError(`"%ENV[${inner}]" does not name an environment variable`, where());
    const value = env[name] ?? (sep === -1 ? undefined : inner.slice(sep + 2));
    if (value === undefined) {
      throw new ConfigError(`environment variable ${name} is not set (write %ENV[${name}:-default] to give a default)`, where());
    }
    if (/[\r\n]/.test(value)) throw new ConfigError(`environment variable ${name} contains a newline`, where());
    return value;
  });
}
