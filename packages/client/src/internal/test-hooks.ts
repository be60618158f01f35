/**
 * Test hooks (retry timer, jitter source) handed to a `PeerFhirClient` by `@peer-fhir/client/testing`, keyed by the
 * options object the client is constructed with, so the public constructor takes one argument only.
 */
export interface TestHooks {
  sleep?: ((ms: number, signal?: AbortSignal) => Promise<void>) | undefined;
  random?: (() => number) | undefined;
}

/** Hooks for the client about to be constructed with this options object. */
export const pendingTestHooks = new WeakMap<object, TestHooks>();
