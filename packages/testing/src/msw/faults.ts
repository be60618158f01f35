import { delay, http, HttpResponse, type RequestHandler } from 'msw';
import { Random } from '../synthetic/random.js';

/**
 * A failure {@link withFaults} can inject:
 * `rate-limit` = 429 with `Retry-After`; `unavailable` = 503; `connection-reset` = a network error
 * (fetch rejects with `TypeError`); `slow` = the real response after a delay.
 * @category msw
 */
export type FaultKind = 'rate-limit' | 'unavailable' | 'connection-reset' | 'slow';

/** Every fault kind, in the order used when picking one. */
export const FAULT_KINDS: readonly FaultKind[] = ['rate-limit', 'unavailable', 'connection-reset', 'slow'];

/**
 * Tally of faults injected so far; a plain mutable object tests can read and assert on.
 * @category msw
 */
export interface FaultCounter {
  /** Requests that were eligible for a fault (matched the scope). */
  considered: number;
  /** Faults injected, all kinds. */
  injected: number;
  /** Faults injected per kind. */
  byKind: Record<FaultKind, number>;
  /** One line per injected fault, e.g. `{ kind: 'rate-limit', method: 'POST', url: '…/Patient' }`. */
  log: { kind: FaultKind; method: string; url: string }[];
}

/**
 * How {@link withFaults} picks requests to fail.
 * @category msw
 */
export interface FaultOptions {
  /** Probability in [0, 1] that an eligible request gets a fault. */
  rate: number;
  /** Kinds to choose from, uniformly; default all of {@link FaultKind}. */
  kinds?: readonly FaultKind[];
  /** PRNG seed; the same seed and request order give the same faults. Default 1. */
  seed?: number;
  /** Only requests with these HTTP methods are eligible, e.g. `['POST']`. */
  onlyMethods?: readonly string[];
  /** Only requests for which this returns true are eligible (in addition to being handled by the wrapped handlers). */
  match?: (request: Request) => boolean;
  /** `Retry-After` seconds on 429 responses; default 1. */
  retryAfterSeconds?: number;
  /** Delay for `slow` faults in ms; default 2000. */
  delayMs?: number;
  /** Counter to update; default a new one (see {@link createFaultCounter}). */
  counter?: FaultCounter;
}

/**
 * Create an empty {@link FaultCounter} to pass as `faults.counter` and assert on later.
 *
 * @returns a counter with every count at zero, to pass as `withFaults({ counter })`
 * @example
 * ```ts
 * const counter = createFaultCounter();
 * server.use(...withFaults(handlers, { rate: 0.3, seed: 7, counter }));
 * // ... run the code under test ...
 * expect(counter.byKind['rate-limit']).toBeGreaterThan(0);
 * ```
 * @category msw
 */
export function createFaultCounter(): FaultCounter {
  return { considered: 0, injected: 0, byKind: { 'rate-limit': 0, unavailable: 0, 'connection-reset': 0, slow: 0 }, log: [] };
}

/**
 * Put a deterministic fault injector in front of msw handlers: a share (`rate`) of the requests
 * they handle get a 429 with `Retry-After`, a 503, a connection reset or a delay, chosen by a
 * seeded PRNG, so a retrying client can be tested reproducibly
 * (FHIR servers signal overload the HTTP way: https://hl7.org/fhir/R4/http.html#2.21.0.2).
 *
 * @param handlers - the handlers to wrap
 * @param options - fault rate, kinds, seed, methods and counter
 * @returns the handlers, failing a seeded share of requests
 * @throws RangeError when `rate` is not in [0, 1]
 * @returns A new handler list: the fault handler first, then `handlers` unchanged.
 * @example
 * ```ts
 * const counter = createFaultCounter();
 * const server = setupServer(
 *   ...withFaults(createFhirHandlers({ baseUrl: 'https://ehr.test/fhir' }), {
 *     rate: 0.5, kinds: ['rate-limit', 'unavailable'], seed: 42, onlyMethods: ['POST'], counter,
 *   }),
 * );
 * ```
 * @category msw
 */
export function withFaults(handlers: readonly RequestHandler[], options: FaultOptions): RequestHandler[] {
  if (!(options.rate >= 0 && options.rate <= 1)) throw new RangeError(`faults.rate must be in [0, 1], got ${options.rate}`);
  const kinds = options.kinds?.length ? [...options.kinds] : [...FAULT_KINDS];
  // The one seeded generator of the package (synthetic data uses it too): the same seed, the same faults.
  const rng = new Random(options.seed ?? 1);
  const random = (): number => rng.next();
  const counter = options.counter ?? createFaultCounter();
  const methods = options.onlyMethods?.map((m) => m.toUpperCase());

  const eligible = async (request: Request): Promise<boolean> => {
    if (methods && !methods.includes(request.method.toUpperCase())) return false;
    if (options.match && !options.match(request)) return false;
    for (const handler of handlers) if (await handler.test({ request: request.clone() })) return true;
    return false;
  };

  const faultHandler = http.all(
    () => true,
    async ({ request }) => {
      if (!(await eligible(request))) return undefined;
      counter.considered += 1;
      // Draw both numbers every time so the sequence depends only on the seed and request order.
      const roll = random();
      const pick = random();
      if (roll >= options.rate) return undefined;
      const kind = kinds[Math.min(kinds.length - 1, Math.floor(pick * kinds.length))] ?? 'unavailable';
      counter.injected += 1;
      counter.byKind[kind] += 1;
      counter.log.push({ kind, method: request.method, url: request.url });
      switch (kind) {
        case 'rate-limit':
          return HttpResponse.json(outcome('throttled', 'Too many requests (injected fault)'), {
            status: 429,
            headers: { 'content-type': 'application/fhir+json', 'retry-after': String(options.retryAfterSeconds ?? 1) },
          });
        case 'unavailable':
          return HttpResponse.json(outcome('transient', 'Service unavailable (injected fault)'), {
            status: 503,
            headers: { 'content-type': 'application/fhir+json' },
          });
        case 'connection-reset':
          return HttpResponse.error();
        case 'slow':
          await delay(options.delayMs ?? 2000);
          return undefined; // fall through to the real handler
      }
    },
  );
  return [faultHandler, ...handlers];
}

function outcome(code: string, diagnostics: string): Record<string, unknown> {
  return { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code, diagnostics }] };
}
