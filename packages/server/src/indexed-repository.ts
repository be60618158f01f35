import { parseSearchRequest } from '@medplum/core';
import type { MemoryRepository } from '@medplum/fhir-router';
import type { Resource } from 'fhir/r4.js';
import { StoreBackedRepository, storeMapsOf } from './medplum/index.js';
import { randomId } from './random-id.js';
import { forEachToken, tokenFilterOf, type SearchArg, type SearchResult, type StoreToken } from './search-params.js';
import { answerFrom, planSearch, remainingTest, type SearchPlan, type TokenFilter } from './search-plan.js';
import { sqliteSearch, sqliteSearchTexts, type TextPage } from './sqlite-search.js';
import { SqliteStore, type SqliteTypeMap } from './sqlite-store.js';
import { clearDeletions, recordDeletion } from './deletions.js';

// Medplum 4.5.2's MemoryRepository answers every search by evaluating the search parameter's FHIRPath expression
// on every stored resource of the type. R4's expressions are unions over all resource types (Consent `patient` is
// dozens of alternatives, several with resolve()), so a conditional create costs O(n) slow evaluations and an
// import becomes quadratic. This repository keeps the same behaviour but plans each search (search-plan.ts):
//  - identifier and meta.tag tokens are indexed as resources are written (exact lookups are O(1));
//  - plain-path reference filters (`subject=Patient/1`) and date sorts are evaluated in plain JavaScript;
//  - whatever is left goes to Medplum's own matcher, on the (usually few) remaining candidates;
//  - on the SQLite store, ids, tokens, references and dates are answered in SQL from index tables (sqlite-search.ts).
// Both stores stand in for MemoryRepository's private maps; what that relies on (the calls Medplum makes on them,
// `search` as a prototype method) is listed, and tested, in ./medplum/index.ts (assumptions A2-A4).

/** An indexed token: `identifier` (`system|value`) or `_tag` (`system|code`); a missing half is ''. */
type Token = StoreToken;

/**
 * token -> ids, as nested maps (kind, system, value) holding one id or, rarely, a set of them. A flat map keyed by
 * `kind|system|value` built a key string per token per write and a Set per key: a few hundred bytes per stored
 * resource that every garbage collection of a bulk write copied or marked.
 */
class TokenIndex {
  readonly #kinds = new Map<Token['kind'], Map<string, Map<string, string | Set<string>>>>();

  #systems(kind: Token['kind']): Map<string, Map<string, string | Set<string>>> {
    let systems = this.#kinds.get(kind);
    if (!systems) this.#kinds.set(kind, (systems = new Map()));
    return systems;
  }

  add(kind: Token['kind'], system: string, value: string, id: string): void {
    let values = this.#systems(kind).get(system);
    if (!values) this.#systems(kind).set(system, (values = new Map()));
    const ids = values.get(value);
    if (ids === undefined) values.set(value, id);
    else if (typeof ids === 'string') {
      if (ids !== id) values.set(value, new Set([ids, id]));
    } else ids.add(id);
  }

  remove(kind: Token['kind'], system: string, value: string, id: string): void {
    const values = this.#kinds.get(kind)?.get(system);
    const ids = values?.get(value);
    if (values === undefined || ids === undefined) return;
    if (typeof ids === 'string') {
      if (ids === id) values.delete(value);
    } else {
      ids.delete(id);
      if (ids.size === 0) values.delete(value);
    }
  }

  /** The ids holding this token (none, one or several). */
  ids(token: Token): Iterable<string> {
    const ids = this.#kinds.get(token.kind)?.get(token.system)?.get(token.value);
    return ids === undefined ? [] : typeof ids === 'string' ? [ids] : ids;
  }

  /** The ids holding a token of this kind: any value in `system`, this `value` in any system, or both given. */
  *idsMatching(kind: Token['kind'], system: string | undefined, value: string | undefined): Generator<string> {
    const systems = this.#kinds.get(kind);
    for (const values of system === undefined ? (systems?.values() ?? []) : [systems?.get(system)]) {
      for (const ids of value === undefined ? (values?.values() ?? []) : [values?.get(value)]) {
        if (typeof ids === 'string') yield ids;
        else if (ids) yield* ids;
      }
    }
  }

  clear(): void {
    this.#kinds.clear();
  }
}

