import {
  FhirAbortError,
  FhirConnectionError,
  FhirError,
  FhirOriginRefusedError,
  FhirResponseTooLargeError,
  FhirTimeoutError,
  FhirTooManyRedirectsError,
  type OriginRefusal,
} from '../errors.js';
import type { TokenSource } from '../auth/token-source.js';
import type { FetchLike, Logger, RequestOptions } from '../types.js';
import { errorFromResponse } from './error-factory.js';
import type { RequestPlan } from './fhir-kit-adapter.js';
import { classifyUrl, originOf, readCapped, type Destination } from './origin.js';
import { abortableSleep, backoffDelay, isRetryableStatus, parseRetryAfter } from './retry.js';
import { isRedirectRefusal } from './undici-redirect.js';

export interface TransportConfig {
  baseUrl: string;
  fetch: FetchLike;
  tokenSource: TokenSource | undefined;
  maxRetries: number;
  timeoutMs: number;
  logger: Logger | undefined;
  userAgent: string | undefined;
  headers: Record<string, string> | undefined;
  /** Origins besides the base URL's that links and redirects may lead to (no body, custom header or token goes there). */
  allowedOrigins?: readonly string[] | undefined;
  /** Largest response body read, in bytes (default 64 MiB). */
  maxResponseBytes?: number | undefined;
  /**
   * `fetch` is undici's (Node's global fetch): a repeatable request with a body is sent with `redirect: 'error'`, which
   * spares undici a copy of the body, and again with `'manual'` if it met a redirect (see undici-redirect.ts).
   */
  undiciFetch?: boolean | undefined;
  /** Test seams. */
  sleep?: ((ms: number, signal?: AbortSignal) => Promise<void>) | undefined;
  random?: (() => number) | undefined;
}

export interface SendOptions extends RequestOptions {
  /** Whether repeating the request cannot create duplicates (see retry.ts `isRepeatable`). */
  repeatable: boolean;
  /** Answer a 2xx with the fetch `Response` as `body`, unread (a Bulk Data file is streamed by the caller). */
  stream?: boolean | undefined;
  /**
   * Send the token to an `allowedOrigins` entry too: only for a Bulk Data file whose manifest says
   * `requiresAccessToken: true` (https://hl7.org/fhir/uv/bulkdata/STU2/export.html#response---complete-status).
   */
  tokenToAllowed?: boolean | undefined;
}

export interface RawResponse {
  status: number;
  headers: Headers;
  body: unknown;
}

const TIMEOUT = Symbol('timeout');
const MAX_REDIRECTS = 5;
const REDIRECT_STATUSES: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);
/** Default cap of a response body: a Bundle page of 1 000 entries is a few MB; 700 MB is an attack. */
export const DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

/** Sends a {@link RequestPlan} with the injected fetch: headers, auth, timeout, retries, logging, errors. */
export class Transport {
  readonly #cfg: TransportConfig;
  readonly #origin: string;
  readonly #allowed: ReadonlySet<string>;
  readonly #maxBytes: number;
  readonly #sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly #random: () => number;

  constructor(cfg: TransportConfig) {
    this.#cfg = cfg;
    this.#origin = new URL(cfg.baseUrl).origin;
    this.#allowed = new Set((cfg.allowedOrigins ?? []).map(originOf));
    this.#maxBytes = cfg.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    this.#sleep = cfg.sleep ?? abortableSleep;
    this.#random = cfg.random ?? Math.random;
  }

