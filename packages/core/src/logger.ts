/** Structured fields attached to a log line. */
export type LogFields = Record<string, unknown>;

/**
 * The logging interface core and plugins write to. Embedders supply their own (a winston or pino
 * instance fits behind a two-line wrapper); the default writes warnings and errors to stderr.
 * Messages are capitalised sentences ending with a period; details go in `fields`.
 */
export interface Logger {
  error(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  debug(message: string, fields?: LogFields): void;
  /** A logger that adds `bindings` to every line. */
  child(bindings: LogFields): Logger;
}

function render(level: string, message: string, fields: LogFields): string {
  return JSON.stringify({ level, message, ...fields }, (_k, v: unknown) =>
    typeof v === 'bigint' ? v.toString() : v instanceof Error ? v.message : v,
  );
}

/** A logger that writes warnings and errors as JSON lines to stderr and drops the rest. */
export function stderrLogger(bindings: LogFields = {}): Logger {
  const write = (level: string) => (message: string, fields?: LogFields) => {
    process.stderr.write(render(level, message, { ...bindings, ...fields }) + '\n');
  };
  return {
    error: write('error'),
    warn: write('warn'),
    info: () => {},
    debug: () => {},
    child: (more) => stderrLogger({ ...bindings, ...more }),
  };
}

/** A logger that discards everything. */
export const silentLogger: Logger = {
  error: () => {},
  warn: () => {},
  info: () => {},
  debug: () => {},
  child: () => silentLogger,
};
