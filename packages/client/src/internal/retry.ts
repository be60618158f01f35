import type { Bundle } from 'fhir/r4.js';

/** Longest `Retry-After` we honour; longer asks are capped so a batch job cannot stall for hours. */
export const MAX_RETRY_AFTER_MS = 60_000;
const BASE_DELAY_MS = 500;
const MAX_BACKOFF_MS = 8_000;

/** RFC 9110 §10.2.3: delay-seconds or an HTTP-date. Returns ms, capped, or undefined if absent/invalid. */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const trimmed = value.trim();
  let ms: number;
  if (/^\d+$/.test(trimmed)) {
    ms = Number(trimmed) * 1000;
  } else {
    const at = Date.parse(trimmed);
    if (Number.isNaN(at)) return undefined;
    ms = at - now;
  }
  return Math.min(Math.max(ms, 0), MAX_RETRY_AFTER_MS);
}

/** Exponential backoff with full jitter (AWS architecture blog): uniform in [0, min(cap, base·2^n)]. */
export function backoffDelay(attempt: number, random: () => number): number {
  const ceiling = Math.min(MAX_BACKOFF_MS, BASE_DELAY_MS * 2 ** attempt);
  return Math.floor(random() * ceiling);
}

export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/**
 * FHIR-aware idempotency: GET/HEAD/PUT/DELETE/PATCH are safe to repeat; POST only when the
 * server can deduplicate it: a conditional create (If-None-Exist, http.html#ccreate) or a
 * transaction/batch whose every entry is itself conditional or idempotent.
 */
export function isRepeatable(method: string, opts: { ifNoneExist?: string | undefined; bundle?: Bundle | undefined }): boolean {
  const m = method.toUpperCase();
  if (m !== 'POST') return true;
  if (opts.ifNoneExist) return true;
  if (opts.bundle) return isAllConditionalBundle(opts.bundle);
  return false;
}

export function isAllConditionalBundle(bundle: Bundle): boolean {
  const entries = bundle.entry ?? [];
  return entries.every((e) => {
    const req = e.request;
    if (!req) return false;
    switch (req.method) {
      case 'GET':
      case 'HEAD':
      case 'PUT':
      case 'DELETE':
        return true;
      case 'POST':
        return typeof req.ifNoneExist === 'string' && req.ifNoneExist.length > 0;
      default:
        return false;
    }
  });
}

/** Resolves after `ms`, or rejects with the signal's reason when aborted first. */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
