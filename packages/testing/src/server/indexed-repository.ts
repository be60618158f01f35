import { getSearchParameter, matchesSearchRequest } from '@medplum/core';
import { MemoryRepository } from '@medplum/fhir-router';
import type { Resource } from 'fhir/r4.js';

type SearchArg = Parameters<MemoryRepository['search']>[0];
type SearchResult = Awaited<ReturnType<MemoryRepository['search']>>;
type Filter = NonNullable<SearchArg['filters']>[number];

// Medplum 4.5.2's MemoryRepository answers every search by evaluating the search parameter's FHIRPath expression
// on every stored resource of the type. R4's expressions are unions over all resource types (Consent `patient` is
// dozens of alternatives, several with resolve()), so a conditional create costs O(n) slow evaluations and an
// import becomes quadratic. This repository keeps the same behaviour but:
//  - indexes identifier, meta.tag and id tokens as resources are written (exact lookups are O(1));
//  - evaluates simple reference filters (`subject=Patient/1`) and date sorts in plain JavaScript;
//  - hands whatever is left to Medplum's own matcher, on the (usually few) remaining candidates.

const tokenKey = (kind: 'identifier' | '_tag', system: string | undefined, value: string | undefined) => `${kind}|${system ?? ''}|${value ?? ''}`;

function tokensOf(r: Resource): string[] {
  // Most types have a list of identifiers; a few (QuestionnaireResponse, Bundle) have exactly one.
  const raw = (r as { identifier?: { system?: string; value?: string } | { system?: string; value?: string }[] }).identifier;
  const ids = (Array.isArray(raw) ? raw : raw ? [raw] : []).map((i) => tokenKey('identifier', i.system, i.value));
  const tags = (r.meta?.tag ?? []).map((t) => tokenKey('_tag', t.system, t.code));
  return [...ids, ...tags];
}

/** The id map of one resource type, with a token index kept in step with every write. */
class IndexedTypeMap extends Map<string, Resource> {
  declare index: Map<string, Set<string>>;
  declare owner: IndexedStore;
  declare type: string;

  static upgrade(map: Map<string, Resource>, owner: IndexedStore, type: string): IndexedTypeMap {
    if (map instanceof IndexedTypeMap) return map;
    Object.setPrototypeOf(map, IndexedTypeMap.prototype);
    const indexed = map as IndexedTypeMap;
    indexed.owner = owner;
    indexed.type = type;
    indexed.index = new Map();
    for (const [id, r] of Map.prototype.entries.call(indexed)) indexed.addTokens(id, r);
    return indexed;
  }

  private addTokens(id: string, r: Resource): void {
    for (const t of tokensOf(r)) {
      let ids = this.index.get(t);
      if (!ids) this.index.set(t, (ids = new Set()));
      ids.add(id);
    }
  }

  private removeTokens(id: string): void {
    const old = Map.prototype.get.call(this, id) as Resource | undefined;
    if (!old) return;
    for (const t of tokensOf(old)) this.index.get(t)?.delete(id);
  }

  override set(id: string, r: Resource): this {
    this.owner?.record(this, id);
    if (this.index) {
      this.removeTokens(id);
      this.addTokens(id, r);
    }
    return super.set(id, r);
  }

  override delete(id: string): boolean {
    this.owner?.record(this, id);
    if (this.index) this.removeTokens(id);
    return super.delete(id);
  }

  override clear(): void {
    this.index?.clear();
    super.clear();
  }

  lookup(key: string): Resource[] {
    return [...(this.index.get(key) ?? [])].map((id) => super.get(id)).filter((r): r is Resource => r !== undefined);
  }
}

interface JournalEntry {
  map: IndexedTypeMap;
  id: string;
  previous: Resource | undefined;
  historyLength: number;
}

/**
 * The outer type -> id map: every inner map it holds is indexed, however Medplum created it. While a journal is
 * open, the first write to each resource records what to put back, so a transaction rolls back in O(its entries)
 * instead of copying the whole store.
 */
class IndexedStore extends Map<string, Map<string, Resource>> {
  declare history: Map<string, Map<string, Resource[]>>;
  journal: { entries: JournalEntry[]; seen: Set<string> } | undefined;

  override set(type: string, inner: Map<string, Resource>): this {
    return super.set(type, IndexedTypeMap.upgrade(inner, this, type));
  }
  override get(type: string): Map<string, Resource> | undefined {
    const inner = super.get(type);
    return inner ? IndexedTypeMap.upgrade(inner, this, type) : undefined;
  }

