import { FhirConnectionError, type FhirError } from '../errors.js';
import { errorFromResponse } from '../internal/error-factory.js';
import type { FetchLike } from '../types.js';
import type { TokenResponse } from './cached-token.js';

const TOKEN_TIMEOUT_MS = 30_000;

/** POSTs a form to an OAuth token endpoint and reads `access_token`/`expires_in` (RFC 6749 §5.1). */
export async function postTokenRequest(
  fetchImpl: FetchLike,
  tokenUrl: string,
  form: URLSearchParams,
  headers: Record<string, string>,
  signal?: AbortSignal,
): Promise<TokenResponse> {
  let res: Response;
  try {
    res = await fetchImpl(tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', ...headers },
      body: form.toString(),
      // A hung token endpoint must not hang every request waiting on the shared refresh.
      signal: signal ?? AbortSignal.timeout(TOKEN_TIMEOUT_MS),
    });
  } catch (cause) {
    throw new FhirConnectionError({ method: 'POST', url: tokenUrl, cause, summary: `POST ${tokenUrl} token request failed (network)` });
  }
  const text = await res.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (!res.ok) {
    const err: FhirError = errorFromResponse({ status: res.status, method: 'POST', url: tokenUrl, body: undefined, headers: res.headers });
    throw err;
  }
  const accessToken = (body as { access_token?: unknown } | undefined)?.access_token;
  const expiresIn = (body as { expires_in?: unknown } | undefined)?.expires_in;
  if (typeof accessToken !== 'string' || accessToken === '') {
    throw errorFromResponse({ status: 502, method: 'POST', url: tokenUrl, body: undefined, headers: res.headers });
  }
  return { accessToken, expiresIn: typeof expiresIn === 'number' ? expiresIn : typeof expiresIn === 'string' ? Number(expiresIn) || undefined : undefined };
}
