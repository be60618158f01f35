import type { AuthOption } from './auth/options.js';
import type { FetchLike, Logger, RequestOptions } from './types.js';

/**
 * Options for `PeerFhirClient`.
 *
 * See https://hl7.org/fhir/R4/http.html#root.
 * @example
 * ```ts
 * new PeerFhirClient({ baseUrl: 'https://fhir.example.org/r4', auth: token, maxRetries: 3, timeoutMs: 30_000 });
 * ```
 * @category Client
 */
export interface PeerFhirClientOptions {
  /** FHIR service base URL, `[base]` in the spec. */
  baseUrl: string;
  /** fetch implementation (default: the runtime's global `fetch`, looked up per call; nothing is polyfilled). */
  fetch?: FetchLike | undefined;
  /** Bearer token, token function, client-credentials or SMART backend-services settings. */
  auth?: AuthOption | undefined;
  /** Retries after the first attempt for retryable failures (default 2). */
  maxRetries?: number | undefined;
  /** Per-attempt timeout in ms (default 60 000). */
  timeoutMs?: number | undefined;
  /** Opt-in request logging (never tokens, bodies or query values). */
  logger?: Logger | undefined;
  /** Sent as `User-Agent`. */
  userAgent?: string | undefined;
  /** Headers sent on every request to the base URL's origin (never to another origin). */
  headers?: Record<string, string> | undefined;
  /**
   * Origins besides the base URL's that `next` links, `Location` headers and redirects may lead to (e.g. the file
   * server of a Bulk Data export). Only a GET without body, custom headers or token is sent there. Default: none,
   * so every other origin is refused with `FhirOriginRefusedError`. Link-local / cloud metadata addresses are
   * refused even when listed.
   */
  allowedOrigins?: readonly string[] | undefined;
  /** Largest response body read, in bytes (default 64 MiB); a larger one fails with `FhirResponseTooLargeError`. */
  maxResponseBytes?: number | undefined;
  /**
   * Pages `searchPages` / `searchAll` follow when the call passes no `maxPages` (default 10 000). Reaching it
   * with a `next` link left fails with `FhirPagingLimitError` instead of returning incomplete results.
   */
  maxPages?: number | undefined;
}

/**
 * Options for `PeerFhirClient.create`.
 *
 * See https://hl7.org/fhir/R4/http.html#ccreate.
 * @example
 * ```ts
 * await client.create(patient, { ifNoneExist: 'identifier=urn:example:mrn|123' });
 * ```
 * @category Client
 */
export interface CreateOptions extends RequestOptions {
  /** Conditional create criteria (sent as `If-None-Exist`); also makes the POST safe to retry. */
  ifNoneExist?: string | Record<string, string | string[]> | URLSearchParams | undefined;
}

/**
 * Options for `PeerFhirClient.update`.
 *
 * See https://hl7.org/fhir/R4/http.html#concurrency.
 * @example
 * ```ts
 * await client.update(goal, { ifMatch: false }); // last write wins
 * ```
 * @category Client
 */
export interface UpdateOptions extends RequestOptions {
  /** `If-Match` version: defaults to `W/"<meta.versionId>"`; `false` sends none. */
  ifMatch?: string | false | undefined;
}

/**
 * Options for `PeerFhirClient.searchPages`.
 *
 * See https://hl7.org/fhir/R4/http.html#paging.
 * @example
 * ```ts
 * for await (const page of client.searchPages('Encounter', { _count: 100 }, { maxPages: 10 })) console.log(page.entry?.length);
 * ```
 * @category Search
 */
export interface SearchPagesOptions extends RequestOptions {
  /**
   * Stop after this many pages, quietly. Without it, iteration follows `next` links up to the client's `maxPages`
   * (default 10 000) and fails with `FhirPagingLimitError` if more remain. A `next` link that repeats a page fails
   * with `FhirPagingLoopError` either way.
   */
  maxPages?: number | undefined;
}

/**
 * Options for `PeerFhirClient.searchAll`.
 *
 * See https://hl7.org/fhir/R4/http.html#paging.
 * @example
 * ```ts
 * for await (const e of client.searchAll('Encounter', { patient: 'Patient/1' }, { maxResources: 500 })) use(e);
 * ```
 * @category Search
 */
export interface SearchAllOptions extends SearchPagesOptions {
  /** Stop after yielding this many resources. */
  maxResources?: number | undefined;
}
