import path from 'node:path';
import { z } from 'zod';
import { duration, type PluginContext } from '@hekate/core';
import type { ClientSettings, SaslSettings, TlsVersion } from './kafka-client.js';

const TLS_VERSIONS: Record<string, TlsVersion> = {
  TLS10: 'TLSv1',
  TLS11: 'TLSv1.1',
  TLS12: 'TLSv1.2',
  TLS13: 'TLSv1.3',
};

const tlsVersion = z.enum(['TLS10', 'TLS11', 'TLS12', 'TLS13']);

/** `[x.tls]`: Heka's TLS sub-section keys that apply to a Kafka client. */
const tlsSchema = z
  .object({
    server_name: z.string().min(1).optional(),
    cert_file: z.string().min(1).optional(),
    key_file: z.string().min(1).optional(),
    root_cafile: z.string().min(1).optional(),
    insecure_skip_verify: z.boolean().default(false),
    min_version: tlsVersion.optional(),
    max_version: tlsVersion.optional(),
  })
  .strict();

/** `[x.sasl]`: SASL authentication. */
const saslSchema = z
  .object({
    mechanism: z.enum(['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512']),
    username: z.string().min(1),
    password: z.string(),
  })
  .strict();

/** The connection options KafkaInput and KafkaOutput share (Heka's names). */
export const clientOptionShape = {
  addrs: z.array(z.string().regex(/^\S+:\d{1,5}$/, 'expected "host:port"')).min(1),
  id: z.string().min(1).optional(),
  use_tls: z.boolean().default(false),
  tls: tlsSchema.optional(),
  sasl: saslSchema.optional(),
  dial_timeout: duration().default(10_000),
  read_timeout: duration().default(30_000),
  background_refresh_frequency: duration().default(300_000),
};

type ClientOptions = z.output<z.ZodObject<typeof clientOptionShape>>;

/** Reports a problem with option `key` from a schema refinement. */
export function issue(ctx: z.RefinementCtx, key: string, message: string): void {
  ctx.addIssue({ code: 'custom', path: [key], message });
}

/** Adds an issue when a `[x.tls]` section comes without `use_tls = true` (Heka ignored it). */
export function checkTls(options: { use_tls: boolean; tls?: unknown }, ctx: z.RefinementCtx): void {
  if (options.tls !== undefined && !options.use_tls) {
    issue(ctx, 'use_tls', 'a [tls] section is set but use_tls is false; set use_tls = true');
  }
}

/** Connection settings for the adapter; relative TLS paths resolve from the config's directory. */
export function clientSettings(options: ClientOptions, context: PluginContext): ClientSettings {
  const file = (f: string | undefined) =>
    f === undefined ? undefined : path.resolve(context.configDir, f);
  const tls = options.tls ?? tlsSchema.parse({});
  return {
    brokers: options.addrs,
    clientId: options.id ?? context.hostname,
    tls: options.use_tls
      ? {
          serverName: tls.server_name,
          certFile: file(tls.cert_file),
          keyFile: file(tls.key_file),
          caFile: file(tls.root_cafile),
          insecureSkipVerify: tls.insecure_skip_verify,
          minVersion: tls.min_version === undefined ? undefined : TLS_VERSIONS[tls.min_version],
          maxVersion: tls.max_version === undefined ? undefined : TLS_VERSIONS[tls.max_version],
        }
      : undefined,
    sasl:
      options.sasl === undefined
        ? undefined
        : {
            mechanism: options.sasl.mechanism.toLowerCase() as SaslSettings['mechanism'],
            username: options.sasl.username,
            password: options.sasl.password,
          },
    connectionTimeout: options.dial_timeout,
    requestTimeout: options.read_timeout,
    metadataMaxAge: options.background_refresh_frequency,
  };
}

/** A case-insensitive enum: `"gzip"`, `"GZIP"` and `"Gzip"` all mean the listed spelling. */
export function caseInsensitiveEnum<const T extends readonly [string, ...string[]]>(values: T) {
  return z.preprocess(
    (v) =>
      typeof v === 'string' ? (values.find((x) => x.toLowerCase() === v.toLowerCase()) ?? v) : v,
    z.enum(values),
  );
}
