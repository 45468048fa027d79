import { z } from 'zod';
import { byteSize, duration } from '@hekate/core';
import { FileMatch } from './file-match.js';

const stringList = z
  .union([z.string(), z.array(z.string())])
  .transform((v) => (typeof v === 'string' ? [v] : v));

/**
 * The FileInput section's own options. Logstreamer keys keep Heka's names (`log_directory`,
 * `file_match`, `priority`, `differentiator`, `translation`, `oldest_duration`,
 * `rescan_interval`, `check_data_interval`, `initial_tail`, `journal_directory`).
 */
export const fileInputOptions = z
  .object({
    /** Files or globs to tail (relative paths resolve from the config's directory). */
    paths: stringList.optional(),
    /** Globs of paths never to read, e.g. compressed rotations. */
    exclude: stringList.default([]),
    /** Logstreamer: the directory `file_match` is applied under. */
    log_directory: z.string().optional(),
    /** Logstreamer: regex over paths relative to `log_directory` (named groups allowed). */
    file_match: z.string().optional(),
    priority: z.array(z.string()).default([]),
    differentiator: z.array(z.string()).optional(),
    translation: z.record(z.string(), z.record(z.string(), z.number().int())).default({}),
    /** Where reading starts for files found on the first start, when there is no journal yet. */
    start_position: z.enum(['head', 'tail']).optional(),
    /** Heka's name for `start_position = "tail"`. */
    initial_tail: z.boolean().optional(),
    message_type: z.string().default('logfile'),
    max_line_bytes: byteSize().default(64 * 1024),
    line_limit_action: z.enum(['truncate', 'skip']).default('truncate'),
    follow_symlinks: z.boolean().default(false),
    max_open_files: z.number().int().min(1).default(512),
    rotate_wait: duration().default(5000),
    rescan_interval: duration().default(1000),
    check_data_interval: duration().default(250),
    checkpoint_interval: duration().default(250),
    oldest_duration: duration().default(720 * 3_600_000),
    fingerprint_bytes: byteSize().default(1024),
    read_buffer_size: byteSize().default(1024 * 1024),
    journal_directory: z.string().optional(),
  })
  .strict()
  .superRefine((o, ctx) => {
    const issue = (message: string, key: string) => ctx.addIssue({ code: 'custom', message, path: [key] });
    if ((o.paths === undefined) === (o.file_match === undefined)) {
      issue('set either paths or file_match (Logstreamer)', 'paths');
    }
    if (o.paths !== undefined) {
      for (const key of ['log_directory', 'differentiator'] as const) {
        if (o[key] !== undefined) issue(`${key} needs file_match`, key);
      }
      if (o.priority.length > 0) issue('priority needs file_match', 'priority');
    }
    if (o.file_match !== undefined) {
      try {
        new FileMatch({ ...o, file_match: o.file_match, differentiator: o.differentiator ?? [] });
      } catch (error) {
        issue((error as Error).message, 'file_match');
      }
    }
    if (o.start_position !== undefined && o.initial_tail !== undefined) {
      issue('set start_position or initial_tail, not both', 'initial_tail');
    }
    if (o.max_line_bytes < 1) issue('must be at least 1 byte', 'max_line_bytes');
    if (o.fingerprint_bytes < 16 || o.fingerprint_bytes > 64 * 1024) {
      issue('must be between 16 B and 64 KiB', 'fingerprint_bytes');
    }
    if (o.read_buffer_size < 4096 || o.read_buffer_size > 16 * 1024 * 1024) {
      issue('must be between 4 KiB and 16 MiB', 'read_buffer_size');
    }
    for (const key of ['rescan_interval', 'check_data_interval', 'checkpoint_interval'] as const) {
      if (o[key] < 10) issue('must be at least 10ms', key);
    }
  });

/** Parsed FileInput options. */
export type FileInputOptions = z.output<typeof fileInputOptions>;
