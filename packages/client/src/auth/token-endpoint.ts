import { FhirConnectionError, FhirTokenRedirectError, type FhirError } from '../errors.js';
import { errorFromResponse } from '../internal/error-factory.js';
import { readCapped } from '../internal/origin.js';
import { redactUrl } from '../internal/redact.js';
import type { FetchLike } from '../types.js';
import type { TokenResponse } from './cached-token.js';

const TOKEN_TIMEOUT_MS = 30_000;
/** A token response is a small JSON object; anything bigger is not one. */
const MAX_TOKEN_RESPONSE_BYTES = 1024 * 1024;
const TEMPLATE = '(token endpoint)';

/**
 * POSTs a form to an OAuth token endpoint and reads `access_token`/`expires_in` (RFC 6749 §5.1). No redirect is
 * followed (a 3xx would carry the client secret or assertion to wherever the server points, and a token minted
 * there would then be sent to the FHIR base). Errors carry `(token endpoint)` and the token URL without its query
 * values (it may hold a secret), never the URL itself in the message.
 */
export async function postTokenRequest(
  fetchImpl: FetchLike,
  tokenUrl: string,
  form: URLSearchParams,
  headers: Record<string, string>,
  signal?: AbortSignal,
): Promise<TokenResponse> {
  const safeUrl = redactUrl(tokenUrl);
  let res: Response;
  try {
    res = await fetchImpl(tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', ...headers },
      body: form.toString(),
      redirect: 'manual',
      // A hung token endpoint must not hang every request waiting on the shared refresh.
      signal: signal ?? AbortSignal.timeout(TOKEN_TIMEOUT_MS),
    });
  } catch (cause) {
    throw new FhirConnectionError({ method: 'POST', url: safeUrl, template: TEMPLATE, cause, summary: `POST ${TEMPLATE} failed: no response (network error)` });
  }
  if (res.type === 'opaqueredirect' || (res.status >= 300 && res.status < 400)) {
    await res.body?.cancel().catch(() => undefined);
    throw new FhirTokenRedirectError({ method: 'POST', url: safeUrl, template: TEMPLATE, status: res.status || undefined });
  }
  const text = await readCapped(res, MAX_TOKEN_RESPONSE_BYTES, () =>
    errorFromResponse({ status: 502, method: 'POST', url: safeUrl, template: TEMPLATE, body: undefined, headers: res.headers }),
  );
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (!res.ok) {
    const err: FhirError = errorFromResponse({ status: res.status, method: 'POST', url: safeUrl, template: TEMPLATE, body: undefined, headers: res.headers });
    throw err;
  }
  const accessToken = (body as { access_token?: unknown } | undefined)?.access_token;
  const expiresIn = (body as { expires_in?: unknown } | undefined)?.expires_in;
  if (typeof accessToken !== 'string' || accessToken === '') {
    throw errorFromResponse({ status: 502, method: 'POST', url: safeUrl, template: TEMPLATE, body: undefined, headers: res.headers });
  }
  return { accessToken, expiresIn: typeof expiresIn === 'number' ? expiresIn : typeof expiresIn === 'string' ? Number(expiresIn) || undefined : undefined };
}
