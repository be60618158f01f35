import { MemoryRepository } from '@medplum/fhir-router';
import type { Resource } from 'fhir/r4.js';
import type { SearchArg, SearchResult } from '../search-params.js';

// Medplum's MemoryRepository beyond its public API: its two private maps, its prototype `search`. Assumptions A2-A5 of
// ./index.ts; packages/server/test/medplum-assumptions.test.ts fails when an upgrade breaks one.

/**
 * The two private fields of a MemoryRepository: `resources` (type -> id -> current version) and `history`
 * (type -> id -> versions, oldest first). MemoryRepository 4.5.2 only calls the methods {@link MEDPLUM_MAP_CALLS}
 * lists on them, so a Map-shaped object answering those calls can stand in for either.
 */
export interface StoreMaps {
  resources: Map<string, Map<string, Resource>>;
  history: Map<string, Map<string, Resource[]>>;
}

/**
 * Every call MemoryRepository 4.5.2 makes on its maps when their `get` never answers undefined (a stand-in creates the
 * type's map, or the resource's version list, on first `get`, as both stores of the server do): what a stand-in must
 * answer. With plain Maps it also calls `set(key, empty)` on `resources`, `history` and a type's history after `get`
 * answered undefined, and then fills the new map or list through its own reference. Read from its source; the
 * assumption test records the calls of every repository method and fails on a call not listed.
 */
export const MEDPLUM_MAP_CALLS = {
  /** The outer `resources` map. */
  resources: ['get', 'clear'],
  /** A type's map of current versions. */
  resourcesOfType: ['get', 'set', 'delete', 'values'],
  /** The outer `history` map. */
  history: ['get', 'clear'],
  /** A type's map of version lists. */
  historyOfType: ['get'],
  /** One resource's version list (readHistory reverses it in place: see versionsOf). */
  versions: ['push', 'reverse', 'find'],
} as const;

function isStoreMaps(value: { resources: unknown; history: unknown }): value is StoreMaps {
  return value.resources instanceof Map && value.history instanceof Map;
}

/** The private maps of a MemoryRepository (or of a store-backed one: then the stand-ins it was built with). */
export function storeMapsOf(repo: MemoryRepository): StoreMaps {
  const fields = readFields(repo);
  if (!isStoreMaps(fields)) throw new Error('Unsupported @medplum/fhir-router version: MemoryRepository internals changed');
  return fields;
}

/** The two private fields, read as own properties (what they are at runtime: assumption A2). */
function readFields(repo: MemoryRepository): { resources: unknown; history: unknown } {
  const field = (name: keyof StoreMaps): unknown => Object.getOwnPropertyDescriptor(repo, name)?.value as unknown;
  return { resources: field('resources'), history: field('history') };
}

/**
 * A MemoryRepository whose private maps are the given stand-ins and whose `search` is the given function: Medplum's
 * FHIR semantics (create, update, conditional writes, batches, history, patch) over our storage and search plans.
 */
export class StoreBackedRepository extends MemoryRepository {
  readonly #search: (req: SearchArg) => Promise<SearchResult>;

  /**
   * @param maps - the stand-ins for `resources` and `history`
   * @param search - answers every search (conditional creates and updates included)
   */
  constructor(maps: StoreMaps, search: (req: SearchArg) => Promise<SearchResult>) {
    super();
    // The fields are `private readonly` in the d.ts, plain own properties at runtime (assumption A2).
    Object.assign(this, { resources: maps.resources, history: maps.history });
    this.#search = search;
  }

  /** The stand-ins this repository was built with. */
  get maps(): StoreMaps {
    return storeMapsOf(this);
  }

  static {
    // Medplum's `search` is generic (`<T>(req: SearchRequest<T>) => Promise<Bundle<WithId<T>>>`): an `override`
    // method could not keep that signature without a cast per call, so the prototype's method is replaced once
    // (assumption A4: `search` is a prototype method that every lookup of the repository goes through).
    StoreBackedRepository.prototype.search = function search(this: StoreBackedRepository, req: SearchArg) {
      return this.#search(req);
    } as MemoryRepository['search'];
  }
}

/**
 * Every stored version of one resource, oldest first (a copy). MemoryRepository 4.5.2's `readHistory` reverses the
 * stored list in place, so the order it answers flips on every call (assumption A5): the list is read here instead.
 */
export function versionsOf(repo: MemoryRepository, resourceType: string, id: string): Resource[] {
  return [...(storeMapsOf(repo).history.get(resourceType)?.get(id) ?? [])];
}

/**
 * `matches` in the order Medplum 4.5.2's MemoryRepository gives for a sort it evaluates with FHIRPath (its
 * `sortComparator` is not exported): its own `search`, run on a stand-in holding only the matches (assumption A3: that
 * `search` reads nothing but `this.resources`).
 */
export async function medplumSortOrder(matches: Resource[], req: SearchArg): Promise<Resource[]> {
  if (matches.length === 0) return [];
  const only: Pick<StoreMaps, 'resources'> = { resources: new Map([[req.resourceType, new Map(matches.map((r) => [r.id ?? '', r]))]]) };
  const sorted = await MemoryRepository.prototype.search.call(only, { resourceType: req.resourceType, sortRules: req.sortRules } as SearchArg);
  return (sorted.entry ?? []).map((e) => e.resource as Resource);
}
