import type { CryptoKey, JWK, KeyObject } from 'jose';

/**
 * OAuth 2.0 client-credentials grant with a client secret (RFC 6749 §4.4).
 *
 * See https://hl7.org/fhir/R4/security.html#authentication.
 * @example
 * ```ts
 * new PeerFhirClient({ baseUrl, auth: { kind: 'client_credentials', tokenUrl, clientId: 'svc', clientSecret: process.env.SECRET! } });
 * ```
 * @category Authentication
 */
export interface ClientCredentialsAuth {
  kind: 'client_credentials';
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  scope?: string | undefined;
  /** How the secret is sent: HTTP Basic (default, RFC 6749 §2.3.1) or form fields. */
  clientAuthMethod?: 'basic' | 'post' | undefined;
  /** Refresh this many seconds before `expires_in` runs out (default 60). */
  expiryBufferSeconds?: number | undefined;
}

/**
 * SMART Backend Services: client_credentials with a signed JWT client assertion (RS384/ES384).
 *
 * See https://hl7.org/fhir/smart-app-launch/backend-services.html and https://hl7.org/fhir/R4/security.html.
 * @example
 * ```ts
 * new PeerFhirClient({ baseUrl, auth: { kind: 'smart-backend', tokenUrl, clientId, privateKey: jwk, alg: 'ES384', kid: 'k1', scope: 'system/*.rs' } });
 * ```
 * @category Authentication
 */
export interface SmartBackendAuth {
  kind: 'smart-backend';
  tokenUrl: string;
  clientId: string;
  /** Private key as a JWK, a WebCrypto `CryptoKey` or a Node `KeyObject`. */
  privateKey: JWK | CryptoKey | KeyObject;
  alg: 'RS384' | 'ES384';
  /** Key id published in the client's JWKS. */
  kid: string;
  scope: string;
  /** Assertion lifetime in seconds, at most 300 (default 300). */
  assertionLifetimeSeconds?: number | undefined;
  /** Refresh this many seconds before `expires_in` runs out (default 60). */
  expiryBufferSeconds?: number | undefined;
}

/**
 * Anything `PeerFhirClient` accepts as `auth`: a static bearer token, a function returning one
 * (called per request), client credentials, or SMART Backend Services.
 *
 * See https://hl7.org/fhir/R4/security.html#authentication.
 * @example
 * ```ts
 * const auth: AuthOption = async () => vault.currentToken();
 * ```
 * @category Authentication
 */
export type AuthOption = string | (() => string | Promise<string>) | ClientCredentialsAuth | SmartBackendAuth;