/** The id map of one resource type, with a token index kept in step with every write. */
class IndexedTypeMap extends Map<string, Resource> {
  declare index: TokenIndex;
  declare owner: IndexedStore;
  declare type: string;

  static of(owner: IndexedStore, type: string): IndexedTypeMap {
    const map = new IndexedTypeMap();
    map.owner = owner;
    map.type = type;
    map.index = new TokenIndex();
    return map;
  }

  private addTokens(id: string, r: Resource): void {
    forEachToken(r, (kind, system, value) => this.index.add(kind, system, value, id));
  }

  private removeTokens(id: string): void {
    const old = Map.prototype.get.call(this, id) as Resource | undefined;
    if (!old) return;
    forEachToken(old, (kind, system, value) => this.index.remove(kind, system, value, id));
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

  /**
   * The candidates of a search, in the order first written (as the SQLite store lists them): the `_id` values or the
   * holders of the first token filter when there is one, else every resource of the type.
   */
  candidates(plan: SearchPlan): Iterable<Resource> {
    if (plan.ids) return this.inMapOrder(new Set(plan.ids));
    const token = plan.tokens[0];
    return token ? this.inMapOrder(this.holders(token)) : this.values();
  }

  private holders(filter: TokenFilter): Set<string> {
    const ids = new Set<string>();
    for (const p of filter.parts) {
      for (const id of this.index.idsMatching(filter.kind, p.system, p.value)) ids.add(id);
    }
    return ids;
  }

  /** These resources in map order: one pass over the map when there are several. */
  private inMapOrder(ids: ReadonlySet<string>): Resource[] {
    if (ids.size <= 1) return [...ids].flatMap((id) => super.get(id) ?? []);
    const found: Resource[] = [];
    for (const [id, r] of super.entries()) if (ids.has(id)) found.push(r);
    return found;
  }

  lookup(token: Token): Resource[] {
    // A plain loop: called twice per conditional create, usually for a miss or a single id.
    const found: Resource[] = [];
    for (const id of this.index.ids(token)) {
      const r = super.get(id);
      if (r !== undefined) found.push(r);
    }
    return found;
  }
}

interface JournalEntry {
  map: IndexedTypeMap;
  id: string;
  previous: Resource | undefined;
  historyLength: number;
}

/**
 * The outer type -> id map, standing in for MemoryRepository's `resources` (./medplum/index.ts, A3): `get` hands out
 * the type's indexed map, created on first use, so Medplum never creates a plain one. While a journal is open, the first write to each resource records what to put back, so a transaction rolls back in O(its entries)
 * instead of copying the whole store.
 */
class IndexedStore extends Map<string, Map<string, Resource>> {
  declare history: Map<string, Map<string, Resource[]>>;
  journal: JournalEntry[] | undefined;

  /** A new empty store and its history map: the two maps of a MemoryRepository. */
  static create(): { resources: IndexedStore; history: Map<string, Map<string, Resource[]>> } {
    const resources = new IndexedStore();
    resources.history = new Map();
    return { resources, history: resources.history };
  }

  override get(type: string): IndexedTypeMap {
    const inner = super.get(type);
    if (inner instanceof IndexedTypeMap) return inner;
    const map = IndexedTypeMap.of(this, type);
    super.set(type, map);
    return map;
  }

  /** Medplum never calls this (`get` always answers); a map set from outside is copied into the indexed one. */
  override set(type: string, inner: Map<string, Resource>): this {
    const map = this.get(type);
    if (inner !== map) for (const [id, r] of inner) map.set(id, r);
    return this;
  }

