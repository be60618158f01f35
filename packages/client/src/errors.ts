import type { OperationOutcome } from 'fhir/r4.js';
import { redactUrl } from './internal/redact.js';

const BRAND = Symbol.for('@peer-fhir/client.FhirError');

/** Fields every {@link FhirError} is built from. */
export interface FhirErrorInit {
  /** HTTP status, absent for connection, timeout and abort errors. */
  status?: number | undefined;
  /** HTTP method of the failed request. */
  method: string;
  /** Full request URL (kept on the error, never copied into `message`). */
  url: string;
  /** OperationOutcome returned by the server, when the body was one. */
  operationOutcome?: OperationOutcome | undefined;
  /** Response headers, when a response arrived. */
  headers?: Headers | undefined;
  /** Underlying cause (network error, abort reason). */
  cause?: unknown;
  /** Override of the generated summary (must not contain PHI). */
  summary?: string | undefined;
}

/**
 * Base class of every error thrown by `PeerFhirClient`.
 *
 * The message holds method, URL path with query values removed, status and OperationOutcome
 * issue codes/expressions only, never diagnostics text, bodies or tokens. `url` and
 * `operationOutcome` are non-enumerable so `console.log(err)` does not print them by accident.
 *
 * See https://hl7.org/fhir/R4/http.html#summary (status codes) and
 * https://hl7.org/fhir/R4/operationoutcome.html.
 *
 * @example
 * ```ts
 * try { await client.read('Patient', 'x'); }
 * catch (e) { if (e instanceof FhirNotFoundError) console.log(e.status, e.operationOutcome?.issue[0]?.code); }
 * ```
 * @category Errors
 */
export class FhirError extends Error {
  /** HTTP status, `undefined` for connection, timeout and abort errors. */
  readonly status: number | undefined;
  /** HTTP method of the failed request. */
  readonly method: string;
  /** Full request URL, query included (non-enumerable: may hold identifiers). */
  declare readonly url: string;
  /** OperationOutcome from the server, untouched (non-enumerable: diagnostics may hold PHI). */
  declare readonly operationOutcome: OperationOutcome | undefined;
  /** Response headers, when a response arrived (non-enumerable). */
  declare readonly headers: Headers | undefined;

  constructor(init: FhirErrorInit) {
    super(init.summary ?? summarize(init), init.cause === undefined ? undefined : { cause: init.cause });
    this.name = new.target.name;
    this.status = init.status;
    this.method = init.method;
    Object.defineProperty(this, 'url', { value: init.url, enumerable: false });
    Object.defineProperty(this, 'operationOutcome', { value: init.operationOutcome, enumerable: false });
    Object.defineProperty(this, 'headers', { value: init.headers, enumerable: false });
    Object.defineProperty(this, BRAND, { value: true, enumerable: false });
  }

  /** A log-safe JSON form: no query values, no OperationOutcome text. */
  toJSON(): { name: string; message: string; status: number | undefined; method: string; url: string } {
    return { name: this.name, message: this.message, status: this.status, method: this.method, url: redactUrl(this.url) };
  }
}

function summarize(init: FhirErrorInit): string {
  const where = `${init.method} ${redactUrl(init.url)}`;
  const status = init.status === undefined ? 'failed' : `failed with HTTP ${init.status}`;
  const issues = (init.operationOutcome?.issue ?? [])
    .slice(0, 5)
    .map((i) => (i.expression?.length ? `${i.code} at ${i.expression.join(', ')}` : i.code))
    .filter(Boolean);
  return issues.length > 0 ? `${where} ${status} (issues: ${issues.join('; ')})` : `${where} ${status}`;
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
export class FhirBadRequestError extends FhirError {}

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
export class FhirUnauthorizedError extends FhirError {}

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
export class FhirForbiddenError extends FhirError {}

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
export class FhirNotFoundError extends FhirError {}

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
export class FhirConflictError extends FhirError {}

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
export class FhirGoneError extends FhirError {}

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
export class FhirPreconditionFailedError extends FhirError {}

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
export class FhirUnprocessableEntityError extends FhirError {}

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
  constructor(init: FhirErrorInit & { retryAfterMs?: number | undefined }) {
    super(init);
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
export class FhirServerError extends FhirError {}

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
export class FhirConnectionError extends FhirError {}

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
export class FhirTimeoutError extends FhirConnectionError {}

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
export class FhirAbortError extends FhirError {}

/**
 * True when `value` is a {@link FhirError} (also across duplicated copies of this package).
 *
 * See https://hl7.org/fhir/R4/http.html.
 * @example
 * ```ts
 * catch (e) { if (isFhirError(e) && e.status === 404) return undefined; throw e; }
 * ```
 * @category Errors
 */
export function isFhirError(value: unknown): value is FhirError {
  return value instanceof FhirError || (typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true);
}
