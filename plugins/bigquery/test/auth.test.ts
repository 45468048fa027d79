import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import path from 'node:path';
import { test } from 'node:test';
import { JWT } from 'google-auth-library';
import { BIGQUERY_SCOPE, createCredentials } from '../src/auth.js';
import { tempDir } from './support/harness.js';

test("pem_file_path + service_email make a service account JWT client, as Heka's plugin used", async () => {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  const files = await tempDir({
    'key.pem': pem,
    'key.p12': 'binary p12 bytes',
    'key.json': '{"type":"service_account"}',
    'bad.json': '{',
  });
  try {
    const at = (name: string) => path.join(files.dir, name);
    const email = 'hekate@p.iam.gserviceaccount.com';
    const { authClient } = await createCredentials({ pem_file_path: at('key.pem'), service_email: email });
    assert.ok(authClient instanceof JWT);
    assert.equal(authClient.email, email);
    assert.equal(authClient.key, pem);
    assert.deepEqual(authClient.scopes, [BIGQUERY_SCOPE]);
    const pemAt = (name: string) => createCredentials({ pem_file_path: at(name), service_email: email });
    await assert.rejects(pemAt('key.p12'), /holds no PEM private key .*openssl pkcs12/);
    await assert.rejects(pemAt('missing.pem'), /^Error: pem_file_path: cannot read .*missing\.pem/);
    assert.deepEqual(await createCredentials({ key_file: at('key.json') }), { keyFilename: at('key.json') });
    await assert.rejects(createCredentials({ key_file: at('bad.json') }), /key_file: .*bad\.json is not a JSON key/);
    assert.deepEqual(await createCredentials({}), {}, 'application default credentials');
  } finally {
    await files.remove();
  }
});
