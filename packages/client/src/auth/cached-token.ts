export interface TokenResponse {
  accessToken: string;
  /** Seconds, from the token endpoint's `expires_in`. */
  expiresIn: number | undefined;
}

const DEFAULT_BUFFER_SECONDS = 60;
/** Tokens without `expires_in` are reused for this long. */
const DEFAULT_LIFETIME_SECONDS = 300;

/** Caches one access token until `expires_in − buffer`; concurrent callers share one token request. */
export class CachedTokenSource {
  #token: string | undefined;
  #expiresAt = 0;
  #inflight: Promise<string> | undefined;
  readonly #fetchToken: (signal?: AbortSignal) => Promise<TokenResponse>;
  readonly #bufferMs: number;
  readonly #now: () => number;

  constructor(fetchToken: (signal?: AbortSignal) => Promise<TokenResponse>, bufferSeconds?: number, now: () => number = Date.now) {
    this.#fetchToken = fetchToken;
    this.#bufferMs = (bufferSeconds ?? DEFAULT_BUFFER_SECONDS) * 1000;
    this.#now = now;
  }

  getToken(signal?: AbortSignal): Promise<string> {
    if (this.#token !== undefined && this.#now() < this.#expiresAt) return Promise.resolve(this.#token);
    // Single flight: the caller's signal does not cancel the shared request.
    this.#inflight ??= this.#refresh().finally(() => {
      this.#inflight = undefined;
    });
    return signal ? raceAbort(this.#inflight, signal) : this.#inflight;
  }

  invalidate(token: string): boolean {
    if (this.#token === token) {
      this.#token = undefined;
      this.#expiresAt = 0;
    }
    return true;
  }

  async #refresh(): Promise<string> {
    const started = this.#now();
    const res = await this.#fetchToken();
    const lifetimeMs = (res.expiresIn ?? DEFAULT_LIFETIME_SECONDS) * 1000;
    // A buffer larger than half the lifetime would refresh on every call: use half instead.
    const buffer = Math.min(this.#bufferMs, lifetimeMs / 2);
    this.#token = res.accessToken;
    this.#expiresAt = started + lifetimeMs - buffer;
    return res.accessToken;
  }
}

function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}
