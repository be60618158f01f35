import type { OperationOutcome } from 'fhir/r4.js';
import { PeerFhirError } from '@peer-fhir/core';

const BRAND = Symbol.for('@peer-fhir/client.FhirError');

/**
 * Why a request was refused before it was sent (see {@link FhirOriginRefusedError}).
 *
 * - `cross-origin`: the URL is not on the base URL's origin and not in `allowedOrigins`;
 * - `scheme`: the URL is not `http:` or `https:`;
 * - `metadata-address`: the URL names a link-local / cloud metadata host (169.254.0.0/16, fe80::/10,
 *   `metadata.google.internal`), refused even when listed in `allowedOrigins`;
 * - `body-would-cross`: a redirect to an allowed origin would re-send the request body there.
 *
 * @example
 * ```ts
 * const reason: OriginRefusal = 'cross-origin';
 * ```
 * @category Errors
 */
export type OriginRefusal = 'cross-origin' | 'scheme' | 'metadata-address' | 'body-would-cross';

/** Fields every {@link FhirError} is built from. */
export interface FhirErrorInit {
  /** HTTP status, absent for connection, timeout and abort errors. */
  status?: number | undefined;
  /** HTTP method of the failed request. */
  method: string;
  /** Full request URL (kept on the error, never copied into `message`). */
  url: string;
  /**
   * What was asked for, without values: `Patient/{id}`, `Encounter?…`, `(next page link)`. Built by the client
   * from the operation, never from the URL; defaults to `(request)`.
   */
  template?: string | undefined;
  /** OperationOutcome returned by the server, when the body was one. */
  operationOutcome?: OperationOutcome | undefined;
  /** Response headers, when a response arrived. */
  headers?: Headers | undefined;
  /** Underlying cause (network error, abort reason). */
  cause?: unknown;
  /** Override of the generated summary (must not contain a value from input or from a server). */
  summary?: string | undefined;
}

/** Codes of the FHIR R4 IssueType value set: the only issue codes a message may name. */
const ISSUE_TYPES: ReadonlySet<string> = new Set(
  (
    'invalid structure required value invariant security login unknown expired forbidden suppressed processing ' +
    'not-supported duplicate multiple-matches not-found deleted too-long code-invalid extension too-costly business-rule ' +
    'conflict transient lock-error no-store exception timeout incomplete throttled informational'
  ).split(' '),
);

/** The issue codes of an OperationOutcome, each checked against IssueType (anything else is `other`). */
function issueCodes(oo: OperationOutcome | undefined): string[] {
  return (oo?.issue ?? []).slice(0, 5).map((i) => (typeof i.code === 'string' && ISSUE_TYPES.has(i.code) ? i.code : 'other'));
}

/**
 * Base class of every error thrown by `PeerFhirClient`; extends core's `PeerFhirError`.
 *
 * The message holds method, a path template (`Patient/{id}`), status and OperationOutcome issue codes only
 * (checked against the IssueType value set), never ids, query values, expressions, diagnostics, bodies, hosts or
 * tokens: a server may write PHI into any of those. `url`, `operationOutcome` and `headers` stay on the error for
 * callers who choose to read them; they are non-enumerable and left out of `toJSON()`, so neither `console.log(err)`
 * nor `JSON.stringify(err)` prints them.
 *
 * See https://hl7.org/fhir/R4/http.html#summary (status codes) and
 * https://hl7.org/fhir/R4/operationoutcome.html.
 *
 * @example
 * ```ts
 * try { await client.read('Patient', 'x'); }
 * catch (e) { if (e instanceof FhirNotFoundError) console.log(e.code, e.status, e.operationOutcome?.issue[0]?.code); }
 * ```
 * @category Errors
 */
export class FhirError extends PeerFhirError {
  /** HTTP status, `undefined` for connection, timeout and abort errors. */
  readonly status: number | undefined;
  /** HTTP method of the failed request. */
  readonly method: string;
  /** What was asked for, without values (`Patient/{id}`, `(next page link)`). */
  readonly template: string;
  /** Full request URL, query included (non-enumerable: may hold identifiers). */
  declare readonly url: string;
  /** OperationOutcome from the server, untouched (non-enumerable: diagnostics and expressions may hold PHI). */
  declare readonly operationOutcome: OperationOutcome | undefined;
  /** Response headers, when a response arrived (non-enumerable). */
  declare readonly headers: Headers | undefined;

  /** The stable `code` of errors of this class when the constructor is given none; each subclass names its own. */
  static readonly defaultCode: string = 'client.http';

