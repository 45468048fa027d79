import path from 'node:path';
import { HEADER_NAMES, byteSize, duration, isHeaderName } from '@hekate/core';
import { z } from 'zod';

/** BigQuery's limit on one insertAll request body (the error names 10485760 bytes). */
const REQUEST_LIMIT_BYTES = 10 * 1024 * 1024;

/** BigQuery's hard limit on rows per insertAll request. */
const REQUEST_LIMIT_ROWS = 50_000;

const identifier = (what: string) =>
  z.string().regex(/^[A-Za-z0-9_-]+$/, `expected a ${what} (letters, digits, _ and -)`);

/** A time zone name Intl knows, or `Local` (the host's zone, as Heka used). */
const timeZone = z.string().refine(
  (zone) => {
    if (zone === 'Local') return true;
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: zone });
      return true;
    } catch {
      return false;
    }
  },
  { message: 'expected an IANA time zone such as "UTC" or "Europe/Berlin", or "Local"' },
);

/** A column source: a message header (as the matcher names them) or `Fields[name]`. */
export const HEADER_SOURCES = HEADER_NAMES;

const isHeader = isHeaderName;
const columnSource = z.string().refine((s) => isHeader(s) || /^Fields\[[^\]]+\]$/.test(s), {
  message: `expected Fields[name] or one of ${HEADER_SOURCES.join(', ')}`,
});

/** BqOutput's own options (common output options such as `message_matcher` are core's). */
export const bqOutputOptions = z
  .object({
    project_id: z.string().min(1).optional(),
    dataset_id: identifier('dataset id'),
    table_id: identifier('table id'),
    table_type: z.enum(['sharded', 'fixed', 'partitioned']).default('sharded'),
    timezone: timeZone.default('UTC'),
    partition_type: z.enum(['DAY', 'HOUR', 'MONTH', 'YEAR']).default('DAY'),
    partition_field: z.string().optional(),
    partition_expiration: duration().optional(),
    clustering_fields: z.array(z.string()).max(4).optional(),
    schema_file_path: z.string().optional(),
    create_table: z.boolean().default(true),
    service_email: z.string().optional(),
    pem_file_path: z.string().optional(),
    key_file: z.string().optional(),
    api_endpoint: z
      .string()
      .regex(/^https?:\/\/[^/]+/, 'expected a URL such as "http://127.0.0.1:9050"')
      .optional(),
    buffer_path: z.string().optional(),
    buffer_file: z.string().optional(),
    row_source: z.enum(['payload', 'fields']).default('payload'),
    columns: z.record(z.string(), columnSource).default({}),
    unknown_fields: z.enum(['ignore', 'reject']).default('ignore'),
    skip_invalid_rows: z.boolean().default(false),
    max_batch_rows: z.number().int().min(1).max(REQUEST_LIMIT_ROWS).default(500),
    max_request_bytes: byteSize()
      .default(9 * 1024 * 1024)
      .refine((n) => n >= 64 * 1024 && n <= REQUEST_LIMIT_BYTES, {
        message: `expected a size from 64KiB to ${REQUEST_LIMIT_BYTES} bytes (10 MiB, BigQuery's limit)`,
      }),
    flush_interval: duration().default(1000),
    request_timeout: duration()
      .default(30_000)
      .refine((ms) => ms > 0, { message: 'expected a duration above zero' }),
  })
  .strict()
  .superRefine((o, ctx) => {
    const problem = (key: string, message: string) =>
      ctx.addIssue({ code: 'custom', path: [key], message });
    const together = (a: keyof typeof o, b: keyof typeof o) => {
      if ((o[a] === undefined) !== (o[b] === undefined)) {
        problem(o[a] === undefined ? b : a, `${a} and ${b} go together`);
      }
    };
    together('pem_file_path', 'service_email');
    if (o.key_file !== undefined && o.pem_file_path !== undefined) {
      problem('key_file', 'set either key_file or pem_file_path with service_email, not both');
    }
    together('buffer_path', 'buffer_file');
    if (o.schema_file_path === undefined && (o.create_table || o.row_source === 'fields')) {
      problem(
        'schema_file_path',
        o.create_table
          ? 'a schema is needed to create tables (or set create_table = false)'
          : 'a schema is needed to map fields to columns (row_source = "fields")',
      );
    }
    if (Object.keys(o.columns).length > 0 && o.row_source !== 'fields') {
      problem('columns', 'columns only apply with row_source = "fields"');
    }
    if (o.table_type !== 'partitioned') {
      for (const key of ['partition_field', 'partition_expiration', 'clustering_fields'] as const) {
        if (o[key] !== undefined) problem(key, `${key} only applies with table_type = "partitioned"`);
      }
    }
  });

/** Parsed BqOutput options. */
export type BqOutputOptions = z.output<typeof bqOutputOptions>;

/**
 * Common-option defaults derived from the plugin's own: Heka's `buffer_path` + `buffer_file`
 * become core's durable disk queue (`use_buffering`, `[x.buffering] dir`).
 */
export function bqCommonDefaults(options: BqOutputOptions): Readonly<Record<string, unknown>> {
  if (options.buffer_path === undefined || options.buffer_file === undefined) return {};
  const dir = path.join(options.buffer_path, options.buffer_file);
  return { use_buffering: true, buffering: { dir } };
}
