import { getSearchParameter, matchesSearchRequest, parseSearchRequest } from '@medplum/core';
import { MemoryRepository } from '@medplum/fhir-router';
import type { Resource } from 'fhir/r4.js';
import { forEachToken, SqliteStore, type SqliteTypeMap, type StoreToken } from './sqlite-store.js';
import { clearDeletions, recordDeletion } from './deletions.js';

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

function tokenFilterKey(f: Filter): Token | undefined {
  if ((f.code !== 'identifier' && f.code !== '_tag') || f.operator !== 'eq') return undefined;
  const v = f.value;
  if (v.includes(',') || v.includes('\\')) return undefined;
  const bar = v.indexOf('|');
  // `system|` (no value) means any value in that system: not one index key, see anyValueInSystem.
  if (bar <= 0 || bar !== v.lastIndexOf('|') || bar === v.length - 1) return undefined;
  return { kind: f.code, system: v.slice(0, bar), value: v.slice(bar + 1) };
}

/**
 * `identifier=system|` / `_tag=system|`: a token with the system only matches every resource holding any value in that
 * system (FHIR R4 search 3.1.1.5.10: "[parameter]=[system]|"), which Medplum's matcher does not answer.
 */
function anyValueInSystem(f: Filter): ((r: Resource) => boolean) | undefined {
  if ((f.code !== 'identifier' && f.code !== '_tag') || f.operator !== 'eq') return undefined;
  const v = f.value;
  if (v.includes(',') || v.includes('\\') || v.indexOf('|') !== v.length - 1 || v.length < 2) return undefined;
  const system = v.slice(0, -1);
  return (r) => {
    let found = false;
    forEachToken(r, (kind, s) => {
      if (kind === f.code && s === system) found = true;
    });
    return found;
  };
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
    const before = (this as unknown as { resources: Map<string, Map<string, Resource>> }).resources.get(resourceType)?.get(id);
    await super.deleteResource(resourceType as never, id);
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

/** `query` (without `?`) as an indexable single-identifier query, or undefined for anything else. */
export function identifierQuery(query: string): IdentifierQuery | undefined {
  let found = identifierQueries.get(query);
  if (found === undefined) {
    const value = singleIdentifier(query);
    const token = value === undefined ? undefined : tokenFilterKey({ code: 'identifier', operator: 'eq', value } as Filter);
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
  const typeMap = typeTableOf(store, req.resourceType);
  // Objects of the in-memory store are the store's own: a result hands out copies. The SQLite store parses a fresh
  // object on every read.
  const clone = !(store instanceof SqliteStore);
  const filters = [...(req.filters ?? [])];
  let candidates: Iterable<Resource> | undefined;

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
  // On SQLite, a reference filter narrows through the reference index (its predicate below still applies).
  if (candidates === undefined && typeMap && !(typeMap instanceof IndexedTypeMap)) {
    const reference = filters.find((f) => referencePredicate(req.resourceType, f) !== undefined);
    if (reference) candidates = typeMap.referencing(reference.value);
  }
  // Otherwise every resource of the type, streamed (the SQLite store reads it a batch at a time).
  candidates ??= typeMap ? typeMap.values() : [];

  // 2. Simple reference filters in JavaScript; the rest with Medplum's matcher.
  const predicates: ((r: Resource) => boolean)[] = [];
  const rest: Filter[] = [];
  for (const f of filters) {
    const predicate = referencePredicate(req.resourceType, f) ?? anyValueInSystem(f);
    if (predicate) predicates.push(predicate);
    else rest.push(f);
  }
  const remaining = rest.length ? { ...req, filters: rest, sortRules: undefined, offset: undefined, count: undefined } : undefined;
  const matches = (r: Resource): boolean =>
    predicates.every((p) => p(r)) && (remaining === undefined || matchesSearchRequest(r as never, remaining as never));

  const sortRules = req.sortRules ?? [];
  if (sortRules.length === 0) {
    // Unsorted: only the requested page is kept, the rest is counted (memory stays flat however many match).
    const start = req.offset ?? 0;
    const end = req.count === undefined ? Number.POSITIVE_INFINITY : start + req.count;
    const kept: Resource[] = [];
    let total = 0;
    for (const r of candidates) {
      if (!matches(r)) continue;
      if (total >= start && total < end) kept.push(r);
      total++;
    }
    return pageOf(kept, total, clone);
  }
  let found: Resource[] = [];
  for (const r of candidates) if (matches(r)) found.push(r);

  // 3. Sort: date parameters in JS; anything else through Medplum on the matches only.
  const keys = sortRules.map((s) => dateSortKey(req.resourceType, s.code));
  if (keys.every((k) => k !== undefined)) {
    const decorated = found.map((r) => ({ r, k: keys.map((k) => k!(r)) }));
    decorated.sort((a, b) => {
      for (let i = 0; i < sortRules.length; i++) {
        const d = a.k[i]! - b.k[i]!;
        if (d !== 0 && !Number.isNaN(d)) return sortRules[i]!.descending ? -d : d;
      }
      return 0;
    });
    found = decorated.map((d) => d.r);
    return page(found, req, clone);
  }
  const ids = found.map((r) => r.id!).filter(Boolean);
  if (ids.length === 0) return page([], req, false);
  const sorted = await MemoryRepository.prototype.search.call(this, {
    resourceType: req.resourceType,
    filters: [{ code: '_id', operator: 'eq', value: ids.join(',') }],
    sortRules,
  } as SearchArg);
  return page((sorted.entry ?? []).map((e) => e.resource as Resource), req, false);
}

function page(matches: Resource[], req: SearchArg, clone: boolean): SearchResult {
  const start = req.offset ?? 0;
  const slice = req.count !== undefined ? matches.slice(start, start + req.count) : matches.slice(start);
  return pageOf(slice, matches.length, clone);
}

function pageOf(slice: Resource[], total: number, clone: boolean): SearchResult {
  const entry = slice.map((resource) => ({ resource: clone ? structuredClone(resource) : resource }));
  return { resourceType: 'Bundle', type: 'searchset', ...(entry.length ? { entry } : {}), total } as unknown as SearchResult;
}

// Medplum's `search` is generic; the override keeps its signature by replacing it on the prototype.
IndexedMemoryRepository.prototype.search = indexedSearch as MemoryRepository['search'];
