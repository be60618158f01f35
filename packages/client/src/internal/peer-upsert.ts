import type { Bundle, BundleEntry, FhirResource } from 'fhir/r4.js';
import type { PeerFhirClient } from '../client.js';
import type { RequestOptions, Retrieved } from '../types.js';
import { keyOfCriteria, keyString, typeIdOf, type KeyLookup } from './peer-lookup.js';
import { rememberLocations, rewriteReferences, sameContent } from './peer-mapping.js';

/** What {@link upsertBundle} did: where each entry's record lives now and what it changed. */
export interface UpsertOutcome {
  /** fullUrl (urn:uuid) of each entry -> `Type/id` on the server. */
  located: Map<string, string>;
  /** `Type/id` of every resource created or updated. */
  changed: string[];
  /** `Type/id` of the resources created (201), a subset of `changed`. */
  created: string[];
}

/** Entries added to a non-empty upsert transaction (a Provenance of the change), given the entries about to be sent. */
export type ExtraEntries = (out: readonly BundleEntry[]) => BundleEntry[];

/**
 * Turns a core transaction of conditional creates into an upsert: records of `updatable` types that exist are
 * compared with what is stored and, when different, replaced with `PUT` + `If-Match` (the version read, or the one
 * pinned by record key); other records that exist are left alone and referenced by id; everything else stays a
 * conditional create. One atomic transaction, so a 412 on any entry changes nothing.
 * https://hl7.org/fhir/R4/http.html#concurrency
 */
export async function upsertBundle(
  client: PeerFhirClient,
  lookup: KeyLookup,
  bundle: Bundle,
  updatable: ReadonlySet<string>,
  pins: ReadonlyMap<string, string>,
  opts: RequestOptions,
  extra?: ExtraEntries,
): Promise<UpsertOutcome> {
  const located = new Map<string, string>();
  const stored = new Map<string, Retrieved<FhirResource>>();
  const pinOf = new Map<string, string>();
  const kept: BundleEntry[] = [];
  for (const entry of bundle.entry ?? []) {
    const type = entry.request?.url ?? '';
    const key = keyOfCriteria(type, entry.request?.ifNoneExist);
    if (!key || !entry.fullUrl) {
      kept.push(entry);
      continue;
    }
    if (updatable.has(type)) {
      const found = await lookup.find(key, opts);
      if (found) {
        const ref = `${found.resourceType}/${found.id}`;
        located.set(entry.fullUrl, ref);
        stored.set(entry.fullUrl, found);
        const pin = pins.get(keyString(key));
        if (pin !== undefined) pinOf.set(entry.fullUrl, pin);
      }
      kept.push(entry);
      continue;
    }
    const ref = await lookup.lookup(key, opts);
    if (ref) located.set(entry.fullUrl, ref);
    else kept.push(entry);
  }

  const out: BundleEntry[] = [];
  for (const entry of kept) {
    const rewritten = rewriteReferences(entry, located);
    const found = entry.fullUrl ? stored.get(entry.fullUrl) : undefined;
    if (!found || !rewritten.resource) {
      out.push(rewritten);
      continue;
    }
    const next = { ...rewritten.resource, id: found.id } as FhirResource;
    const pin = entry.fullUrl ? pinOf.get(entry.fullUrl) : undefined;
    const stale = pin !== undefined && pin !== found.meta.versionId;
    // A stale pin is sent anyway so the server answers 412, even when nothing else changed.
    if (!stale && sameContent(next, found)) continue;
    const version = pin ?? found.meta.versionId;
    out.push({ resource: next, request: { method: 'PUT', url: `${found.resourceType}/${found.id}`, ifMatch: `W/"${version}"` } });
  }
  if (out.length === 0) return { located, changed: [], created: [] };
  if (extra) out.push(...extra(out));

  const request: Bundle = { resourceType: 'Bundle', type: 'transaction', entry: out };
  const response = await client.transaction(request, opts);
  rememberLocations(lookup, request, response);
  const changed: string[] = [];
  const created: string[] = [];
  out.forEach((e, i) => {
    const answer = response.entry?.[i]?.response;
    const ref = typeIdOf(answer?.location) ?? (e.request?.method === 'PUT' ? e.request.url : undefined);
    if (!ref) return;
    if (e.fullUrl) located.set(e.fullUrl, ref);
    if (e.request?.method === 'PUT' || answer?.status?.startsWith('201')) changed.push(ref);
    if (e.request?.method !== 'PUT' && answer?.status?.startsWith('201')) created.push(ref);
  });
  return { located, changed, created };
}
