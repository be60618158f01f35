import type { FhirResource } from 'fhir/r4.js';
import { LRUCache } from 'lru-cache';
import type { RecordKey } from '@peer-fhir/core';
import type { PeerFhirClient } from '../client.js';
import type { RequestOptions, ResourceType, Retrieved } from '../types.js';

/** `Type|system|value`: the cache key of a record key. */
export function keyString(k: RecordKey): string {
  return `${k.resourceType}|${k.system}|${k.value}`;
}

/** `Type/id` from a reference, a `Location` (`[base]/Type/id/_history/v`) or a resource. */
export function typeIdOf(location: string | undefined): string | undefined {
  if (!location) return undefined;
  const m = /(?:^|\/)([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[^/]+)?\/?$/.exec(location);
  return m ? `${m[1]}/${m[2]}` : undefined;
}

/**
 * `s` copied into one flat string of its own. V8 keeps a concatenation (`${type}/${id}`) as a tree of its pieces and
 * a regular-expression match as a slice that holds the string it was cut from: three or four heap objects per
 * reference. Worth it only for strings kept long in large numbers: a 1M-row month's participant list (108k encounter
 * references, kept by `bill` for the whole month) holds 15.3 MB live instead of 23.4 (docs/benchmarks.md, B9 round 8).
 */
export const flatString = (s: string): string => JSON.parse(JSON.stringify(s)) as string;

/** The record key behind a conditional create (`identifier=<system>|<value>`, URI-encoded as core writes it). */
export function keyOfCriteria(resourceType: string, criteria: string | undefined): RecordKey | undefined {
  const m = /^identifier=([^|&]*)\|([^&]*)$/.exec(criteria ?? '');
  if (!m) return undefined;
  return { resourceType, system: decodeURIComponent(m[1] ?? ''), value: decodeURIComponent(m[2] ?? '') };
}

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return out;
}

/**
 * Finds records already on the server by their peer-fhir identifier (`GET Type?identifier=system|value`) and
 * remembers what it found (only hits: a miss may be created a moment later). One per `PeerClient`.
 */
export class KeyLookup {
  readonly #known = new Map<string, string>();
  readonly #inFlight = new Map<string, Promise<string | undefined>>();

  constructor(private readonly client: PeerFhirClient) {}

  /** The cached `Type/id` for `key`, without I/O. */
  known(key: RecordKey): string | undefined {
    return this.#known.get(keyString(key));
  }

  remember(key: RecordKey, ref: string): void {
    this.#known.set(keyString(key), ref);
  }

  forget(key: RecordKey): void {
    this.#known.delete(keyString(key));
  }

  /** The resource with this identifier, read fresh (not cached), or `undefined`. */
  async find<T extends FhirResource = FhirResource>(key: RecordKey, opts: RequestOptions): Promise<Retrieved<T> | undefined> {
    const params = new URLSearchParams({ identifier: `${key.system}|${key.value}`, _count: '2' });
    const page = await this.client.search(key.resourceType as ResourceType, params, opts);
    const hit = page.entry?.find((e) => e.resource?.resourceType === key.resourceType)?.resource as Retrieved<T> | undefined;
    if (hit) this.remember(key, `${hit.resourceType}/${hit.id}`);
    return hit;
  }

  /** `Type/id` of the record with this key, from the cache or one search. */
  async lookup(key: RecordKey, opts: RequestOptions): Promise<string | undefined> {
    const k = keyString(key);
    const cached = this.#known.get(k);
    if (cached) return cached;
    let pending = this.#inFlight.get(k);
    if (!pending) {
      pending = this.find(key, opts).then((r) => (r ? `${r.resourceType}/${r.id}` : undefined));
      this.#inFlight.set(k, pending);
      void pending.finally(() => this.#inFlight.delete(k)).catch(() => undefined);
    }
    return pending;
  }

  /** Look several keys up, `concurrency` searches at a time. */
  lookupAll(keys: readonly RecordKey[], opts: RequestOptions, concurrency = 6): Promise<(string | undefined)[]> {
    return mapLimit(keys, concurrency, (k) => this.lookup(k, opts));
  }
}

/**
 * Resources a {@link ResourceCache} keeps between reads: the practitioners, organizations and participants the pages of
 * a long read keep naming stay cached, while the cache stays bounded (a month of a large agency names tens of thousands
 * of resources; an unbounded cache held them all for the life of the client).
 */
const RESOURCE_CACHE_MAX = 1_000;

/** Reads resources by id in bulk (`GET Type?_id=a,b,…`) with a per-instance cache of the most recently used. */
export class ResourceCache {
  readonly #byRef = new LRUCache<string, FhirResource>({ max: RESOURCE_CACHE_MAX });

  constructor(private readonly client: PeerFhirClient) {}

  put(resource: FhirResource): void {
    if (resource.id) this.#byRef.set(`${resource.resourceType}/${resource.id}`, resource);
  }

  get(ref: string): FhirResource | undefined {
    return this.#byRef.get(ref);
  }

  /** Every resource named by `refs` (`Type/id`) that exists; cached ones are not fetched again unless `fresh`. */
  async getAll(refs: Iterable<string>, opts: RequestOptions, fresh = false): Promise<FhirResource[]> {
    const wanted = [...new Set([...refs].map(typeIdOf).filter((r): r is string => r !== undefined))];
    // This call's answers are kept apart from the cache, so one naming more than the cache holds loses none.
    const found = new Map<string, FhirResource>();
    const missing = new Map<string, string[]>();
    for (const ref of wanted) {
      const cached = fresh ? undefined : this.#byRef.get(ref);
      if (cached !== undefined) {
        found.set(ref, cached);
        continue;
      }
      const [type, id] = ref.split('/') as [string, string];
      const ids = missing.get(type);
      if (ids === undefined) missing.set(type, [id]);
      else ids.push(id);
    }
    const chunks: [string, string[]][] = [];
    for (const [type, ids] of missing) for (let i = 0; i < ids.length; i += 50) chunks.push([type, ids.slice(i, i + 50)]);
    await mapLimit(chunks, 4, async ([type, ids]) => {
      const params = new URLSearchParams({ _id: ids.join(','), _count: String(ids.length) });
      for await (const r of this.client.searchAll(type as ResourceType, params, opts)) {
        this.put(r);
        if (r.id) found.set(`${r.resourceType}/${r.id}`, r);
      }
    });
    return wanted.map((r) => found.get(r)).filter((r): r is FhirResource => r !== undefined);
  }
}

