import { readFile } from 'node:fs/promises';
import type { BigQueryOptions } from '@google-cloud/bigquery';
import { errorMessage } from '@hekate/core';
import { JWT } from 'google-auth-library';

/** OAuth scope of the BigQuery API. */
export const BIGQUERY_SCOPE = 'https://www.googleapis.com/auth/bigquery';

/** How the BigQuery client authenticates: an auth client, a key file, or neither (ADC). */
export type CredentialsConfig = Pick<BigQueryOptions, 'authClient' | 'keyFilename' | 'scopes'>;

/** The credential options of BqOutput, with paths already resolved. */
export interface CredentialOptions {
  pem_file_path?: string | undefined;
  service_email?: string | undefined;
  key_file?: string | undefined;
}

async function readKey(file: string, option: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new Error(`${option}: cannot read ${file}: ${errorMessage(error)}`);
  }
}

/**
 * Makes the client options BqOutput authenticates with:
 * - `pem_file_path` + `service_email`: a service account's PEM private key, as Heka's BqOutput
 *   used (a console `.p12` key converted with `openssl pkcs12 -nocerts -nodes`);
 * - `key_file`: a service account JSON key;
 * - otherwise Google's application default credentials (GOOGLE_APPLICATION_CREDENTIALS, gcloud,
 *   workload identity or the metadata server).
 * Key files are read here, so a missing or malformed one fails `open` with a clear reason.
 */
export async function createCredentials(options: CredentialOptions): Promise<CredentialsConfig> {
  if (options.pem_file_path !== undefined) {
    const key = await readKey(options.pem_file_path, 'pem_file_path');
    if (!/-----BEGIN (RSA )?PRIVATE KEY-----/.test(key)) {
      throw new Error(
        `pem_file_path: ${options.pem_file_path} holds no PEM private key ` +
          '(convert a .p12 key with "openssl pkcs12 -in key.p12 -nocerts -nodes")',
      );
    }
    return { authClient: new JWT({ email: options.service_email, key, scopes: [BIGQUERY_SCOPE] }) };
  }
  if (options.key_file !== undefined) {
    const text = await readKey(options.key_file, 'key_file');
    try {
      JSON.parse(text);
    } catch (error) {
      throw new Error(`key_file: ${options.key_file} is not a JSON key: ${errorMessage(error)}`);
    }
    return { keyFilename: options.key_file };
  }
  return {};
}
