/**
 * Syslog severity names and their numbers (RFC 5424), with the aliases common logging libraries
 * use (`warn`, `error`, `fatal`, `trace`).
 */
const SEVERITY_NAMES: ReadonlyMap<string, number> = new Map([
  ['emerg', 0], ['emergency', 0], ['panic', 0],
  ['alert', 1],
  ['crit', 2], ['critical', 2], ['fatal', 2],
  ['err', 3], ['error', 3],
  ['warning', 4], ['warn', 4],
  ['notice', 5],
  ['info', 6], ['informational', 6], ['information', 6],
  ['debug', 7], ['trace', 7],
]);

const INTEGER = /^\s*\d+\s*$/;

/**
 * Reads a severity 0–7 from a decoded value: an integer, a numeric string, a key of `map` (Heka's
 * `severity_map`, checked first and exactly), or a syslog name such as `err` or `WARNING`.
 * Returns undefined for anything else, including numbers outside 0–7.
 */
export function parseSeverity(value: unknown, map?: ReadonlyMap<string, number>): number | undefined {
  let n: number | undefined;
  if (typeof value === 'number') n = value;
  else if (typeof value === 'string') {
    const named = () => SEVERITY_NAMES.get(value.trim().toLowerCase());
    n = map?.get(value) ?? (INTEGER.test(value) ? Number(value) : named());
  }
  return n !== undefined && Number.isInteger(n) && n >= 0 && n <= 7 ? n : undefined;
}
