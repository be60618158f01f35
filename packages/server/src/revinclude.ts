import type { Bundle, BundleEntry, Resource } from 'fhir/r4.js';
import { errorOutcome } from './internal/outcome.js';
import type { SearchRejection } from './search-guard.js';

/** The one `_revinclude` the embedded server serves: the Provenance of each match (US Core requires it). */
export const PROVENANCE_TARGET = 'Provenance:target';

/** A search query split into what the router answers and whether the matches' Provenance is asked for. */
export interface RevincludeQuery {
  /** The query without `_revinclude`. */
  query: URLSearchParams;
  provenance: boolean;
}

/**
 * Take `_revinclude` out of a search query: `Provenance:target` is served (https://hl7.org/fhir/R4/search.html#revinclude,
 * US Core "SHALL support _revinclude=Provenance:target"); any other value is refused with 501 rather than ignored.
 */
export function takeRevinclude(params: URLSearchParams): RevincludeQuery | SearchRejection {
  const values = params.getAll('_revinclude');
  const other = [...params.keys()].find((k) => k.startsWith('_revinclude:'));
  if (other !== undefined || values.some((v) => v !== PROVENANCE_TARGET)) {
    return { status: 501, outcome: errorOutcome('not-supported', `_revinclude is supported for ${PROVENANCE_TARGET} only; search the referring type instead`, '_revinclude') };
  }
  return { query: withoutRevinclude(params), provenance: values.length > 0 };
}

/** A copy of the query without `_revinclude`. */
export function withoutRevinclude(params: URLSearchParams): URLSearchParams {
  const query = new URLSearchParams(params);
  query.delete('_revinclude');
  return query;
}

/** Provenance resources whose `target` is `reference` (`Type/id`), as the router finds them. */
export type ProvenanceSearch = (reference: string) => Promise<Resource[]>;

/**
 * Add the Provenance of every match of a searchset page as `search.mode = include` entries, each once, after the
 * matches. Only the page's matches are looked up, so the page stays bounded by `_count`.
 */
export async function addTargetProvenance(page: Bundle, find: ProvenanceSearch, baseUrl: string): Promise<Bundle> {
  const seen = new Set<string>();
  const included: BundleEntry[] = [];
  for (const e of page.entry ?? []) {
    const r = e.resource;
    if (!r?.id || e.search?.mode !== 'match') continue;
    for (const p of await find(`${r.resourceType}/${r.id}`)) {
      if (!p.id || seen.has(p.id)) continue;
      seen.add(p.id);
      included.push({ fullUrl: `${baseUrl}/Provenance/${p.id}`, resource: p, search: { mode: 'include' } });
    }
  }
  return included.length ? { ...page, entry: [...(page.entry ?? []), ...included] } : page;
}
