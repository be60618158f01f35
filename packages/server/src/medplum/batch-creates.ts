import { allOk, created, getStatus, isResourceType, multipleMatches, normalizeOperationOutcome, OperationOutcomeError } from '@medplum/core';
import type { MemoryRepository } from '@medplum/fhir-router';
import type { BundleEntry, OperationOutcome, Resource } from 'fhir/r4.js';
import { storeOwned } from './create-resource.js';

// A copy of Medplum 4.5.2's BatchProcessor steps for a create-only bundle (assumption A7 of ./index.ts).
//
// Bulk writers (PeerFhirClient.recordAll, imports) send batches and transactions made only of creates, usually
// conditional ones. Medplum 4.5.2's BatchProcessor serves them correctly but expensively for an in-memory store: it
// deep-copies every entry while rewriting urn:uuid references, parses each If-None-Exist twice into a full search,
// stringifies the whole bundle for an event nobody listens to, and copies every created resource twice through JSON.
// This module serves exactly that kind of bundle with the same steps and the same results, on the objects parsed from
// the request body (which nothing else holds): identities are resolved first (an existing match, else a new id),
// then each entry in order has its urn:uuid strings rewritten and is conditionally created. Anything else in a
// bundle (reads, updates, deletes, patches, a POST that is not a plain create) goes through Medplum unchanged.

/** Medplum's pattern for a local reference (batch.ts `localBundleReference`), URL-encoded colons included. */
export const LOCAL_REFERENCE = /urn(:|%3A)uuid(:|%3A)[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;

/** The stored resources an If-None-Exist criteria matches now (the store's own objects: read only). */
export type StoredMatches = (resourceType: string, criteria: string) => Promise<Resource[]>;

/** A create entry: what {@link isCreateOnly} checked, typed. */
type CreateEntry = BundleEntry & { resource: Resource; request: NonNullable<BundleEntry['request']> };

/**
 * True when every entry is a plain create (`POST Type` with a resource of that type, optionally `ifNoneExist`)
 * that {@link processCreates} serves exactly as Medplum's batch processing would.
 */
export function isCreateOnly(entries: readonly BundleEntry[]): entries is CreateEntry[] {
  return (
    entries.length > 0 &&
    entries.every((e) => {
      const r = e.request;
      const resource = e.resource as unknown;
      return (
        r?.method === 'POST' &&
        typeof r.url === 'string' &&
        isResourceType(r.url) &&
        typeof resource === 'object' &&
        resource !== null &&
        !Array.isArray(resource) &&
        (resource as Resource).resourceType === r.url &&
        r.ifMatch === undefined &&
        r.ifNoneMatch === undefined &&
        r.ifModifiedSince === undefined
      );
    })
  );
}

/**
 * Run the creates of a batch (the caller wraps transactions in the write journal and rolls back on a failed entry)
 * and answer one Medplum-shaped response entry per input entry: `response.outcome/status/location` and the resource.
 * `known[i]`, when given, are entry i's current If-None-Exist matches (the caller has just looked them up, and
 * nothing was written since). Returned resources are the stored objects: serialize them, do not change them.
 */
export async function processCreates(
  repo: MemoryRepository,
  entries: CreateEntry[],
  known: readonly (Resource[] | undefined)[],
  storedMatches: StoredMatches,
  options: CreateOptions = {},
): Promise<BundleEntry[]> {
  const keepsObjects = options.keepsObjects ?? true;
  const release = !keepsObjects && options.versionsOnly === true;
  const results = new Array<BundleEntry>(entries.length);
  const identities = new Map<string, string>();

  // 1. Identities, as BatchProcessor.resolveCreateIdentity: the one existing match, else a new id for the resource.
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i]!;
    try {
      const criteria = entry.request.ifNoneExist;
      const existing = criteria === undefined ? undefined : (known[i] ?? (await storedMatches(entry.request.url, criteria)));
      let reference: string;
      if (existing?.length === 1) {
        reference = `${existing[0]!.resourceType}/${existing[0]!.id}`;
      } else {
        entry.resource.id = repo.generateId();
        reference = `${entry.resource.resourceType}/${entry.resource.id}`;
      }
      identities.set(entry.fullUrl ?? '', reference);
    } catch (err) {
      // A batch answers a failed entry in place and goes on (BatchProcessor.preprocessBundle).
      results[i] = failure(err);
    }
  }

  // 2. Entries in order: references rewritten, then the conditional create (FhirRepository.conditionalCreate).
  const rewrite = (text: string): string => rewriteString(text, identities);
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i]!;
    if (results[i]) continue;
    try {
      const criteria = entry.request.ifNoneExist === undefined ? undefined : rewriteString(entry.request.ifNoneExist, identities);
      const matches = criteria === undefined ? [] : await storedMatches(entry.request.url, criteria);
      if (matches.length > 1) throw new OperationOutcomeError(multipleMatches);
      if (matches.length === 1) {
        const found = matches[0]!;
        results[i] = answer(allOk as OperationOutcome, release ? versionOf(found) : found);
        if (release) releaseResource(entry);
        continue;
      }
      // Medplum keeps the id assigned in step 1; a resource that lost its match in between gets one now.
      entry.resource.id ||= repo.generateId();
      // References are rewritten only in what is stored (a found resource is answered as stored, as Medplum does),
      // during the walk that stores it.
      const stored = storeOwned(repo, entry.resource as Resource & { id: string }, rewrite, keepsObjects);
      results[i] = answer(created as OperationOutcome, release ? versionOf(stored) : stored);
      if (release) releaseResource(entry);
    } catch (err) {
      results[i] = failure(err);
    }
  }
  return results;
}