  /** Where `url` may go: `base`, `allowed` (an `allowedOrigins` entry) or the reason it is refused. */
  destinationOf(url: string): Destination | OriginRefusal {
    return classifyUrl(url, this.#origin, this.#allowed);
  }

  async send(plan: RequestPlan, opts: SendOptions): Promise<RawResponse> {
    const maxRetries = opts.maxRetries ?? this.#cfg.maxRetries;
    const timeoutMs = opts.timeoutMs ?? this.#cfg.timeoutMs;
    // Log lines carry the path template only: a server-made link can put any value in a path or query.
    const path = plan.template ?? '(request)';
    const log = this.#cfg.logger;
    let refreshedAfter401 = false;

    for (let attempt = 0; ; attempt++) {
      const started = Date.now();
      let status: number | undefined;
      let failure: FhirError;
      try {
        const { res, token, final } = await this.#exchange(plan, opts, timeoutMs);
        status = res.status;
        log?.debug('fhir request', { method: plan.method, path, status, durationMs: Date.now() - started, attempt });
        if (res.status < 400) return res;
        if (res.status === 401 && token !== undefined && !refreshedAfter401 && this.#cfg.tokenSource?.invalidate(token)) {
          refreshedAfter401 = true;
          attempt--; // the refresh retry does not use up the retry budget
          log?.info('fhir token rejected, refreshing once', { method: plan.method, path });
          continue;
        }
        failure = errorFromResponse({ status: res.status, method: final.method, url: final.url, template: plan.template, body: res.body, headers: res.headers });
      } catch (thrown) {
        failure = this.#toError(thrown, plan, opts.signal);
        if (failure instanceof FhirAbortError) throw failure;
        if (!(failure instanceof FhirConnectionError)) {
          log?.warn('fhir request refused', { method: plan.method, path, error: failure.name, code: failure.code });
          throw failure;
        }
      }

      const retryable = status === undefined ? failure instanceof FhirConnectionError : isRetryableStatus(status);
      if (!opts.repeatable || !retryable || attempt >= maxRetries) {
        log?.warn('fhir request failed', { method: plan.method, path, status, attempts: attempt + 1, error: failure.name });
        throw failure;
      }
      const retryAfter = parseRetryAfter(failure.headers?.get('retry-after') ?? null, Date.now());
      const delayMs = retryAfter ?? backoffDelay(attempt, this.#random);
      log?.warn('fhir request retry', { method: plan.method, path, status, attempt: attempt + 1, delayMs, error: failure.name });
      try {
        await this.#sleep(delayMs, opts.signal);
      } catch (reason) {
        throw this.#toError(reason, plan, opts.signal);
      }
    }
  }

  /**
   * One request and the redirects it leads to. Every URL is checked before it is fetched; fetch runs with
   * `redirect: 'manual'` (or `'error'` first, see `#fetch`), so the runtime never follows a 3xx on its own (it would
   * re-send custom headers and, on a 307/308, the body to whatever origin the server names). A same-origin redirect is followed (at most 5); a
   * cross-origin one only to an `allowedOrigins` entry, without body, custom headers or token.
   */
  async #exchange(plan: RequestPlan, opts: SendOptions, timeoutMs: number): Promise<{ res: RawResponse; token: string | undefined; final: RequestPlan }> {
    let current = plan;
    for (let hops = 0; ; hops++) {
      const where = this.#check(current, plan);
      const headers = this.#headers(current, opts, where);
      let token: string | undefined;
      if (this.#cfg.tokenSource && (where === 'base' || opts.tokenToAllowed === true)) {
        token = await this.#cfg.tokenSource.getToken(opts.signal);
        headers.authorization = `Bearer ${token}`;
      }
      const res = await this.#attempt(current, headers, timeoutMs, opts, plan);
      if (res.opaqueRedirect) {
        // Browsers hide the Location of a manual redirect: it cannot be checked, so it is not followed.
        throw new FhirOriginRefusedError({ method: current.method, url: current.url, template: plan.template, reason: 'cross-origin' });
      }
      const location = REDIRECT_STATUSES.has(res.status) ? res.headers.get('location') : null;
      if (location === null) return { res, token, final: current };
      if (hops >= MAX_REDIRECTS) throw new FhirTooManyRedirectsError({ method: plan.method, url: current.url, template: plan.template, status: res.status });
      current = redirected(current, res.status, location);
    }
  }

  #check(current: RequestPlan, plan: RequestPlan): Destination {
    const where = this.destinationOf(current.url);
    if (where === 'base' || (where === 'allowed' && current.body === undefined)) return where;
    throw new FhirOriginRefusedError({
      method: current.method,
      url: current.url,
      template: plan.template,
      reason: where === 'allowed' ? 'body-would-cross' : where,
    });
  }

