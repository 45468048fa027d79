import type { LogFields, Logger } from '@hekate/core';
import winston from 'winston';

/** Log levels the CLI accepts for `-log-level`. */
export const LOG_LEVELS = ['error', 'warn', 'info', 'debug'] as const;

function wrap(w: winston.Logger): Logger {
  return {
    error: (message: string, fields?: LogFields) => w.error(message, fields),
    warn: (message: string, fields?: LogFields) => w.warn(message, fields),
    info: (message: string, fields?: LogFields) => w.info(message, fields),
    debug: (message: string, fields?: LogFields) => w.debug(message, fields),
    child: (bindings: LogFields) => wrap(w.child(bindings)),
  };
}

/** The CLI's logger: JSON lines on stderr through winston. */
export function createCliLogger(level: (typeof LOG_LEVELS)[number]): Logger {
  const replacer = (_key: string, value: unknown) => (typeof value === 'bigint' ? value.toString() : value);
  return wrap(
    winston.createLogger({
      level,
      format: winston.format.combine(winston.format.timestamp(), winston.format.json({ replacer })),
      transports: [new winston.transports.Console({ stderrLevels: [...LOG_LEVELS] })],
    }),
  );
}