  constructor(init: FhirErrorInit, code: string = (new.target as typeof FhirError).defaultCode) {
    const template = init.template ?? '(request)';
    const codes = issueCodes(init.operationOutcome);
    super(init.summary ?? summarize(init.method, template, init.status, codes), {
      code,
      details: { method: init.method, template, ...(init.status === undefined ? {} : { status: init.status }), ...(codes.length ? { issueCodes: codes } : {}) },
      cause: init.cause,
    });
    this.status = init.status;
    this.method = init.method;
    this.template = template;
    Object.defineProperty(this, 'url', { value: init.url, enumerable: false });
    Object.defineProperty(this, 'operationOutcome', { value: init.operationOutcome, enumerable: false });
    Object.defineProperty(this, 'headers', { value: init.headers, enumerable: false });
    Object.defineProperty(this, BRAND, { value: true, enumerable: false });
  }

  /** A log-safe JSON form: name, code, message, status, method and path template; no URL, no OperationOutcome. */
  toJSON(): { name: string; code: string; message: string; status: number | undefined; method: string; template: string } {
    return { name: this.name, code: this.code, message: this.message, status: this.status, method: this.method, template: this.template };
  }
}

function summarize(method: string, template: string, status: number | undefined, codes: readonly string[]): string {
  const outcome = status === undefined ? 'failed' : `failed with HTTP ${status}`;
  return codes.length > 0 ? `${method} ${template} ${outcome} (issues: ${codes.join(', ')})` : `${method} ${template} ${outcome}`;
}

/**
 * HTTP 400: the server rejected the request as invalid.
 *
 * See https://hl7.org/fhir/R4/http.html#summary.
 * @example
 * ```ts
 * if (e instanceof FhirBadRequestError) report(e.operationOutcome);
 * ```
 * @category Errors
 */
export class FhirBadRequestError extends FhirError {
  static override readonly defaultCode: string = 'client.http.bad-request';
}

/**
 * HTTP 401: authentication missing or rejected (after one token refresh).
 *
 * See https://hl7.org/fhir/R4/http.html#summary.
 * @example
 * ```ts
 * if (e instanceof FhirUnauthorizedError) rotateCredentials();
 * ```
 * @category Errors
 */
export class FhirUnauthorizedError extends FhirError {
  static override readonly defaultCode: string = 'client.http.unauthorized';
}

/**
 * HTTP 403: authenticated but not allowed (scopes, consent, security labels).
 *
 * See https://hl7.org/fhir/R4/http.html#summary.
 * @example
 * ```ts
 * if (e instanceof FhirForbiddenError) console.warn('missing scope');
 * ```
 * @category Errors
 */
export class FhirForbiddenError extends FhirError {
  static override readonly defaultCode: string = 'client.http.forbidden';
}

/**
 * HTTP 404: unknown resource or resource type.
 *
 * See https://hl7.org/fhir/R4/http.html#read.
 * @example
 * ```ts
 * const p = await client.read('Patient', id).catch((e) => (e instanceof FhirNotFoundError ? undefined : Promise.reject(e)));
 * ```
 * @category Errors
 */
export class FhirNotFoundError extends FhirError {
  static override readonly defaultCode: string = 'client.http.not-found';
}

/**
 * HTTP 409: version conflict or duplicate.
 *
 * See https://hl7.org/fhir/R4/http.html#concurrency.
 * @example
 * ```ts
 * if (e instanceof FhirConflictError) retryLater();
 * ```
 * @category Errors
 */
export class FhirConflictError extends FhirError {
  static override readonly defaultCode: string = 'client.http.conflict';
}

/**
 * HTTP 410: the resource was deleted.
 *
 * See https://hl7.org/fhir/R4/http.html#read.
 * @example
 * ```ts
 * if (e instanceof FhirGoneError) markDeleted(id);
 * ```
 * @category Errors
 */
export class FhirGoneError extends FhirError {
  static override readonly defaultCode: string = 'client.http.gone';
}

/**
 * HTTP 412: `If-Match` version mismatch (someone else updated the resource) or ambiguous conditional.
 *
 * See https://hl7.org/fhir/R4/http.html#concurrency.
 * @example
 * ```ts
 * if (e instanceof FhirPreconditionFailedError) { const fresh = await client.read('Goal', id); }
 * ```
 * @category Errors
 */
export class FhirPreconditionFailedError extends FhirError {
  static override readonly defaultCode: string = 'client.http.precondition-failed';
}

