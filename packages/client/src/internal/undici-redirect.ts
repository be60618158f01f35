/**
 * The only module that relies on how undici, Node's global `fetch` (undici 6.x in Node 20 and 22), treats redirects.
 * `test/undici-assumptions.test.ts` fails when an upgrade changes any of it.
 *
 * Why: undici copies the body of every request whose redirect mode is not `'error'`, byte for byte, before sending it
 * (the Fetch standard's "HTTP-network-or-cache fetch" clones the request so that a followed redirect can send it
 * again; cloning tees the body stream, and teeing a byte stream copies each chunk). The transport follows no redirect
 * through fetch: it sends with `redirect: 'manual'` and checks every 3xx itself, so that copy buys nothing, and it is
 * about a fifth of fetch's CPU for a 1.5 MB transaction (`recordEncounters` sends one per 100 encounters).
 *
 * How: a request that may be sent twice (see retry.ts `isRepeatable`) and carries a body goes out with
 * `redirect: 'error'`. A 3xx then rejects the fetch with a `TypeError` whose `cause` says `unexpected redirect` (an
 * `Error` in undici, the string itself in msw's fetch interceptor); the transport sends the same request again to the
 * same URL with `'manual'` and decides on the 3xx exactly as for any other request. Nothing is followed by fetch in
 * either mode. A request that must not be repeated (a plain create) keeps `'manual'`: a 303 after a POST may mean
 * "done, see there" (https://www.rfc-editor.org/rfc/rfc9110#name-303-see-other), and a second send would duplicate it.
 */

/**
 * True when the runtime's global `fetch` is undici's (Node): `process.versions.undici` is set. Read without assuming a
 * Node global exists, so the client still loads where `fetch` is the browser's.
 */
export function globalFetchIsUndici(): boolean {
  const runtime = (globalThis as { process?: { versions?: Record<string, string | undefined> } }).process;
  return typeof runtime?.versions?.undici === 'string';
}

/** The reason undici (and msw's interceptor) give a fetch that met a redirect in `redirect: 'error'` mode. */
const REDIRECT_REFUSED = 'unexpected redirect';

/** True when `thrown` is fetch's rejection of a 3xx answer to a request sent with `redirect: 'error'`. */
export function isRedirectRefusal(thrown: unknown): boolean {
  if (!(thrown instanceof TypeError)) return false;
  const cause: unknown = thrown.cause;
  return (cause instanceof Error ? cause.message : cause) === REDIRECT_REFUSED;
}
