import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classifyRequestError, classifyRowErrors } from '../src/insert-errors.js';

const apiError = (code: number, reason?: string) =>
  Object.assign(new Error(`boom ${code}`), { code, errors: reason === undefined ? [] : [{ reason, message: 'x' }] });

test('request failures: invalid requests are refused, the rest retried with a reason that helps', () => {
  assert.equal(classifyRequestError(apiError(400, 'invalid')).action, 'reject');
  assert.equal(classifyRequestError(apiError(413)).action, 'reject');
  const retried = [
    [500, 'backendError'],
    [503, 'backendError'],
    [403, 'rateLimitExceeded'],
    [429, undefined],
    [408, undefined],
  ] as const;
  for (const [code, reason] of retried) {
    assert.equal(classifyRequestError(apiError(code, reason)).action, 'retry', `${code}`);
  }
  assert.match(classifyRequestError(apiError(401, 'authError')).reason, /refused the credentials .*key_file/);
  assert.match(classifyRequestError(apiError(403, 'accessDenied')).reason, /permission denied .*dataEditor/);
  assert.match(classifyRequestError(apiError(403, 'quotaExceeded')).reason, /quota exceeded .*10 minutes/);
  assert.deepEqual(classifyRequestError(apiError(404, 'notFound')), {
    action: 'retry',
    reason: 'not found (404 notFound): boom 404',
    notFound: true,
  });
  const token = Object.assign(new Error('invalid_grant: Invalid JWT Signature.'), { status: 400, code: 'ERR_BAD_REQUEST' });
  assert.match(classifyRequestError(token).reason, /^getting an access token failed \(400\): invalid_grant.*Check key_file/);
  assert.equal(classifyRequestError(token).action, 'retry');
  const timeout = Object.assign(new Error('network timeout at: http://x'), { type: 'request-timeout' });
  assert.deepEqual(classifyRequestError(timeout), {
    action: 'retry',
    reason: 'request failed: network timeout at: http://x',
  });
});

test('row errors: invalid rows are refused with BigQuery\'s words, stopped rows retried', () => {
  assert.deepEqual(classifyRowErrors([{ reason: 'invalid', message: 'no such field: x.', location: 'x' }]), {
    action: 'reject',
    reason: 'BigQuery refused the row: no such field: x. (x)',
  });
  assert.deepEqual(classifyRowErrors([{ reason: 'stopped', message: '' }]), { action: 'retry', reason: 'stopped' });
  assert.equal(classifyRowErrors([{ reason: 'timeout' }, { reason: 'backendError' }]).action, 'retry');
});