  record(map: IndexedTypeMap, id: string): void {
    const journal = this.journal;
    if (!journal) return;
    // Every write is recorded, a resource written twice included: undone newest first, each entry puts back the
    // state just before its own write, so the oldest one restores the state before the transaction. (Keeping only
    // the first write per resource needed a key string and a set lookup on every write, the common case.)
    // Medplum stores the resource before it appends the version to history: this is the length to restore.
    const historyLength = this.history.get(map.type)?.get(id)?.length ?? 0;
    journal.push({ map, id, previous: Map.prototype.get.call(map, id) as Resource | undefined, historyLength });
  }

  rollback(): void {
    const journal = this.journal;
    this.journal = undefined;
    for (const { map, id, previous, historyLength } of [...(journal ?? [])].reverse()) {
      if (previous === undefined) map.delete(id);
      else map.set(id, previous);
      const versions = this.history.get(map.type);
      const list = versions?.get(id);
      if (versions && list) {
        list.length = historyLength;
        if (historyLength === 0) versions.delete(id);
      }
    }
  }
}

function storeOf(repo: MemoryRepository): IndexedStore | SqliteStore {
  const store = storeMapsOf(repo).resources;
  if (!(store instanceof IndexedStore) && !(store instanceof SqliteStore)) throw new Error('not an indexed repository');
  return store;
}

/** The type map both stores hand out: Map-shaped, with a token lookup. */
type TypeTable = IndexedTypeMap | SqliteTypeMap;

function typeTableOf(store: IndexedStore | SqliteStore, resourceType: string): TypeTable {
  return store.get(resourceType);
}

/** Start recording writes so that {@link rollbackWrites} can undo them (one transaction at a time per store). */
export function beginWrites(repo: MemoryRepository): void {
  const store = storeOf(repo);
  if (store instanceof SqliteStore) store.beginWrites();
  else store.journal = [];
}

/** Keep the writes made since {@link beginWrites}. */
export function commitWrites(repo: MemoryRepository): void {
  const store = storeOf(repo);
  if (store instanceof SqliteStore) store.commitWrites();
  else store.journal = undefined;
}

/** Undo every write made since {@link beginWrites}: resources, the token index and version history. */
export function rollbackWrites(repo: MemoryRepository): void {
  const store = storeOf(repo);
  if (store instanceof SqliteStore) store.rollbackWrites();
  else store.rollback();
}

/** The SQLite store behind a repository, or undefined for the in-memory one. */
export function sqliteStoreOf(repo: MemoryRepository): SqliteStore | undefined {
  const store = storeOf(repo);
  return store instanceof SqliteStore ? store : undefined;
}

/** Medplum's MemoryRepository over one of the two stores, answering searches by plan (search-plan.ts). */
export class IndexedMemoryRepository extends StoreBackedRepository {
  /** @param sqlite - keep the data in this SQLite store instead of in memory */
  constructor(sqlite?: SqliteStore) {
    const maps = sqlite ? { resources: sqlite, history: sqlite.history } : IndexedStore.create();
    super(maps, (req) => indexedSearch(maps.resources, req));
  }

  // Bulk Data `_since` exports report deletions (deletions.ts): each delete is logged with the resource it removed.
  override async deleteResource(resourceType: string, id: string): Promise<void> {
    const before = storeOf(this).get(resourceType)?.get(id);
    await super.deleteResource(resourceType, id);
    recordDeletion(this, resourceType, id, before);
  }

  override clear(): void {
    super.clear();
    clearDeletions(this);
  }

