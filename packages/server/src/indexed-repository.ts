import { parseSearchRequest } from '@medplum/core';
import { MemoryRepository } from '@medplum/fhir-router';
import type { Resource } from 'fhir/r4.js';
import { forEachToken, tokenFilterOf, type SearchArg, type SearchResult, type StoreToken } from './search-params.js';
import { answerFrom, planSearch, remainingTest, type SearchPlan, type TokenFilter } from './search-plan.js';
import { sqliteSearch } from './sqlite-search.js';
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
// It relies on MemoryRepository 4.5.2 keeping its data in the own fields `resources` and `history` and on `search`
// being a prototype method; test/medplum-assumptions.test.ts fails when an upgrade changes that.

/** An indexed token: `identifier` (`system|value`) or `_tag` (`system|code`); a missing half is ''. */
type Token = StoreToken;

/**
 * token -> ids, as nested maps (kind, system, value) holding one id or, rarely, a set of them. A flat map keyed by
 * `kind|system|value` built a key string per token per write and a Set per key: a few hundred bytes per stored
 * resource that every garbage collection of a bulk write copied or marked.
 */
class TokenIndex {
  readonly #kinds = { identifier: new Map<string, Map<string, string | Set<string>>>(), _tag: new Map<string, Map<string, string | Set<string>>>() };

  add(kind: Token['kind'], system: string, value: string, id: string): void {
    let values = this.#kinds[kind].get(system);
    if (!values) this.#kinds[kind].set(system, (values = new Map()));
    const ids = values.get(value);
    if (ids === undefined) values.set(value, id);
    else if (typeof ids === 'string') {
      if (ids !== id) values.set(value, new Set([ids, id]));
    } else ids.add(id);
  }

  remove(kind: Token['kind'], system: string, value: string, id: string): void {
    const values = this.#kinds[kind].get(system);
    const ids = values?.get(value);
    if (ids === undefined) return;
    if (typeof ids === 'string') {
      if (ids === id) values!.delete(value);
    } else {
      ids.delete(id);
      if (ids.size === 0) values!.delete(value);
    }
  }

  /** The ids holding this token (none, one or several). */
  ids(token: Token): Iterable<string> {
    const ids = this.#kinds[token.kind].get(token.system)?.get(token.value);
    return ids === undefined ? [] : typeof ids === 'string' ? [ids] : ids;
  }

  /** The ids holding any value in this system. */
  *idsInSystem(kind: Token['kind'], system: string): Generator<string> {
    for (const ids of this.#kinds[kind].get(system)?.values() ?? []) {
      if (typeof ids === 'string') yield ids;
      else yield* ids;
    }
  }

  clear(): void {
    this.#kinds.identifier.clear();
    this.#kinds._tag.clear();
  }
}

/** The id map of one resource type, with a token index kept in step with every write. */
class IndexedTypeMap extends Map<string, Resource> {
  declare index: TokenIndex;
  declare owner: IndexedStore;
  declare type: string;

