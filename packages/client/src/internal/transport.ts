import { FhirAbortError, FhirConnectionError, FhirError, FhirTimeoutError } from '../errors.js';
import type { TokenSource } from '../auth/token-source.js';
import type { FetchLike, Logger, RequestOptions } from '../types.js';
import { errorFromResponse } from './error-factory.js';
import type { RequestPlan } from './fhir-kit-adapter.js';
import { redactPath } from './redact.js';
import { abortableSleep, backoffDelay, isRetryableStatus, parseRetryAfter } from './retry.js';

export interface TransportConfig {
  baseUrl: string;
  fetch: FetchLike;
  tokenSource: TokenSource | undefined;
  maxRetries: number;
  timeoutMs: number;
  logger: Logger | undefined;
  userAgent: string | undefined;
  headers: Record<string, string> | undefined;
  /** Test seams. */
  sleep?: ((ms: number, signal?: AbortSignal) => Promise<void>) | undefined;
  random?: (() => number) | undefined;
}

export interface SendOptions extends RequestOptions {
  /** Whether repeating the request cannot create duplicates (see retry.ts `isRepeatable`). */
  repeatable: boolean;
}

export interface RawResponse {
  status: number;
  headers: Headers;
  body: unknown;
}

const TIMEOUT = Symbol('timeout');

/** Sends a {@link RequestPlan} with the injected fetch: headers, auth, timeout, retries, logging, errors. */
export class Transport {
  readonly #cfg: TransportConfig;
  readonly #origin: string;
  readonly #sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly #random: () => number;

  constructor(cfg: TransportConfig) {
    this.#cfg = cfg;
    this.#origin = new URL(cfg.baseUrl).origin;
    this.#sleep = cfg.sleep ?? abortableSleep;
    this.#random = cfg.random ?? Math.random;
  }

  /** True when `url` is on the base URL's origin (the only place `Authorization` is sent). */
  isSameOrigin(url: string): boolean {
    try {
      return new URL(url).origin === this.#origin;
    } catch {
      return false;
    }
  }

  async send(plan: RequestPlan, opts: SendOptions): Promise<RawResponse> {
    const maxRetries = opts.maxRetries ?? this.#cfg.maxRetries;
    const timeoutMs = opts.timeoutMs ?? this.#cfg.timeoutMs;
    const path = redactPath(plan.url);
    const log = this.#cfg.logger;
    let refreshedAfter401 = false;

    for (let attempt = 0; ; attempt++) {
      const started = Date.now();
      let token: string | undefined;
      let status: number | undefined;
      let failure: FhirError;
      try {
        const headers = this.#headers(plan, opts);
        if (this.#cfg.tokenSource && this.isSameOrigin(plan.url)) {
          token = await this.#cfg.tokenSource.getToken(opts.signal);
          headers.authorization = `Bearer ${token}`;
        }
        const res = await this.#attempt(plan, headers, timeoutMs, opts.signal);
        status = res.status;
        log?.debug('fhir request', { method: plan.method, path, status, durationMs: Date.now() - started, attempt });
        if (res.status < 400) return res;
        if (res.status === 401 && token !== undefined && !refreshedAfter401 && this.#cfg.tokenSource?.invalidate(token)) {
          refreshedAfter401 = true;
          attempt--; // the refresh retry does not use up the retry budget
          log?.info('fhir token rejected, refreshing once', { method: plan.method, path });
          continue;
        }
        failure = errorFromResponse({ status: res.status, method: plan.method, url: plan.url, body: res.body, headers: res.headers });
      } catch (thrown) {
        failure = this.#toError(thrown, plan, opts.signal);
        if (failure instanceof FhirAbortError) throw failure;
        if (!(failure instanceof FhirConnectionError)) throw failure;
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

  #headers(plan: RequestPlan, opts: RequestOptions): Record<string, string> {
    const headers: Record<string, string> = { accept: 'application/fhir+json' };
    if (this.#cfg.userAgent) headers['user-agent'] = this.#cfg.userAgent;
    for (const src of [this.#cfg.headers, plan.headers, opts.headers]) {
      for (const [k, v] of Object.entries(src ?? {})) headers[k.toLowerCase()] = v;
    }
    // Authorization is ours to set: never forward a caller-supplied one off the base origin.
    if (!this.isSameOrigin(plan.url) || this.#cfg.tokenSource) delete headers.authorization;
    return headers;
  }

  async #attempt(plan: RequestPlan, headers: Record<string, string>, timeoutMs: number, signal?: AbortSignal): Promise<RawResponse> {
    if (signal?.aborted) throw signal.reason;
    const controller = new AbortController();
    const onAbort = (): void => controller.abort(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(() => controller.abort(TIMEOUT), timeoutMs);
    try {
      const init: RequestInit = { method: plan.method, headers, signal: controller.signal };
      if (plan.body !== undefined) init.body = plan.body;
      const res = await this.#cfg.fetch(plan.url, init);
      const text = await res.text();
      const body = parseBody(text);
      // A success whose body is not JSON was cut off on the way (undici resolves a chunked body cut by a closed
      // connection as if complete): treat it as a network error, so repeatable requests are retried.
      if (res.status < 300 && text !== '' && body === undefined) throw new TypeError('response body is truncated or not JSON');
      return { status: res.status, headers: res.headers, body };
    } catch (thrown) {
      if (controller.signal.aborted && controller.signal.reason === TIMEOUT) throw TIMEOUT;
      throw thrown;
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
  }

  #toError(thrown: unknown, plan: RequestPlan, signal?: AbortSignal): FhirError {
    if (thrown instanceof FhirError) return thrown;
    const base = { method: plan.method, url: plan.url };
    if (signal?.aborted) return new FhirAbortError({ ...base, cause: signal.reason, summary: `${plan.method} ${redactPath(plan.url)} aborted` });
    if (thrown === TIMEOUT) return new FhirTimeoutError({ ...base, summary: `${plan.method} ${redactPath(plan.url)} timed out` });
    return new FhirConnectionError({ ...base, cause: thrown, summary: `${plan.method} ${redactPath(plan.url)} failed: no response (network error)` });
  }
}

function parseBody(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined; // Non-JSON error pages (proxies) carry no OperationOutcome.
  }
}