/**
 * HTTP 422: the resource violates a profile or business rule.
 *
 * See https://hl7.org/fhir/R4/http.html#update.
 * @example
 * ```ts
 * if (e instanceof FhirUnprocessableEntityError) console.log(e.operationOutcome?.issue.map((i) => i.expression));
 * ```
 * @category Errors
 */
export class FhirUnprocessableEntityError extends FhirError {
  static override readonly defaultCode: string = 'client.http.unprocessable';
}

/**
 * HTTP 429: rate limited; `retryAfterMs` holds the server's `Retry-After`, if any.
 *
 * See https://hl7.org/fhir/R4/http.html#summary.
 * @example
 * ```ts
 * if (e instanceof FhirTooManyRequestsError) await sleep(e.retryAfterMs ?? 1000);
 * ```
 * @category Errors
 */
export class FhirTooManyRequestsError extends FhirError {
  /** Delay the server asked for, in milliseconds (from `Retry-After`). */
  readonly retryAfterMs: number | undefined;
  constructor(init: FhirErrorInit & { retryAfterMs?: number | undefined }, code = 'client.http.too-many-requests') {
    super(init, code);
    this.retryAfterMs = init.retryAfterMs;
  }
}

/**
 * HTTP 5xx: the server failed (retried automatically when the request is safe to repeat).
 *
 * See https://hl7.org/fhir/R4/http.html#summary.
 * @example
 * ```ts
 * if (e instanceof FhirServerError) alertOps(e.status);
 * ```
 * @category Errors
 */
export class FhirServerError extends FhirError {
  static override readonly defaultCode: string = 'client.http.server';
}

/**
 * No HTTP response: DNS, TCP reset, TLS or similar network failure.
 *
 * See https://hl7.org/fhir/R4/http.html.
 * @example
 * ```ts
 * if (e instanceof FhirConnectionError) console.warn('server unreachable');
 * ```
 * @category Errors
 */
export class FhirConnectionError extends FhirError {
  static override readonly defaultCode: string = 'client.connection';
}

/**
 * The request did not finish within `timeoutMs`.
 *
 * See https://hl7.org/fhir/R4/http.html.
 * @example
 * ```ts
 * await client.read('Patient', id, { timeoutMs: 5_000 }).catch((e) => e instanceof FhirTimeoutError);
 * ```
 * @category Errors
 */
export class FhirTimeoutError extends FhirConnectionError {
  static override readonly defaultCode: string = 'client.timeout';
}

/**
 * The caller's `AbortSignal` fired.
 *
 * See https://hl7.org/fhir/R4/http.html.
 * @example
 * ```ts
 * const ac = new AbortController(); ac.abort();
 * await client.read('Patient', id, { signal: ac.signal }).catch((e) => e instanceof FhirAbortError);
 * ```
 * @category Errors
 */
export class FhirAbortError extends FhirError {
  static override readonly defaultCode: string = 'client.abort';
}

/**
 * A request was refused before anything was sent: its URL (a redirect `Location`, a `next` link, a `Location`
 * header, a Bulk Data output URL) is off the base URL's origin and not in `allowedOrigins`, is not http(s), names a
 * link-local / cloud metadata address, or a redirect would carry the request body to another origin. The refused URL
 * is kept on `url` (non-enumerable), never in the message; `reason` says which rule applied.
 *
 * See https://hl7.org/fhir/R4/security.html and https://hl7.org/fhir/R4/http.html#paging.
 * @example
 * ```ts
 * try { await client.nextPage(bundle); }
 * catch (e) { if (e instanceof FhirOriginRefusedError) console.warn(e.code, e.reason); }
 * ```
 * @category Errors
 */
export class FhirOriginRefusedError extends FhirError {
  /** Which rule refused the URL. */
  readonly reason: OriginRefusal;
  constructor(init: FhirErrorInit & { reason: OriginRefusal }, code = 'client.origin-refused') {
    super({ ...init, summary: init.summary ?? `${init.method} ${init.template ?? '(request)'} refused before sending: ${REFUSALS[init.reason]}` }, code);
    this.reason = init.reason;
  }
}

const REFUSALS: Record<OriginRefusal, string> = {
  'cross-origin': 'the URL is off the base origin (list trusted origins in allowedOrigins)',
  scheme: 'only http and https URLs are followed',
  'metadata-address': 'the URL names a link-local or cloud metadata address',
  'body-would-cross': 'a redirect would send the request body to another origin',
};