  record(map: IndexedTypeMap, id: string): void {
    const journal = this.journal;
    if (!journal) return;
    const key = `${map.type}/${id}`;
    if (journal.seen.has(key)) return;
    journal.seen.add(key);
    // Medplum stores the resource before it appends the version to history: this is the length to restore.
    const historyLength = this.history?.get(map.type)?.get(id)?.length ?? 0;
    journal.entries.push({ map, id, previous: Map.prototype.get.call(map, id) as Resource | undefined, historyLength });
  }

  rollback(): void {
    const journal = this.journal;
    this.journal = undefined;
    for (const { map, id, previous, historyLength } of [...(journal?.entries ?? [])].reverse()) {
      if (previous === undefined) map.delete(id);
      else map.set(id, previous);
      const versions = this.history?.get(map.type);
      const list = versions?.get(id);
      if (list) {
        list.length = historyLength;
        if (historyLength === 0) versions!.delete(id);
      }
    }
  }
}

function storeOf(repo: MemoryRepository): IndexedStore {
  const store = (repo as unknown as { resources: unknown }).resources;
  if (!(store instanceof IndexedStore)) throw new Error('not an indexed repository');
  return store;
}

/** Start recording writes so that {@link rollbackWrites} can undo them (one transaction at a time per store). */
export function beginWrites(repo: MemoryRepository): void {
  storeOf(repo).journal = { entries: [], seen: new Set() };
}

/** Keep the writes made since {@link beginWrites}. */
export function commitWrites(repo: MemoryRepository): void {
  storeOf(repo).journal = undefined;
}

/** Undo every write made since {@link beginWrites}: resources, the token index and version history. */
export function rollbackWrites(repo: MemoryRepository): void {
  storeOf(repo).rollback();
}

/** A search parameter that is a plain property path on this type, e.g. `Encounter.participant.individual`. */
interface SimplePath {
  steps: string[];
  /** `.where(resolve() is Patient)`: only references to this type count. */
  targetType?: string;
}

const simplePaths = new Map<string, SimplePath[] | null>();

function simplePathsOf(resourceType: string, code: string): SimplePath[] | null {
  const cacheKey = `${resourceType}.${code}`;
  const cached = simplePaths.get(cacheKey);
  if (cached !== undefined) return cached;
  const expression = getSearchParameter(resourceType, code)?.expression;
  let result: SimplePath[] | null = null;
  if (expression) {
    const parts = expression.split('|').map((p) => p.trim()).filter((p) => p.startsWith(`${resourceType}.`));
    const parsed = parts.map((p) => /^([A-Za-z]+)((?:\.[A-Za-z]+)+)(?:\.where\(resolve\(\) is ([A-Za-z]+)\))?$/.exec(p));
    if (parts.length > 0 && parsed.every((m) => m !== null)) {
      result = parsed.map((m) => ({ steps: m![2]!.slice(1).split('.'), ...(m![3] ? { targetType: m![3] } : {}) }));
    }
  }
  simplePaths.set(cacheKey, result);
  return result;
}

function valuesAt(r: unknown, steps: readonly string[]): unknown[] {
  let current: unknown[] = [r];
  for (const step of steps) {
    const next: unknown[] = [];
    for (const v of current) {
      const child = (v as Record<string, unknown> | undefined)?.[step];
      if (Array.isArray(child)) next.push(...child);
      else if (child !== undefined) next.push(child);
    }
    current = next;
  }
  return current;
}

/** A reference filter `code=Type/id` whose parameter is a simple path: evaluated in JS. */
function referencePredicate(resourceType: string, f: Filter): ((r: Resource) => boolean) | undefined {
  if (f.operator !== 'eq' || f.value.includes(',') || !/^[A-Z][A-Za-z]+\/[A-Za-z0-9\-.]+$/.test(f.value)) return undefined;
  if (getSearchParameter(resourceType, f.code)?.type !== 'reference') return undefined;
  const paths = simplePathsOf(resourceType, f.code);
  if (!paths) return undefined;
  const [targetType] = f.value.split('/');
  return (r) =>
    paths.some(
      (p) => (!p.targetType || p.targetType === targetType) && valuesAt(r, p.steps).some((v) => (v as { reference?: string }).reference === f.value),
    );
}

function tokenFilterKey(f: Filter): string | undefined {
  if ((f.code !== 'identifier' && f.code !== '_tag') || f.operator !== 'eq') return undefined;
  const v = f.value;
  if (v.includes(',') || v.includes('\\')) return undefined;
  const bar = v.indexOf('|');
  if (bar <= 0 || bar !== v.lastIndexOf('|')) return undefined;
  return tokenKey(f.code, v.slice(0, bar), v.slice(bar + 1));
}