  static upgrade(map: Map<string, Resource>, owner: IndexedStore, type: string): IndexedTypeMap {
    if (map instanceof IndexedTypeMap) return map;
    Object.setPrototypeOf(map, IndexedTypeMap.prototype);
    const indexed = map as IndexedTypeMap;
    indexed.owner = owner;
    indexed.type = type;
    indexed.index = new TokenIndex();
    for (const [id, r] of Map.prototype.entries.call(indexed)) indexed.addTokens(id, r);
    return indexed;
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
      const found = p.value === undefined ? this.index.idsInSystem(filter.kind, p.system) : this.index.ids({ kind: filter.kind, system: p.system, value: p.value });
      for (const id of found) ids.add(id);
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
 * The outer type -> id map: every inner map it holds is indexed, however Medplum created it. While a journal is
 * open, the first write to each resource records what to put back, so a transaction rolls back in O(its entries)
 * instead of copying the whole store.
 */
class IndexedStore extends Map<string, Map<string, Resource>> {
  declare history: Map<string, Map<string, Resource[]>>;
  journal: JournalEntry[] | undefined;

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
    // Every write is recorded, a resource written twice included: undone newest first, each entry puts back the
    // state just before its own write, so the oldest one restores the state before the transaction. (Keeping only
    // the first write per resource needed a key string and a set lookup on every write, the common case.)
    // Medplum stores the resource before it appends the version to history: this is the length to restore.
    const historyLength = this.history?.get(map.type)?.get(id)?.length ?? 0;
    journal.push({ map, id, previous: Map.prototype.get.call(map, id) as Resource | undefined, historyLength });
  }

  rollback(): void {
    const journal = this.journal;
    this.journal = undefined;
    for (const { map, id, previous, historyLength } of [...(journal ?? [])].reverse()) {
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

function storeOf(repo: MemoryRepository): IndexedStore | SqliteStore {
  const store = (repo as unknown as { resources: unknown }).resources;
  if (!(store instanceof IndexedStore) && !(store instanceof SqliteStore)) throw new Error('not an indexed repository');
  return store;
}

/** The type map both stores hand out: Map-shaped, with a token lookup. */
type TypeTable = IndexedTypeMap | SqliteTypeMap;

function typeTableOf(store: IndexedStore | SqliteStore, resourceType: string): TypeTable | undefined {
  return store.get(resourceType) as TypeTable | undefined;
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

export class IndexedMemoryRepository extends MemoryRepository {
  /** @param sqlite - keep the data in this SQLite store instead of in memory */
  constructor(sqlite?: SqliteStore) {
    super();
    const self = this as unknown as { resources: Map<string, Map<string, Resource>>; history: Map<string, Map<string, Resource[]>> };
    if (sqlite) {
      self.resources = sqlite;
      self.history = sqlite.history;
      return;
    }
    const store = new IndexedStore();
    store.history = self.history;
    for (const [type, inner] of self.resources) store.set(type, inner);
    self.resources = store;
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
  // batch entry asks for one. This is the same kind of id, a random v4 UUID (see randomId).
  override generateId(): string {
    return randomId();
  }
}

// Random bytes are drawn 256 ids at a time from the platform's crypto (Node and browsers alike: the msw handlers use
// this repository too).
const idBytes = new Uint8Array(16 * 256);
let idOffset = idBytes.length;
const idChars = new Uint8Array(36);
const HEX_CHARS = new TextEncoder().encode('0123456789abcdef');
// Decoding the ASCII bytes makes one flat string in one step (spreading them into String.fromCharCode is ~10x slower).
const idDecoder = new TextDecoder();

/**
 * A random (version 4) UUID, built as one flat string. `crypto.randomUUID()` concatenates its string from pieces:
 * as a stored id or versionId that is a tree of ~20 small strings per id, which every garbage collection then copies
 * or marks, and which is flattened again whenever the id is used as a map key. Same format, same randomness source.
 */
export function randomId(): string {
  if (idOffset === idBytes.length) {
    globalThis.crypto.getRandomValues(idBytes);
    idOffset = 0;
  }
  const at = idOffset;
  idOffset += 16;
  idBytes[at + 6] = (idBytes[at + 6]! & 0x0f) | 0x40; // version 4
  idBytes[at + 8] = (idBytes[at + 8]! & 0x3f) | 0x80; // RFC 4122 variant
  let o = 0;
  for (let i = 0; i < 16; i++) {
    if (i === 4 || i === 6 || i === 8 || i === 10) idChars[o++] = 0x2d; // '-'
    const b = idBytes[at + i]!;
    idChars[o++] = HEX_CHARS[b >> 4]!;
    idChars[o++] = HEX_CHARS[b & 0x0f]!;
  }
  return idDecoder.decode(idChars);
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
    return typeMap ? typeMap.lookup(identifier.token) : [];
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
  const filter = tokenFilterOf({ code: 'identifier', operator: 'eq', value });
  const part = filter?.parts.length === 1 ? filter.parts[0] : undefined;
  return part?.value === undefined ? undefined : { kind: 'identifier', system: part.system, value: part.value };
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

/**
 * Store a resource the server owns (parsed from a request body and referenced nowhere else) exactly as Medplum
 * 4.5.2's `MemoryRepository.createResource` stores it: empty values removed, `meta.versionId` and `meta.lastUpdated`
 * set, a first version appended to the history. Medplum does that through a JSON copy of its input and returns a
 * second copy, to protect a caller's object; for an object nobody else holds both copies are pure cost. The returned
 * resource IS the stored one: the caller may only serialize it. `rewrite`, when given, is applied to every string
 * value first (a batch's urn:uuid references), in the same walk.
 */
export function storeOwned<T extends Resource>(repo: MemoryRepository, resource: T & { id: string }, rewrite?: (s: string) => string): T & { id: string } {
  const result = (withoutEmpty(resource, '', rewrite) ?? { resourceType: resource.resourceType }) as T & { id: string };
  const meta = (result.meta ??= {});
  meta.versionId ||= randomId();
  meta.lastUpdated ||= new Date().toISOString();
  const store = storeOf(repo);
  const { resourceType, id } = result;
  let resources = store.get(resourceType);
  if (!resources) {
    store.set(resourceType, new Map());
    resources = store.get(resourceType)!;
  }
  resources.set(id, result);
  let typeHistory = store.history.get(resourceType);
  if (!typeHistory) store.history.set(resourceType, (typeHistory = new Map()));
  const versions = typeHistory.get(id);
  if (versions) versions.push(result);
  else typeHistory.set(id, [result]);
  return result;
}

/**
 * FHIR vocabulary elements: Coding/Identifier/Quantity `system`, `code`, `display`, `unit`, Extension `url`,
 * `meta.profile`, Attachment `contentType`, status-like codes. Their values repeat across nearly every resource,
 * and JSON.parse gives each occurrence its own string: in a bulk write they were more than half of what the store
 * kept (and what every garbage collection copied or marked). Stored values under these keys share one instance.
 */
const VOCABULARY_KEYS: ReadonlySet<string> = new Set(['system', 'code', 'display', 'unit', 'url', 'profile', 'contentType', 'status', 'use', 'type', 'resourceType', 'language', 'version']);
const vocabulary = new Map<string, string>();
// Bounded (cleared when full): free text under a vocabulary key (a Reference.display) must not grow it forever.
const VOCABULARY_MAX = 10_000;
const VOCABULARY_VALUE_MAX = 256;

function shared(value: string): string {
  // V8's JSON.parse already gives short values (up to 10 characters) one shared instance.
  if (value.length <= 10 || value.length > VOCABULARY_VALUE_MAX) return value;
  const known = vocabulary.get(value);
  if (known !== undefined) return known;
  if (vocabulary.size >= VOCABULARY_MAX) vocabulary.clear();
  vocabulary.set(value, value);
  return value;
}

/**
 * Medplum's `removeEmptyFromUnknown` (what its `stringify` applies before storing): drops undefined, null, '' and
 * empty objects/arrays; inside arrays an emptied element becomes null so positions are kept. Copy-on-write, like
 * Medplum's: an object with nothing to remove is returned as is. Only used on values the server owns, so strings
 * under {@link VOCABULARY_KEYS} are also swapped, in place, for their shared instance (same value).
 */
function withoutEmpty(value: unknown, key = '', rewrite?: (s: string) => string): unknown {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    if (value.length === 0) return undefined;
    const vocabularyList = VOCABULARY_KEYS.has(key);
    let copy: unknown[] | undefined;
    let kept = 0;
    for (let i = 0; i < value.length; i++) {
      let before: unknown = value[i];
      if (typeof before === 'string' && before !== '') {
        let text = rewrite ? rewrite(before) : before;
        if (vocabularyList) text = shared(text);
        value[i] = before = text;
      }
      const after = withoutEmpty(before, key, rewrite);
      if (after !== before) copy ??= [...value];
      if (after === undefined) {
        if (copy) copy[i] = null;
      } else {
        if (copy) copy[i] = after;
        kept++;
      }
    }
    return kept === 0 ? undefined : (copy ?? value);
  }
  const object = value as Record<string, unknown>;
  let copy: Record<string, unknown> | undefined;
  let kept = 0;
  for (const name in object) {
    const before = object[name];
    if (typeof before === 'string' && before !== '') {
      let text = rewrite ? rewrite(before) : before;
      if (VOCABULARY_KEYS.has(name)) text = shared(text);
      // Same value or a rewritten one: assigned in place (the object is the server's own). A copy made for an
      // earlier emptied key took this key's value before, so it gets it too.
      object[name] = text;
      if (copy) copy[name] = text;
      kept++;
      continue;
    }
    const after = withoutEmpty(before, name, rewrite);
    if (after !== before) copy ??= { ...object };
    if (after === undefined) {
      if (copy) delete copy[name];
    } else {
      if (copy) copy[name] = after;
      kept++;
    }
  }
  return kept === 0 ? undefined : (copy ?? object);
}

async function indexedSearch(this: MemoryRepository, req: SearchArg): Promise<SearchResult> {
  const store = storeOf(this);
  const plan = planSearch(req);
  if (store instanceof SqliteStore) return sqliteSearch(store.db, req, plan);
  const typeMap = store.get(req.resourceType) as IndexedTypeMap | undefined;
  // Objects of the in-memory store are the store's own: a result hands out copies.
  return answerFrom(typeMap ? typeMap.candidates(plan) : [], remainingTest(plan, { tokens: true, dates: true }), req, plan, true);
}

// Medplum's `search` is generic; the override keeps its signature by replacing it on the prototype.
IndexedMemoryRepository.prototype.search = indexedSearch as MemoryRepository['search'];
