import { compileMatcher, errorMessage, hasCode, parseByteSize, type MatcherPredicate } from '@hekate/core';
import { UsageError, type CommandContext } from './command.js';

/** A byte-size flag (`-offset 1024`, `-max-message-size 4MiB`), or a usage error. */
export function sizeFlag(ctx: CommandContext, name: string, fallback: string): number {
  const value = ctx.flags[name];
  const bytes = parseByteSize(typeof value === 'string' ? value : fallback);
  if (bytes === undefined) {
    throw new UsageError(`-${name} expects a byte count such as 1024 or "4MiB", got "${String(value)}"`);
  }
  return bytes;
}

/** The compiled `-match` expression (default `fallback`), or a usage error explaining it. */
export function matcherFlag(ctx: CommandContext, fallback = 'TRUE'): MatcherPredicate {
  const expression = typeof ctx.flags.match === 'string' ? ctx.flags.match : fallback;
  try {
    return compileMatcher(expression);
  } catch (error) {
    if (hasCode(error, 'HEKATE_ERR_MATCHER_SYNTAX')) throw new UsageError(`-match: ${errorMessage(error)}`);
    throw error;
  }
}