  // Medplum's generateId() draws one Math.random() per hex digit through a regex callback; every create and every
  // batch entry asks for one. This is a UUID too, time-ordered (version 7) for the SQLite store's indexes (see randomId).
  override generateId(): string {
    return randomId();
  }
}


/**
 * The stored resources (the store's own objects: read them, never change or hand them out) that match a
 * conditional-create criteria such as `identifier=system|value`. The common single-identifier criteria is answered
 * from the token index directly, which is what {@link indexedSearch} would do after parsing it; anything else goes
 * through the full search. Throws Medplum's OperationOutcomeError for a criteria it cannot parse, as a search does.
 */
export async function storedMatches(repo: MemoryRepository, resourceType: string, criteria: string): Promise<Resource[]> {
  const query = criteria.startsWith('?') ? criteria.slice(1) : criteria;
  const identifier = identifierQuery(query);
  if (identifier !== undefined) {
    const typeMap = typeTableOf(storeOf(repo), resourceType);
    return typeMap.lookup(identifier.token);
  }
  const bundle = await repo.search(parseSearchRequest(`${resourceType}?${new URLSearchParams(query).toString()}`));
  return (bundle.entry ?? []).map((e) => e.resource as Resource);
}

// Each conditional create's criteria is resolved twice (the 412 pre-check, then the create itself), so the decoded
// index key is remembered. Bounded: cleared when full, so a long-running server does not keep every criteria.
const identifierQueries = new Map<string, IdentifierQuery | null>();
const IDENTIFIER_QUERIES_MAX = 4096;

/** A query that is exactly one `identifier=system|value` the token index answers. */
export interface IdentifierQuery {
  /** The decoded parameter value, `system|value`. */
  value: string;
  /** What the token index looks up. */
  token: Token;
}

/** `system|value` as the one token it names (no comma list, no system-only token). */
function singleToken(value: string): Token | undefined {
  const filter = tokenFilterOf('', { code: 'identifier', operator: 'eq', value });
  const part = filter?.parts.length === 1 ? filter.parts[0] : undefined;
  return part?.value === undefined || part.system === undefined ? undefined : { kind: 'identifier', system: part.system, value: part.value };
}

/** `query` (without `?`) as an indexable single-identifier query, or undefined for anything else. */
export function identifierQuery(query: string): IdentifierQuery | undefined {
  let found = identifierQueries.get(query);
  if (found === undefined) {
    const value = singleIdentifier(query);
    const token = value === undefined ? undefined : singleToken(value);
    found = value !== undefined && token !== undefined ? { value, token } : null;
    if (identifierQueries.size >= IDENTIFIER_QUERIES_MAX) identifierQueries.clear();
    identifierQueries.set(query, found);
  }
  return found ?? undefined;
}

/**
 * The value of a query that is exactly one `identifier=` parameter, decoded as URLSearchParams decodes it ('+' is a
 * space); `undefined` for anything else, or for an escape URLSearchParams would decode leniently (the caller then
 * takes the general path). Saves building a URLSearchParams for each of the two lookups per conditional create.
 */
function singleIdentifier(query: string): string | undefined {
  if (!query.startsWith('identifier=') || query.includes('&')) return undefined;
  try {
    return decodeURIComponent(query.slice('identifier='.length).replaceAll('+', ' '));
  } catch {
    return undefined;
  }
}


async function indexedSearch(store: IndexedStore | SqliteStore, req: SearchArg): Promise<SearchResult> {
  const plan = planSearch(req);
  if (store instanceof SqliteStore) return sqliteSearch(store.db, req, plan);
  // Objects of the in-memory store are the store's own: a result hands out copies.
  return answerFrom(store.get(req.resourceType).candidates(plan), remainingTest(plan, { tokens: true, dates: true, indexedReferences: false }), req, plan, true);
}

/**
 * A search's page as the stored JSON texts of its resources, on the SQLite store (`undefined` on the in-memory one,
 * whose objects are serialised as they are): the same page {@link IndexedMemoryRepository}'s `search` answers.
 */
export async function searchTexts(repo: MemoryRepository, req: SearchArg): Promise<TextPage | undefined> {
  const store = storeOf(repo);
  return store instanceof SqliteStore ? sqliteSearchTexts(store.db, req, planSearch(req)) : undefined;
}
