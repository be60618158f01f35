import type { Bundle, Resource } from 'fhir/r4.js';
import { PeerFhirValidationError, toFhir, type DomainRecords, type IdentityScope, type RecordKey } from '@peer-fhir/core';
import type { RequestOptions } from '../types.js';
import { keyOfCriteria, keyString, typeIdOf, type KeyLookup } from './peer-lookup.js';

/**
 * Kinds of records that others refer to and that are looked up on the server. core also asks about the record
 * being written (an Encounter's own key, for its Conditions): those are new or rewritten by conditional create
 * anyway, so they are not searched for, which saves one search per record.
 */
const REFERENCED_TYPES: ReadonlySet<string> = new Set(['Patient', 'PractitionerRole', 'Practitioner', 'Organization']);

/**
 * Records being written in a transaction that has not answered yet, by key (`keyString`): the `urn:uuid:` fullUrl of
 * each one's entry there. Records mapped meanwhile refer to them by that urn, rewritten to `Type/id` once the
 * transaction answers ({@link withReferences}), so mapping need not wait for the write.
 */
export type PendingWrites = ReadonlyMap<string, string>;

/**
 * core's `toFhir` with `existing` answered from the server: map, collect the keys core asked about that are not
 * known yet, look them up, and map again until nothing new is asked. Schema errors are thrown at once, as core
 * throws them; a reference that is neither in the input nor on the server stays core's `missing_reference` error.
 * `tried` remembers misses across calls of one bulk operation; a key in `pending` is answered with its urn and
 * never searched for.
 */
export async function mapResolved(
  records: DomainRecords,
  scope: IdentityScope,
  lookup: KeyLookup,
  opts: RequestOptions,
  tried: Set<string> = new Set(),
  pending?: PendingWrites,
): Promise<Bundle> {
  for (let round = 0; ; round++) {
    const asked = new Map<string, RecordKey>();
    const existing = (key: RecordKey): string | undefined => {
      const known = lookup.known(key);
      if (known !== undefined) return known;
      const k = keyString(key);
      const hit = pending?.get(k);
      if (hit === undefined && REFERENCED_TYPES.has(key.resourceType) && !tried.has(k)) asked.set(k, { ...key });
      return hit;
    };
    let bundle: Bundle | undefined;
    let error: unknown;
    try {
      bundle = toFhir(records, { agency: scope.agency, namespace: scope.namespace, existing });
    } catch (e) {
      error = e;
    }
    const onlyReferences = error instanceof PeerFhirValidationError && error.issues.every((i) => i.code === 'missing_reference');
    if (asked.size === 0 || round >= 4 || (error !== undefined && !onlyReferences)) {
      if (error !== undefined) throw error;
      return bundle as Bundle;
    }
    for (const k of asked.keys()) tried.add(k);
    await lookup.lookupAll([...asked.values()], opts);
  }
}

/** Remember where each conditional create of `request` landed (from the transaction-response locations). */
export function rememberLocations(lookup: KeyLookup, request: Bundle, response: Bundle): void {
  (request.entry ?? []).forEach((entry, i) => {
    const key = keyOfCriteria(entry.request?.url ?? '', entry.request?.ifNoneExist);
    const ref = typeIdOf(response.entry?.[i]?.response?.location);
    if (key && ref) lookup.remember(key, ref);
  });
}

/** Deep copy of `value` with every `reference` found in `map` replaced (urn:uuid -> `Type/id`). */
export function rewriteReferences<T>(value: T, map: ReadonlyMap<string, string>): T {
  if (Array.isArray(value)) return value.map((v: unknown) => rewriteReferences(v, map)) as T;
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = k === 'reference' && typeof v === 'string' && map.has(v) ? map.get(v) : rewriteReferences(v, map);
  }
  return out as T;
}

/** What {@link withReferences} notes on its way: a `urn:uuid:` reference neither rewritten nor in `local`. */
export interface UrnCheck {
  /** The `fullUrl`s of the entries the value travels with: a urn:uuid among them resolves inside the transaction. */
  readonly local: ReadonlySet<string>;
  /** Set when a `urn:uuid:` reference is neither in the map nor in `local`: it would dangle. */
  foreign: boolean;
}

/**
 * {@link rewriteReferences} copy-on-write: only the objects on the path to a rewritten reference are copied, the rest
 * is shared with `value` (returned as is when nothing matches). For values the caller owns and will only serialize,
 * such as freshly mapped bundle entries about to be sent: most entries of a bulk write reference nothing in `map`,
 * and a deep copy of each was most of the cost of detaching shared entries. With `check`, the same walk also notes a
 * `urn:uuid:` reference left pointing outside `check.local` (a second walk for that cost as much as this one).
 */
export function withReferences<T>(value: T, map: ReadonlyMap<string, string>, check?: UrnCheck): T {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const before: unknown = value[i];
      const after = withReferences(before, map, check);
      if (after !== before) (copy ??= [...value])[i] = after;
    }
    return (copy ?? value) as T;
  }
  // `for...in` over a plain JSON object: no entry arrays allocated per object, unlike `Object.entries`.
  const record = value as Record<string, unknown>;
  let copy: Record<string, unknown> | undefined;
  for (const k in record) {
    const v = record[k];
    const after = k === 'reference' && typeof v === 'string' ? referenceTo(v, map, check) : withReferences(v, map, check);
    if (after !== v) (copy ??= { ...record })[k] = after;
  }
  return (copy ?? value) as T;
}

function referenceTo(reference: string, map: ReadonlyMap<string, string>, check: UrnCheck | undefined): string {
  const to = map.get(reference);
  if (to !== undefined) return to;
  if (check !== undefined && reference.startsWith('urn:uuid:') && !check.local.has(reference)) check.foreign = true;
  return reference;
}

/** All literal references (`reference` strings) inside a resource. */
export function referencesIn(value: unknown, out: string[] = []): string[] {
  // Walked for every resource a read brings back: no entry arrays or closures per object, primitives never visited.
  if (Array.isArray(value)) {
    for (const v of value) if (v !== null && typeof v === 'object') referencesIn(v, out);
  } else if (value !== null && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    for (const k of Object.keys(o)) {
      const v = o[k];
      if (v !== null && typeof v === 'object') referencesIn(v, out);
      else if (k === 'reference' && typeof v === 'string') out.push(v);
    }
  }
  return out;
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
  );
}

/** True when two resources say the same thing, ignoring id and server-maintained meta. */
export function sameContent(a: Resource, b: Resource): boolean {
  const strip = (r: Resource): unknown => {
    const { id: _id, meta, ...rest } = r;
    const { versionId: _v, lastUpdated: _l, source: _s, ...keptMeta } = meta ?? {};
    return canonical({ ...rest, meta: keptMeta });
  };
  return JSON.stringify(strip(a)) === JSON.stringify(strip(b));
}

/**
 * Lets pending I/O run (a request body going out, a response coming in) in the middle of a long CPU-bound loop:
 * awaiting a resolved promise does not, it only runs microtasks. `setImmediate` where the runtime has it (Node),
 * else a zero timeout.
 */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => {
    if (typeof setImmediate === 'function') setImmediate(resolve);
    else setTimeout(resolve, 0);
  });
}