  #headers(plan: RequestPlan, opts: RequestOptions, where: Destination): Record<string, string> {
    const headers: Record<string, string> = { accept: 'application/fhir+json' };
    if (this.#cfg.userAgent) headers['user-agent'] = this.#cfg.userAgent;
    // Caller headers (API keys, cookies) are credentials as much as a token is: they stay on the base origin.
    if (where !== 'base') return headers;
    for (const src of [this.#cfg.headers, plan.headers, opts.headers]) {
      for (const [k, v] of Object.entries(src ?? {})) headers[k.toLowerCase()] = v;
    }
    // Authorization is ours to set when a token source is configured.
    if (this.#cfg.tokenSource) delete headers.authorization;
    return headers;
  }

  async #attempt(plan: RequestPlan, headers: Record<string, string>, timeoutMs: number, opts: SendOptions, asked: RequestPlan): Promise<RawResponse & { opaqueRedirect: boolean }> {
    const signal = opts.signal;
    if (signal?.aborted) throw signal.reason;
    const controller = new AbortController();
    const onAbort = (): void => controller.abort(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(() => controller.abort(TIMEOUT), timeoutMs);
    try {
      const init: RequestInit = { method: plan.method, headers, signal: controller.signal };
      if (plan.body !== undefined) init.body = plan.body;
      const res = await this.#fetch(plan.url, init, plan.body !== undefined && opts.repeatable && this.#cfg.undiciFetch === true);
      // The timeout covers the answer's headers; the caller reading a streamed body watches its own signal.
      if (opts.stream === true && res.status >= 200 && res.status < 300) return { status: res.status, headers: res.headers, body: res, opaqueRedirect: false };
      const text = await readCapped(res, this.#maxBytes, () =>
        new FhirResponseTooLargeError({ method: asked.method, url: plan.url, template: asked.template, status: res.status, limitBytes: this.#maxBytes }),
      );
      const body = parseBody(text);
      // A success whose body is not JSON was cut off on the way (undici resolves a chunked body cut by a closed
      // connection as if complete): treat it as a network error, so repeatable requests are retried.
      if (res.status < 300 && text !== '' && body === undefined) throw new TypeError('response body is truncated or not JSON');
      return { status: res.status, headers: res.headers, body, opaqueRedirect: res.type === 'opaqueredirect' };
    } catch (thrown) {
      if (controller.signal.aborted && controller.signal.reason === TIMEOUT) throw TIMEOUT;
      throw thrown;
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
  }

  /**
   * The fetch itself: `redirect: 'manual'`, or first `'error'` when `spareCopy` (a repeatable request with a body on
   * undici, which then does not copy the body); a redirect met that way is sent again with `'manual'`, so the 3xx
   * reaches `#exchange` as it would have (see undici-redirect.ts).
   */
  async #fetch(url: string, init: RequestInit, spareCopy: boolean): Promise<Response> {
    if (!spareCopy) return this.#cfg.fetch(url, { ...init, redirect: 'manual' });
    try {
      return await this.#cfg.fetch(url, { ...init, redirect: 'error' });
    } catch (thrown) {
      if (init.signal?.aborted === true || !isRedirectRefusal(thrown)) throw thrown;
      this.#cfg.logger?.debug('fhir request met a redirect, sent again to read it', { method: init.method });
      return this.#cfg.fetch(url, { ...init, redirect: 'manual' });
    }
  }

  #toError(thrown: unknown, plan: RequestPlan, signal?: AbortSignal): FhirError {
    if (thrown instanceof FhirError) return thrown;
    const template = plan.template ?? '(request)';
    const base = { method: plan.method, url: plan.url, template };
    if (signal?.aborted) return new FhirAbortError({ ...base, cause: signal.reason, summary: `${plan.method} ${template} aborted` });
    if (thrown === TIMEOUT) return new FhirTimeoutError({ ...base, summary: `${plan.method} ${template} timed out` });
    return new FhirConnectionError({ ...base, cause: thrown, summary: `${plan.method} ${template} failed: no response (network error)` });
  }
}

/**
 * The request a redirect leads to (WHATWG Fetch "HTTP-redirect fetch"): 303, and 301/302 after a POST, become a GET
 * without body; 307/308 keep method and body. The URL is resolved against the redirecting one and checked by the caller.
 */
function redirected(from: RequestPlan, status: number, location: string): RequestPlan {
  let url: string;
  try {
    url = new URL(location, from.url).toString();
  } catch {
    url = location; // unparseable: refused by the origin check as a bad scheme
  }
  const toGet = status === 303 ? from.method !== 'GET' : (status === 301 || status === 302) && from.method === 'POST';
  if (!toGet) return { ...from, url };
  const headers = { ...from.headers };
  delete headers['content-type'];
  return { ...from, method: 'GET', url, body: undefined, headers };
}

function parseBody(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined; // Non-JSON error pages (proxies) carry no OperationOutcome.
  }
}