/** Options of {@link processCreates}. */
export interface CreateOptions {
  /** False for a store that serializes what it stores (the SQLite store): see `storeOwned`'s `shareVocabulary`. */
  keepsObjects?: boolean;
  /**
   * The caller answers each entry's status, location and version only (`Prefer: return=minimal`): each answered
   * resource is then reduced to its type, id and `meta` version, and, on a store that keeps no objects, each entry's
   * resource is let go of as soon as it is stored. A bundle parsed from a request is several MB of objects; released
   * entry by entry they die young, instead of being copied by every garbage collection until the bundle is done.
   */
  versionsOnly?: boolean;
}

/** What a minimal answer reads of a resource: its type, id, version and time. */
function versionOf(resource: Resource): Resource {
  const { versionId, lastUpdated } = resource.meta ?? {};
  const version: Resource = { resourceType: resource.resourceType, id: resource.id, meta: { versionId, lastUpdated } };
  return version;
}

/** Drop the entry's (stored, serialized) resource from the request body: nothing reads it after its answer. */
function releaseResource(entry: BundleEntry): void {
  entry.resource = undefined;
}

/** BatchProcessor's `buildBundleResponse`. */
function answer(outcome: OperationOutcome, resource: Resource): BundleEntry {
  return { response: { outcome, status: String(getStatus(outcome as never)), location: `${resource.resourceType}/${resource.id}` }, resource };
}

function failure(err: unknown): BundleEntry {
  const outcome = normalizeOperationOutcome(err) as OperationOutcome;
  return { response: { outcome, status: String(getStatus(outcome as never)) } };
}

/** The shortest string {@link LOCAL_REFERENCE} can match: `urn:uuid:` and 36 characters. */
const MIN_LOCAL_REFERENCE = 45;

/** BatchProcessor's `rewriteIdsInString`: the first local reference in the string, every occurrence of it. */
function rewriteString(input: string, identities: ReadonlyMap<string, string>): string {
  // Cheap pre-test: the regex only ever matches strings holding "uuid".
  if (input.length < MIN_LOCAL_REFERENCE || !input.includes('uuid')) return input;
  const found = LOCAL_REFERENCE.exec(input)?.[0];
  if (!found) return input;
  const reference = identities.get(found.replaceAll('%3A', ':'));
  return reference ? input.replaceAll(found, reference) : input;
}
