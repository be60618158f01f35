import type { FetchLike } from '../types.js';
import type { AuthOption } from './options.js';
import { CachedTokenSource } from './cached-token.js';
import { requestClientCredentialsToken } from './client-credentials.js';
import { requestSmartBackendToken } from './smart-backend.js';

/** Internal: where the transport gets bearer tokens from. */
export interface TokenSource {
  getToken(signal?: AbortSignal): Promise<string>;
  /** Forget `token` after the server rejected it; returns whether a different token can be had. */
  invalidate(token: string): boolean;
}

export function createTokenSource(auth: AuthOption, fetchImpl: FetchLike): TokenSource {
  if (typeof auth === 'string') {
    return { getToken: async () => auth, invalidate: () => false };
  }
  if (typeof auth === 'function') {
    // The caller owns caching; asking again after a 401 may give a fresh token.
    return { getToken: async () => auth(), invalidate: () => true };
  }
  if (auth.kind === 'client_credentials') {
    return new CachedTokenSource((signal) => requestClientCredentialsToken(auth, fetchImpl, signal), auth.expiryBufferSeconds);
  }
  if (auth.kind === 'smart-backend') {
    return new CachedTokenSource((signal) => requestSmartBackendToken(auth, fetchImpl, signal), auth.expiryBufferSeconds);
  }
  throw new TypeError('Unsupported auth option');
}
