import type { ResourceFor, ResourceType, Retrieved } from '@peer-fhir/core';

// Declared once, in core; re-exported here because the client's users import them from '@peer-fhir/client'.
export type { ResourceFor, ResourceType, Retrieved };

/**
 * Per-call options accepted as the last argument of every client method; client defaults fill gaps.
 *
 * See https://hl7.org/fhir/R4/http.html#general.
 * @example
 * ```ts
 * await client.read('Patient', id, { timeoutMs: 5_000, maxRetries: 0, signal: ac.signal });
 * ```
 * @category Client
 */
export interface RequestOptions {
  /** Cancels the request and any pending retry; rejects with `FhirAbortError`. */
  signal?: AbortSignal | undefined;
  /** Per-attempt timeout in milliseconds (client default 60 000). */
  timeoutMs?: number | undefined;
  /** Retries after the first attempt for retryable failures (client default 2). */
  maxRetries?: number | undefined;
  /** Extra request headers; `Authorization` is always controlled by the client. */
  headers?: Record<string, string> | undefined;
}

/**
 * Opt-in logger. Receives method, path without query values, status, duration and retry
 * attempts only, never tokens, bodies or query values.
 *
 * See https://hl7.org/fhir/R4/security.html#audit.
 * @example
 * ```ts
 * new PeerFhirClient({ baseUrl, logger: console });
 * ```
 * @category Client
 */
export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/**
 * A minimal `fetch` signature, so any WHATWG-compatible implementation can be injected.
 *
 * See https://hl7.org/fhir/R4/http.html.
 * @example
 * ```ts
 * const myFetch: FetchLike = (url, init) => fetch(url, init);
 * ```
 * @category Client
 */
export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

/**
 * A result plus the HTTP details FHIR puts in headers (`ETag`, `Location`, `Last-Modified`).
 *
 * See https://hl7.org/fhir/R4/http.html#create and #versioning.
 * @example
 * ```ts
 * const { data, etag, location } = await client.create(patient).withResponse();
 * ```
 * @category Client
 */
export interface FhirResponse<T> {
  /** Parsed body (what awaiting the promise gives). */
  data: T;
  /** HTTP status of the final attempt. */
  status: number;
  /** `ETag`, e.g. `W/"3"`. */
  etag: string | undefined;
  /** `Location` (or `Content-Location`), e.g. `.../Patient/123/_history/1`. */
  location: string | undefined;
  /** `Last-Modified`. */
  lastModified: string | undefined;
  /** All response headers. */
  headers: Headers;
}
