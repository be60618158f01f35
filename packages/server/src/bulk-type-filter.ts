import { isResourceType, matchesSearchRequest, parseSearchRequest, type SearchRequest } from '@medplum/core';
import type { OperationOutcome, Resource } from 'fhir/r4.js';
import { errorOutcome } from './internal/outcome.js';
import { checkSearchQuery } from './search-guard.js';

// Bulk Data `_typeFilter` (https://hl7.org/fhir/uv/bulkdata/STU2/export.html#_typefilter-experimental-query-parameter):
// each value is a search `Type?query` with the search syntax the server supports for that type. Several filters of one
// type are OR'd; types without a filter are exported whole; `_since` and the compartment still apply. A filter the
// server could not apply exactly is refused with 400 and an OperationOutcome naming `_typeFilter`, never ignored.

/** The filters of one export: resource type -> the search requests (any one matching keeps a resource). */
export type TypeFilters = ReadonlyMap<string, readonly SearchRequest[]>;

/** Result parameters change what a search returns, not which resources match: meaningless in a filter. */
const RESULT_PARAMS = new Set(['_count', '_offset', '_sort', '_include', '_revinclude', '_elements', '_summary', '_total', '_contained', '_containedType', '_format', '_pretty']);

/** One parsed filter, or the refusal text (no value from the request in it: parameter names are checked first). */
function parseFilter(value: string, asked: ReadonlySet<string> | undefined): { type: string; request: SearchRequest } | string {
  const at = value.indexOf('?');
  const type = at < 0 ? value : value.slice(0, at);
  if (!isResourceType(type)) return '_typeFilter must be Type?query with a known resource type';
  if (asked !== undefined && !asked.has(type)) return '_typeFilter names a type that _type does not ask for';
  const params = new URLSearchParams(at < 0 ? '' : value.slice(at + 1));
  if ([...params.keys()].length === 0) return '_typeFilter needs a search query after the type';
  if ([...params.keys()].some((k) => RESULT_PARAMS.has(k))) return '_typeFilter takes search criteria only, not result parameters such as _count or _include';
  if (checkSearchQuery(type, params) !== undefined) return '_typeFilter uses search syntax the embedded server does not support for this type';
  try {
    return { type, request: parseSearchRequest(`${type}?${params.toString()}`) };
  } catch {
    return '_typeFilter is not a valid search query';
  }
}

/** The `_typeFilter`s of a kick-off by type, or the OperationOutcome refusing them. */
export function typeFiltersOf(params: URLSearchParams, asked: ReadonlySet<string> | undefined): { filters: TypeFilters } | { refusal: OperationOutcome } {
  const filters = new Map<string, SearchRequest[]>();
  for (const value of params.getAll('_typeFilter')) {
    const parsed = parseFilter(value, asked);
    if (typeof parsed === 'string') return { refusal: errorOutcome('not-supported', parsed, '_typeFilter') };
    const list = filters.get(parsed.type);
    if (list) list.push(parsed.request);
    else filters.set(parsed.type, [parsed.request]);
  }
  return { filters };
}

/** Whether `resource` passes the filters of its type (always, when its type has none). */
export function passesTypeFilters(resource: Resource, filters: TypeFilters | undefined): boolean {
  const requests = filters?.get(resource.resourceType);
  return requests === undefined || requests.some((r) => matchesSearchRequest(resource as Parameters<typeof matchesSearchRequest>[0], r));
}
