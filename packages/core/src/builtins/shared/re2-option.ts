import { RE2JS } from 're2js';
import { z } from 'zod';
import { errorMessage } from '../../errors.js';

/**
 * A zod schema for an option holding an RE2 pattern (Go `regexp` syntax, including `(?P<name>…)`
 * groups). The pattern is checked at configuration time; `check` may reject a valid pattern with
 * a reason (e.g. too many capture groups). Patterns run only on RE2 (linear time), never on
 * JavaScript's backtracking `RegExp`.
 */
export function re2Pattern(check?: (re: RE2JS) => string | undefined) {
  return z.string().superRefine((pattern, ctx) => {
    let problem: string | undefined;
    try {
      problem = check?.(RE2JS.compile(pattern));
    } catch (error) {
      problem = `invalid RE2 regular expression: ${errorMessage(error)}`;
    }
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
  });
}
