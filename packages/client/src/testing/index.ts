/**
 * `@peer-fhir/client/testing`: a `PeerFhirClient` whose retry timer and jitter are under the test's control, for
 * deterministic tests of code that uses the client. Not for production.
 * @packageDocumentation
 */
import { PeerFhirClient } from '../client.js';
import type { PeerFhirClientOptions } from '../client-options.js';
import { pendingTestHooks } from '../internal/test-hooks.js';

/**
 * Overrides of the retry timer and jitter source.
 *
 * @example
 * ```ts
 * const hooks: PeerFhirClientTestHooks = { sleep: async () => {}, random: () => 0.5 };
 * ```
 * @category Testing
 */
export interface PeerFhirClientTestHooks {
  /** Called instead of waiting out a retry backoff of `ms` milliseconds. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** The jitter source, in [0, 1). */
  random?: () => number;
}

/**
 * A client like `new PeerFhirClient(options)` whose backoff sleeps and jitter come from `hooks`.
 *
 * @param options - the client options, as for `new PeerFhirClient(options)`
 * @param hooks - the retry timer and jitter source to use
 * @returns the client
 * @example
 * ```ts
 * const delays: number[] = [];
 * const client = clientWithTestHooks({ baseUrl: 'https://fhir.example.test/r4' }, { sleep: async (ms) => { delays.push(ms); }, random: () => 0.5 });
 * ```
 * @category Testing
 */
export function clientWithTestHooks(options: PeerFhirClientOptions, hooks: PeerFhirClientTestHooks): PeerFhirClient {
  const own = { ...options };
  pendingTestHooks.set(own, hooks);
  return new PeerFhirClient(own);
}
