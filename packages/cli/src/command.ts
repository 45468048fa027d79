import type { Logger } from '@hekate/core';

/** What a command gets: its parsed flags and positionals, a logger, and stdout. */
export interface CommandContext {
  readonly flags: Readonly<Record<string, string | boolean | undefined>>;
  readonly positionals: readonly string[];
  readonly logger: Logger;
  /** Writes to standard output. */
  out(text: string): void;
  /** The `-config` path, or a usage error when it is missing. */
  configPath(): string;
}

/** A usage mistake on the command line (exit 64). */
export class UsageError extends Error {}
