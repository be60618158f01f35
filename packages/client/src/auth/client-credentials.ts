import type { FetchLike } from '../types.js';
import type { TokenResponse } from './cached-token.js';
import type { ClientCredentialsAuth } from './options.js';
import { postTokenRequest } from './token-endpoint.js';

/** RFC 6749 §4.4 client_credentials grant with a client secret. */
export function requestClientCredentialsToken(auth: ClientCredentialsAuth, fetchImpl: FetchLike, signal?: AbortSignal): Promise<TokenResponse> {
  const form = new URLSearchParams({ grant_type: 'client_credentials' });
  if (auth.scope) form.set('scope', auth.scope);
  const headers: Record<string, string> = {};
  if (auth.clientAuthMethod === 'post') {
    form.set('client_id', auth.clientId);
    form.set('client_secret', auth.clientSecret);
  } else {
    // RFC 6749 §2.3.1: form-urlencode id and secret before base64.
    const basic = `${encodeURIComponent(auth.clientId)}:${encodeURIComponent(auth.clientSecret)}`;
    headers.authorization = `Basic ${btoa(basic)}`;
  }
  return postTokenRequest(fetchImpl, auth.tokenUrl, form, headers, signal);
}
