import { constants } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import path from 'node:path';
import type { ConnectionOptions, SecureVersion, TlsOptions, TLSSocket } from 'node:tls';
import { z } from 'zod';

const VERSIONS: Record<string, SecureVersion> = {
  TLS10: 'TLSv1',
  TLS11: 'TLSv1.1',
  TLS12: 'TLSv1.2',
  TLS13: 'TLSv1.3',
};

const CLIENT_AUTH = [
  'NoClientCert',
  'RequestClientCert',
  'RequireAnyClientCert',
  'VerifyClientCertIfGiven',
  'RequireAndVerifyClientCert',
] as const;

const version = z.enum(['TLS10', 'TLS11', 'TLS12', 'TLS13']);

/**
 * Heka's `[x.tls]` sub-section (key names and client-auth values as in Heka; ciphers are OpenSSL
 * names).
 */
export const tlsSchema = z
  .object({
    /** Name to verify the server's certificate against (client); defaults to the host. */
    server_name: z.string().optional(),
    /**
     * This side's certificate and key (PEM): required to listen, optional client certificate to
     * connect.
     */
    cert_file: z.string().optional(),
    key_file: z.string().optional(),
    /**
     * Whether a listener asks for and checks client certificates (Go's tls.ClientAuthType names).
     */
    client_auth: z.enum(CLIENT_AUTH).default('NoClientCert'),
    /** OpenSSL cipher names; empty means Node's defaults. */
    ciphers: z.array(z.string().min(1)).default([]),
    /** Connect without verifying the server's certificate (tests only). */
    insecure_skip_verify: z.boolean().default(false),
    prefer_server_ciphers: z.boolean().default(true),
    session_tickets_disabled: z.boolean().default(false),
    min_version: version.optional(),
    max_version: version.optional(),
    /** CA bundle (PEM) that client certificates must chain to (listener). */
    client_cafile: z.string().optional(),
    /**
     * CA bundle (PEM) that the server's certificate must chain to (client); defaults to the system
     * CAs.
     */
    root_cafile: z.string().optional(),
  })
  .strict();

/** Parsed `[x.tls]` options. */
export type TlsSettings = z.output<typeof tlsSchema>;

/** Problems with TLS settings that can be seen without reading any file, for a zod refinement. */
export function checkTls(
  use: boolean,
  t: TlsSettings,
  listener: boolean,
  ctx: z.RefinementCtx,
): void {
  if (!use) return;
  if (listener && (t.cert_file === undefined || t.key_file === undefined)) {
    ctx.addIssue({
      code: 'custom',
      path: ['tls'],
      message: 'use_tls needs tls.cert_file and tls.key_file to listen',
    });
  }
  if ((t.cert_file === undefined) !== (t.key_file === undefined)) {
    ctx.addIssue({
      code: 'custom',
      path: ['tls'],
      message: 'tls.cert_file and tls.key_file go together',
    });
  }
  const order = Object.keys(VERSIONS);
  if (
    t.min_version !== undefined &&
    t.max_version !== undefined &&
    order.indexOf(t.max_version) < order.indexOf(t.min_version)
  ) {
    ctx.addIssue({
      code: 'custom',
      path: ['tls', 'max_version'],
      message: 'tls.max_version is older than tls.min_version',
    });
  }
}

async function pem(file: string | undefined, dir: string): Promise<Buffer | undefined> {
  return file === undefined ? undefined : readFile(path.resolve(dir, file));
}

async function common(t: TlsSettings, dir: string): Promise<TlsOptions & ConnectionOptions> {
  const [cert, key] = await Promise.all([pem(t.cert_file, dir), pem(t.key_file, dir)]);
  return {
    ...(cert === undefined ? {} : { cert, key }),
    ...(t.ciphers.length === 0 ? {} : { ciphers: t.ciphers.join(':') }),
    ...(t.min_version === undefined ? {} : { minVersion: VERSIONS[t.min_version] }),
    ...(t.max_version === undefined ? {} : { maxVersion: VERSIONS[t.max_version] }),
  };
}

/** Options for `tls.createServer`, reading the PEM files (relative to `dir`). */
export async function serverTlsOptions(t: TlsSettings, dir: string): Promise<TlsOptions> {
  const ca = await pem(t.client_cafile, dir);
  return {
    ...(await common(t, dir)),
    ...(ca === undefined ? {} : { ca }),
    requestCert: t.client_auth !== 'NoClientCert',
    rejectUnauthorized: t.client_auth === 'RequireAndVerifyClientCert',
    honorCipherOrder: t.prefer_server_ciphers,
    ...(t.session_tickets_disabled ? { secureOptions: constants.SSL_OP_NO_TICKET } : {}),
  };
}

/** Options for `tls.connect`, reading the PEM files (relative to `dir`). */
export async function clientTlsOptions(
  t: TlsSettings,
  dir: string,
  host: string,
): Promise<ConnectionOptions> {
  const ca = await pem(t.root_cafile, dir);
  return {
    ...(await common(t, dir)),
    ...(ca === undefined ? {} : { ca }),
    // An IP address is checked against the certificate's IP SANs; SNI may not carry one.
    ...(t.server_name !== undefined || isIP(host) === 0
      ? { servername: t.server_name ?? host }
      : {}),
    rejectUnauthorized: !t.insecure_skip_verify,
  };
}

/**
 * Why a client that completed the handshake must still be refused under `client_auth` (the
 * modes Node's `rejectUnauthorized` does not cover), or undefined to accept it.
 */
export function refuseClient(t: TlsSettings, socket: TLSSocket): string | undefined {
  const presented = Object.keys(socket.getPeerCertificate()).length > 0;
  if (t.client_auth === 'RequireAnyClientCert' && !presented) return 'no client certificate';
  if (t.client_auth === 'VerifyClientCertIfGiven' && presented && !socket.authorized) {
    return `client certificate not trusted: ${String(socket.authorizationError)}`;
  }
  return undefined;
}
