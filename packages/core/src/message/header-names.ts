/** Heka's message headers by the names matchers and configs use, in the order Heka documents them. */
export const HEADER_NAMES = ['Uuid', 'Timestamp', 'Type', 'Logger', 'Severity', 'Payload', 'EnvVersion', 'Pid', 'Hostname'] as const;

/** One of {@link HEADER_NAMES}. */
export type HeaderName = (typeof HEADER_NAMES)[number];

/** True when `name` is a header name (case-sensitive, as in Heka). */
export function isHeaderName(name: string): name is HeaderName {
  return (HEADER_NAMES as readonly string[]).includes(name);
}
