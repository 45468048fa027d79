import { hasCode, type ConfigError } from '@hekate/core';

/** Renders a config error and every problem it carries, one per paragraph, for a terminal. */
export function formatConfigError(error: ConfigError): string {
  const problems = error.problems.length > 0 ? error.problems : [error];
  const lines = [`hekate: the configuration is invalid (${problems.length} problem${problems.length === 1 ? '' : 's'}):`];
  for (const p of problems) lines.push('', ...p.message.split('\n').map((l, i) => (i === 0 ? `  ✖ ${l}` : `    ${l}`)));
  return lines.join('\n') + '\n';
}

/** True for errors that mean "the configuration is wrong" (exit 78). */
export function isConfigError(error: unknown): error is ConfigError {
  return hasCode(error, 'HEKATE_ERR_CONFIG');
}