/**
 * The OAuth token endpoint answered with a redirect. Token requests follow no redirects: the client secret or
 * assertion must not travel to a second origin, and a token issued elsewhere is never used.
 *
 * See https://www.rfc-editor.org/rfc/rfc6749#section-3.2 and https://hl7.org/fhir/smart-app-launch/backend-services.html.
 * @example
 * ```ts
 * if (e instanceof FhirTokenRedirectError) console.error('fix tokenUrl: the endpoint redirects');
 * ```
 * @category Errors
 */
export class FhirTokenRedirectError extends FhirError {
  constructor(init: FhirErrorInit, code = 'client.token-redirect') {
    super({ ...init, summary: init.summary ?? `POST (token endpoint) answered HTTP ${init.status ?? 'redirect'}: token requests follow no redirects` }, code);
  }
}

/**
 * More than 5 same-origin redirects in a row.
 *
 * See https://hl7.org/fhir/R4/http.html.
 * @example
 * ```ts
 * if (e instanceof FhirTooManyRedirectsError) console.error(e.template);
 * ```
 * @category Errors
 */
export class FhirTooManyRedirectsError extends FhirError {
  constructor(init: FhirErrorInit, code = 'client.too-many-redirects') {
    super({ ...init, summary: init.summary ?? `${init.method} ${init.template ?? '(request)'} was redirected more than 5 times` }, code);
  }
}

/**
 * A response body was larger than `maxResponseBytes` (client option, default 64 MiB); reading stopped there and
 * the request is not retried.
 *
 * See https://hl7.org/fhir/R4/http.html.
 * @example
 * ```ts
 * const client = new PeerFhirClient({ baseUrl: 'https://fhir.example.org/r4', maxResponseBytes: 16 * 1024 * 1024 });
 * await client.search('Encounter', { _count: 100 }).catch((e) => e instanceof FhirResponseTooLargeError);
 * ```
 * @category Errors
 */
export class FhirResponseTooLargeError extends FhirError {
  /** The cap that was exceeded, in bytes. */
  readonly limitBytes: number;
  constructor(init: FhirErrorInit & { limitBytes: number }, code = 'client.response-too-large') {
    super({ ...init, summary: init.summary ?? `${init.method} ${init.template ?? '(request)'} response is larger than ${init.limitBytes} bytes (maxResponseBytes)` }, code);
    this.limitBytes = init.limitBytes;
  }
}

/**
 * A search's `next` link pointed to a page already visited: the server would be followed forever.
 *
 * See https://hl7.org/fhir/R4/http.html#paging.
 * @example
 * ```ts
 * for await (const p of client.searchPages('Goal')) use(p); // throws FhirPagingLoopError on a self-link
 * ```
 * @category Errors
 */
export class FhirPagingLoopError extends FhirError {
  /** Pages read before the loop was found. */
  readonly pages: number;
  constructor(init: FhirErrorInit & { pages: number }, code = 'client.paging-loop') {
    super({ ...init, summary: init.summary ?? `${init.method} ${init.template ?? '(request)'}: the next link of page ${init.pages} repeats an earlier page` }, code);
    this.pages = init.pages;
  }
}

/**
 * A search had more pages than the client's `maxPages` default (10 000) and no `maxPages` was passed: the results
 * would be incomplete, so iteration fails instead of stopping quietly. Pass `maxPages` to stop early on purpose.
 *
 * See https://hl7.org/fhir/R4/http.html#paging.
 * @example
 * ```ts
 * for await (const p of client.searchPages('Encounter', {}, { maxPages: 50 })) use(p); // stops after 50, no error
 * ```
 * @category Errors
 */
export class FhirPagingLimitError extends FhirError {
  /** The page limit that was reached. */
  readonly pages: number;
  constructor(init: FhirErrorInit & { pages: number }, code = 'client.paging-limit') {
    super({ ...init, summary: init.summary ?? `${init.method} ${init.template ?? '(request)'} has more than ${init.pages} pages (the client's maxPages)` }, code);
    this.pages = init.pages;
  }
}

/**
 * True when `value` is a {@link FhirError} (also across duplicated copies of this package).
 *
 * See https://hl7.org/fhir/R4/http.html.
 * @param value - anything caught, e.g. in a `catch` block
 * @returns true when `value` is a `FhirError` of any copy of this package
 * @example
 * ```ts
 * catch (e) { if (isFhirError(e) && e.status === 404) return undefined; throw e; }
 * ```
 * @category Errors
 */
export function isFhirError(value: unknown): value is FhirError {
  return value instanceof FhirError || (typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true);
}