/** Sort key for a date-like simple path (`Encounter.period` sorts by its start). */
function dateSortKey(resourceType: string, code: string): ((r: Resource) => number) | undefined {
  if (getSearchParameter(resourceType, code)?.type !== 'date') return undefined;
  const paths = simplePathsOf(resourceType, code);
  if (!paths || paths.length !== 1) return undefined;
  return (r) => {
    const v = valuesAt(r, paths[0]!.steps)[0];
    const s = typeof v === 'string' ? v : (v as { start?: string } | undefined)?.start;
    const t = s ? Date.parse(s) : Number.NaN;
    return Number.isNaN(t) ? Number.POSITIVE_INFINITY : t;
  };
}

export class IndexedMemoryRepository extends MemoryRepository {
  constructor() {
    super();
    const self = this as unknown as { resources: Map<string, Map<string, Resource>>; history: Map<string, Map<string, Resource[]>> };
    const store = new IndexedStore();
    store.history = self.history;
    for (const [type, inner] of self.resources) store.set(type, inner);
    self.resources = store;
  }
}

async function indexedSearch(this: MemoryRepository, req: SearchArg): Promise<SearchResult> {
  const store = (this as unknown as { resources: Map<string, Map<string, Resource>> }).resources;
  const typeMap = store.get(req.resourceType) as IndexedTypeMap | undefined;
  const filters = [...(req.filters ?? [])];
  let candidates: Resource[] | undefined;

  // 1. Narrow by an indexed token or by id.
  const tokenIdx = filters.findIndex((f) => tokenFilterKey(f) !== undefined);
  const idIdx = filters.findIndex((f) => f.code === '_id' && f.operator === 'eq');
  if (tokenIdx >= 0) {
    candidates = typeMap ? typeMap.lookup(tokenFilterKey(filters[tokenIdx]!)!) : [];
    filters.splice(tokenIdx, 1);
  } else if (idIdx >= 0) {
    const ids = filters[idIdx]!.value.split(',');
    candidates = ids.map((id) => typeMap?.get(id)).filter((r): r is Resource => r !== undefined);
    filters.splice(idIdx, 1);
  }
  candidates ??= [...(typeMap?.values() ?? [])];

  // 2. Simple reference filters in JavaScript; the rest with Medplum's matcher.
  const rest: Filter[] = [];
  for (const f of filters) {
    const predicate = referencePredicate(req.resourceType, f);
    if (predicate) candidates = candidates.filter(predicate);
    else rest.push(f);
  }
  if (rest.length) {
    const remaining = { ...req, filters: rest, sortRules: undefined, offset: undefined, count: undefined };
    candidates = candidates.filter((r) => matchesSearchRequest(r as never, remaining as never));
  }

  // 3. Sort: date parameters in JS; anything else through Medplum on the matches only.
  const sortRules = req.sortRules ?? [];
  if (sortRules.length) {
    const keys = sortRules.map((s) => dateSortKey(req.resourceType, s.code));
    if (keys.every((k) => k !== undefined)) {
      const decorated = candidates.map((r) => ({ r, k: keys.map((k) => k!(r)) }));
      decorated.sort((a, b) => {
        for (let i = 0; i < sortRules.length; i++) {
          const d = a.k[i]! - b.k[i]!;
          if (d !== 0 && !Number.isNaN(d)) return sortRules[i]!.descending ? -d : d;
        }
        return 0;
      });
      candidates = decorated.map((d) => d.r);
    } else {
      const ids = candidates.map((r) => r.id!).filter(Boolean);
      if (ids.length === 0) candidates = [];
      else {
        const sorted = await MemoryRepository.prototype.search.call(this, {
          resourceType: req.resourceType,
          filters: [{ code: '_id', operator: 'eq', value: ids.join(',') }],
          sortRules,
        } as SearchArg);
        candidates = (sorted.entry ?? []).map((e) => e.resource as Resource);
        return page(candidates, req, false);
      }
    }
  }
  return page(candidates, req, true);
}

function page(matches: Resource[], req: SearchArg, clone: boolean): SearchResult {
  const start = req.offset ?? 0;
  const slice = req.count !== undefined ? matches.slice(start, start + req.count) : matches.slice(start);
  const entry = slice.map((resource) => ({ resource: clone ? structuredClone(resource) : resource }));
  return { resourceType: 'Bundle', type: 'searchset', ...(entry.length ? { entry } : {}), total: matches.length } as unknown as SearchResult;
}

// Medplum's `search` is generic; the override keeps its signature by replacing it on the prototype.
IndexedMemoryRepository.prototype.search = indexedSearch as MemoryRepository['search'];
