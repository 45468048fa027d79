/** Where in a configuration something is: any of file, line, column, section and key. */
export interface ConfigLocation {
  file?: string;
  line?: number;
  column?: number;
  section?: string;
  key?: string;
}

/**
 * The base of every Hekate error. Classify errors by `code`, never by `instanceof`: a second copy
 * of core in node_modules breaks `instanceof`, codes survive.
 */
export class HekateError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** A configuration is invalid; `location` says where. The CLI exits 78 on it. */
export class ConfigError extends HekateError {
  /** What is wrong, without the location prefix that `message` carries. */
  readonly reason: string;
  readonly location: ConfigLocation;
  /** Further problems found in the same configuration, reported together. */
  readonly problems: readonly ConfigError[];

  constructor(message: string, location: ConfigLocation = {}, options?: { cause?: unknown; problems?: ConfigError[] }) {
    super('HEKATE_ERR_CONFIG', withLocation(message, location), options);
    this.reason = message;
    this.location = location;
    this.problems = options?.problems ?? [];
  }
}

/** Renders a location as `file:line:column [section] key: message`. */
export function withLocation(message: string, at: ConfigLocation): string {
  const parts: string[] = [];
  if (at.file !== undefined) {
    parts.push(at.file + (at.line !== undefined ? `:${at.line}` + (at.column !== undefined ? `:${at.column}` : '') : ''));
  }
  if (at.section !== undefined) parts.push(`[${at.section}]`);
  if (at.key !== undefined) parts.push(at.key);
  return parts.length === 0 ? message : `${parts.join(' ')}: ${message}`;
}

/** A plugin type is not registered; the message names the package that provides it, if known. */
export class UnknownPluginTypeError extends HekateError {
  constructor(message: string) {
    super('HEKATE_ERR_UNKNOWN_TYPE', message);
  }
}

/** A plugin package or file could not be loaded. */
export class PluginLoadError extends HekateError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('HEKATE_ERR_PLUGIN_LOAD', message, options);
  }
}

/** A record could not be decoded. Counted, and delivered with failure fields when configured. */
export class DecodeError extends HekateError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('HEKATE_ERR_DECODE', message, options);
  }
}

/** A message could not be encoded; the message goes to the dead-letter route. */
export class EncodeError extends HekateError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('HEKATE_ERR_ENCODE', message, options);
  }
}

/** A failure worth retrying with backoff (Heka's RetryMessageError). */
export class RetryableError extends HekateError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('HEKATE_ERR_RETRYABLE', message, options);
  }
}

/**
 * A failure that retrying cannot fix: the messages go to the dead-letter route with this reason
 * instead of being retried.
 */
export class PermanentError extends HekateError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('HEKATE_ERR_PERMANENT', message, options);
  }
}

/** The plugin cannot go on (Heka's PluginExitError); its `can_exit` policy applies. */
export class FatalPluginError extends HekateError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('HEKATE_ERR_PLUGIN_FATAL', message, options);
  }
}

/** True when an error carries the given code. */
export function hasCode(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === code;
}

/** The message of anything thrown. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
