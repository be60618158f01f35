import { normalizeOperationOutcome, notFound, parseSearchRequest, type SearchRequest } from '@medplum/core';
import { FhirRouter } from '@medplum/fhir-router';
import type { HttpMethod, MemoryRepository } from '@medplum/fhir-router';
import type { OperationOutcome, Resource } from 'fhir/r4.js';

// The one call into Medplum 4.5.2's FhirRouter (assumption A8 of ./index.ts).

const router = new FhirRouter();
const METHODS: ReadonlySet<string> = new Set<HttpMethod>(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']);

function isHttpMethod(method: string): method is HttpMethod {
  return METHODS.has(method);
}

/** A request for Medplum's router: the route is `url` (path relative to the FHIR base, and query). */
export interface RouterRequest {
  method: string;
  /** `Type/id?query`, relative to the base, segments URL-encoded. */
  url: string;
  headers: Record<string, string>;
  body: unknown;
}

/**
 * Serve one request with Medplum's FhirRouter over `repo`; a throw becomes its OperationOutcome. Transactions are
 * enabled (the caller holds the write journal that makes them all-or-nothing).
 */
export async function routeRequest(request: RouterRequest, repo: MemoryRepository): Promise<[OperationOutcome, Resource | undefined]> {
  // A method the router has no route for: its own answer (`notFound`), without asking it.
  if (!isHttpMethod(request.method)) return [notFound as OperationOutcome, undefined];
  try {
    // 4.5.2 throws when `pathname` is set: the route is taken from `url` alone.
    const [outcome, resource] = await router.handleRequest(
      { method: request.method, url: request.url, pathname: '', params: {}, query: {}, headers: request.headers, body: request.body, config: { transactions: true } },
      repo,
    );
    return [outcome as OperationOutcome, resource as Resource | undefined];
  } catch (err) {
    return [normalizeOperationOutcome(err) as OperationOutcome, undefined];
  }
}

/**
 * The request the router's type-level search (`GET [type]?query`, assumption A8) hands the repository's `search`:
 * `parseSearchRequest(type, query)`, each parameter's values collected as the router collects them (one value: a
 * string, several: an array). handle-request.ts answers plain searches on the SQLite store with it, without the
 * router, to serve the stored JSON texts; throws Medplum's OperationOutcomeError where the router would answer one.
 */
export function searchRequestOf(type: string, params: URLSearchParams): SearchRequest {
  const query: Record<string, string | string[]> = Object.create(null) as Record<string, string | string[]>;
  for (const name of new Set(params.keys())) {
    const values = params.getAll(name);
    const [first] = values;
    query[name] = values.length === 1 && first !== undefined ? first : values;
  }
  return parseSearchRequest(type, query);
}
