import { OAuth2Client } from 'google-auth-library';

/**
 * An OAuth2 client with a fixed access token: requests carry `Authorization: Bearer test` and
 * nothing ever asks Google (or a metadata server) for a token (reference/services.md §3.6).
 */
export function fakeAuthClient(): OAuth2Client {
  const client = new OAuth2Client();
  client.setCredentials({ access_token: 'test', expiry_date: Date.now() + 3600e3 });
  return client;
}
