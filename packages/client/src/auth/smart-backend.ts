import { importJWK, SignJWT, type CryptoKey, type KeyObject } from 'jose';
import type { FetchLike } from '../types.js';
import type { TokenResponse } from './cached-token.js';
import type { SmartBackendAuth } from './options.js';
import { postTokenRequest } from './token-endpoint.js';

const MAX_ASSERTION_SECONDS = 300; // SMART backend services: exp no more than five minutes ahead

/** Builds the signed client_assertion JWT: iss = sub = client_id, aud = token URL, random jti. */
export async function buildClientAssertion(auth: SmartBackendAuth, nowSeconds = Math.floor(Date.now() / 1000)): Promise<string> {
  const lifetime = Math.min(auth.assertionLifetimeSeconds ?? MAX_ASSERTION_SECONDS, MAX_ASSERTION_SECONDS);
  const key = await toSigningKey(auth);
  return new SignJWT({})
    .setProtectedHeader({ alg: auth.alg, kid: auth.kid, typ: 'JWT' })
    .setIssuer(auth.clientId)
    .setSubject(auth.clientId)
    .setAudience(auth.tokenUrl)
    .setJti(crypto.randomUUID())
    .setIssuedAt(nowSeconds)
    .setExpirationTime(nowSeconds + lifetime)
    .sign(key);
}

async function toSigningKey(auth: SmartBackendAuth): Promise<CryptoKey | KeyObject | Uint8Array> {
  const key = auth.privateKey;
  if (typeof key === 'object' && key !== null && 'kty' in key && typeof key.kty === 'string') {
    return importJWK(key, auth.alg);
  }
  return key as CryptoKey | KeyObject;
}

export async function requestSmartBackendToken(auth: SmartBackendAuth, fetchImpl: FetchLike, signal?: AbortSignal): Promise<TokenResponse> {
  const form = new URLSearchParams({
    grant_type: 'client_credentials',
    scope: auth.scope,
    client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
    client_assertion: await buildClientAssertion(auth),
  });
  return postTokenRequest(fetchImpl, auth.tokenUrl, form, {}, signal);
}
