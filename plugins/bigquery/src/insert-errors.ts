import { errorMessage } from '@hekate/core';

/** What to do with the rows of a failed request, or with one row BigQuery listed. */
export interface Verdict {
  /** `retry`: write again later with the same insertIds; `reject`: dead-letter. */
  action: 'retry' | 'reject';
  reason: string;
  /** The table or dataset does not exist (the output may create the table again). */
  notFound?: boolean;
}

/** One of insertAll's `insertErrors[].errors[]`. */
export interface RowError {
  reason?: string;
  message?: string;
  location?: string;
}

interface ApiErrorLike {
  /** The HTTP status of a BigQuery API error. */
  code?: unknown;
  /** The HTTP status of a google-auth-library (gaxios) error, e.g. from the token endpoint. */
  status?: unknown;
  errors?: { reason?: string; message?: string }[];
}

const CREDENTIALS_ADVICE =
  'Check key_file, or pem_file_path with service_email, or the application default credentials.';

const RATE_LIMITS = new Set(['rateLimitExceeded', 'userRateLimitExceeded']);

/**
 * Classifies a whole-request failure of insertAll (or of a table lookup or creation).
 *
 * - 400 and 413: the request itself is invalid; its rows are dead-lettered with the reason.
 * - 401, 403 other than rate limits, and failures to get an access token: credentials or
 *   permissions; retried with backoff (the data stays queued) with a reason that says what to
 *   check.
 * - 404: the table or dataset is missing; retried (the table is created again when
 *   `create_table` is on).
 * - 403 rateLimitExceeded and quotaExceeded, 408, 429, 5xx (backendError, internalError), and
 *   errors without an HTTP status (timeouts, connection resets): retried.
 */
export function classifyRequestError(error: unknown): Verdict {
  const { code, status, errors }: ApiErrorLike = typeof error === 'object' && error !== null ? error : {};
  const message = errorMessage(error).trim();
  const reason = errors?.find((e) => typeof e.reason === 'string')?.reason;
  if (typeof code !== 'number' && typeof status === 'number') {
    const reason = `getting an access token failed (${status}): ${message}. ${CREDENTIALS_ADVICE}`;
    return { action: 'retry', reason };
  }
  if (typeof code !== 'number') return { action: 'retry', reason: `request failed: ${message}` };
  const what = `${code}${reason === undefined ? '' : ` ${reason}`}`;
  if (code === 400 || code === 413) {
    return { action: 'reject', reason: `BigQuery refused the request (${what}): ${message}` };
  }
  if (code === 401) {
    return {
      action: 'retry',
      reason: `BigQuery refused the credentials (${what}): ${message}. ${CREDENTIALS_ADVICE}`,
    };
  }
  if (code === 403 && reason !== undefined && RATE_LIMITS.has(reason)) {
    return { action: 'retry', reason: `rate limited (${what}): ${message}` };
  }
  if (code === 403 && reason === 'quotaExceeded') {
    return {
      action: 'retry',
      reason:
        `quota exceeded (${what}): ${message}. ` +
        'BigQuery advises waiting 10 minutes or more ([x.retries] max_delay).',
    };
  }
  if (code === 403) {
    return {
      action: 'retry',
      reason:
        `permission denied (${what}): ${message}. The account needs bigquery.tables.updateData ` +
        '(and bigquery.tables.create with create_table), e.g. roles/bigquery.dataEditor.',
    };
  }
  if (code === 404) {
    return { action: 'retry', reason: `not found (${what}): ${message}`, notFound: true };
  }
  return { action: 'retry', reason: `BigQuery error (${what}): ${message}` };
}

/**
 * The verdict for one row listed in insertErrors: `invalid` rows are dead-lettered with
 * BigQuery's message; the rest (`stopped` because another row was invalid, `timeout`,
 * `backendError` …) are written again with the same insertId.
 */
export function classifyRowErrors(errors: readonly RowError[]): Verdict {
  const invalid = errors.find((e) => e.reason === 'invalid');
  if (invalid !== undefined) {
    const where = invalid.location ? ` (${invalid.location})` : '';
    const reason = `BigQuery refused the row: ${invalid.message ?? 'invalid'}${where}`;
    return { action: 'reject', reason };
  }
  return { action: 'retry', reason: errors.map((e) => e.reason ?? 'unknown').join(', ') };
}
