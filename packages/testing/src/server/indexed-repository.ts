import { MemoryRepository } from '@medplum/fhir-router';
import type { Resource } from 'fhir/r4.js';

type SearchArg = Parameters<MemoryRepository['search']>[0];
type SearchResult = Awaited<ReturnType<MemoryRepository['search']>>;

interface TokenLookup {
  code: 'identifier' | '_tag';
  system: string;
  value: string;
}

/** A search that is exactly one `identifier=system|value` or `_tag=system|value`, unsorted: the shape of every conditional create. */
function tokenLookup(req: SearchArg): TokenLookup | undefined {
  const filters = req.filters ?? [];
  if (filters.length !== 1 || req.sortRules?.length || req.offset) return undefined;
  const f = filters[0]!;
  if ((f.code !== 'identifier' && f.code !== '_tag') || f.operator !== 'eq') return undefined;
  const v = f.value;
  if (v.includes(',') || v.includes('\\')) return undefined;
  const bar = v.indexOf('|');
  if (bar <= 0 || bar !== v.lastIndexOf('|')) return undefined;
  return { code: f.code, system: v.slice(0, bar), value: v.slice(bar + 1) };
}

/**
 * Medplum's MemoryRepository evaluates every search with FHIRPath over every stored resource of the type; a
 * conditional create (`If-None-Exist: identifier=system|value`) therefore costs O(n) FHIRPath evaluations and a
 * 300-entry transaction takes seconds. This subclass answers exact system|value token lookups on `identifier` and
 * `_tag` with a plain comparison, and leaves every other search to Medplum.
 */
export class IndexedMemoryRepository extends MemoryRepository {}

async function indexedSearch(this: MemoryRepository, req: SearchArg): Promise<SearchResult> {
  const lookup = tokenLookup(req);
  if (!lookup) return MemoryRepository.prototype.search.call(this, req);
  const store = (this as unknown as { resources: Map<string, Map<string, Resource>> }).resources.get(req.resourceType);
  const matches: Resource[] = [];
  for (const r of store?.values() ?? []) {
    const tokens =
      lookup.code === 'identifier'
        ? ((r as { identifier?: { system?: string; value?: string }[] }).identifier ?? []).map((i) => [i.system, i.value])
        : (r.meta?.tag ?? []).map((t) => [t.system, t.code]);
    if (tokens.some(([s, v]) => s === lookup.system && v === lookup.value)) matches.push(r);
  }
  const entries = (req.count !== undefined ? matches.slice(0, req.count) : matches).map((resource) => ({ resource: structuredClone(resource) }));
  return { resourceType: 'Bundle', type: 'searchset', ...(entries.length ? { entry: entries } : {}), total: matches.length } as unknown as SearchResult;
}

// Medplum's `search` is generic; the override keeps its signature by replacing it on the prototype.
IndexedMemoryRepository.prototype.search = indexedSearch as MemoryRepository['search'];
