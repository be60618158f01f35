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
  /** Headers sent on every request. */
  headers?: Record<string, string> | undefined;
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
  /** Stop after this many pages (default: follow every `next` link). */
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

/** Overrides of the retry timer and jitter source, for deterministic tests of code that uses the client. @category Client */
export interface PeerFhirClientTestHooks {
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
}
