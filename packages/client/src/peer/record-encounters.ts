import type { Bundle, BundleEntry } from 'fhir/r4.js';
import { PeerFhirValidationError, type DomainRecords, type Participant, type PeerEncounter, type ValidationIssue } from '@peer-fhir/core';
import { storedConflicts, type RecordEntries } from '../record-all.js';
import type { RequestOptions } from '../types.js';
import { typeIdOf } from '../internal/peer-lookup.js';
import { mapResolved, referencesIn, rememberLocations, withReferences } from '../internal/peer-mapping.js';
import type { PeerContext } from './context.js';
import { DEFAULT_MAX_BUNDLE_ENTRIES, type RecordedEncounter, type RecordEncounterOptions, type RecordEncountersOptions, type RecordEncountersSummary, type RosterOutcome, type WrittenResource } from './options.js';

function written(request: Bundle, response: Bundle): WrittenResource[] {
  return (request.entry ?? []).flatMap((_entry, i) => {
    const answer = response.entry?.[i]?.response;
    const reference = typeIdOf(answer?.location);
    if (!reference) return [];
    const [resourceType, id] = reference.split('/') as [string, string];
    return [{ reference, resourceType, id, created: answer?.status?.startsWith('201') === true }];
  });
}

export async function recordEncounter(ctx: PeerContext, encounter: PeerEncounter, opts: RecordEncounterOptions): Promise<RecordedEncounter> {
  const { participants, specialist, organization, ...request } = opts;
  const records: DomainRecords = {
    encounters: [encounter],
    participants: [...(participants ?? [])],
    specialists: specialist ? [specialist] : [],
    organizations: organization ? [organization] : [],
  };
  const bundle = await mapResolved(records, ctx.scope, ctx.lookup, request);
  const response = await ctx.client.transaction(bundle, request);
  rememberLocations(ctx.lookup, bundle, response);
  const resources = written(bundle, response);
  const of = (type: string) => resources.filter((r) => r.resourceType === type).map((r) => r.reference);
  return {
    encounterIds: of('Encounter'),
    conditionIds: of('Condition'),
    documentReferenceIds: of('DocumentReference'),
    resources,
    created: resources.some((r) => r.created),
  };
}

/**
 * Writes bundles one after another (they may share conditional entries), remembers where things landed, and
 * compares what a conditional create found already stored with what was sent (`roster`: conflicts by path).
 */
async function writeSequentially(ctx: PeerContext, bundles: readonly Bundle[], request: RequestOptions, roster?: RosterOutcome): Promise<void> {
  for (const bundle of bundles) {
    if (!bundle.entry?.length) continue;
    const response = await ctx.client.transaction(bundle, request);
    rememberLocations(ctx.lookup, bundle, response);
    if (roster) {
      const r = await storedConflicts(bundle, response, (refs, o) => ctx.cache.getAll(refs, o, true), request);
      roster.created += r.created;
      roster.unchanged += r.unchanged;
      roster.conflict += r.conflicts.length;
      roster.conflicts.push(...r.conflicts);
    }
  }
}

/** Entries a participant maps to at most (Patient, Coverage, RelatedPerson): sizes the roster's first guess. */
const ENTRIES_PER_PARTICIPANT = 3;

/**
 * The roster in as few transactions as the entry cap allows: agencies and specialists with the first participants,
 * then the remaining participants (found by the lookup once the first transaction answered). A chunk mapped larger
 * than the cap is mapped again at half the participants.
 */
async function writeRoster(ctx: PeerContext, opts: RecordEncountersOptions, request: RequestOptions, maxEntries: number, roster: RosterOutcome): Promise<void> {
  const participants = [...(opts.participants ?? [])];
  let head: DomainRecords = { organizations: [...(opts.organizations ?? [])], specialists: [...(opts.specialists ?? [])] };
  const perChunk = Math.max(1, Math.floor(maxEntries / ENTRIES_PER_PARTICIPANT));
  let i = 0;
  do {
    const { bundle, taken } = await mapRosterChunk(ctx, head, participants.slice(i, i + perChunk), maxEntries, request);
    await writeSequentially(ctx, [bundle], request, roster);
    head = {};
    i += taken;
  } while (i < participants.length);
}

/** Maps `head` with as many of `chunk`'s participants as fit in `maxEntries` (at least one). */
async function mapRosterChunk(ctx: PeerContext, head: DomainRecords, chunk: readonly Participant[], maxEntries: number, request: RequestOptions): Promise<{ bundle: Bundle; taken: number }> {
  let take = chunk.length;
  for (;;) {
    const bundle = await mapResolved({ ...head, participants: chunk.slice(0, take) }, ctx.scope, ctx.lookup, request);
    if (take <= 1 || (bundle.entry?.length ?? 0) <= maxEntries) return { bundle, taken: take };
    take = Math.ceil(take / 2);
  }
}

/**
 * Entries that occur in more than one record (a peer group's Group across its sessions) are written once up front,
 * then dropped from the records, which point at them by `Type/id`: two transactions in flight never race to create
 * the same resource, and one transaction never holds the same fullUrl twice.
 */
async function detachShared(ctx: PeerContext, records: BundleEntry[][], request: RequestOptions, bundleSize: number): Promise<RecordEntries[]> {
  const seen = new Map<string, { entry: BundleEntry; count: number }>();
  for (const record of records) {
    for (const entry of record) {
      if (!entry.fullUrl) continue;
      const s = seen.get(entry.fullUrl);
      if (s) s.count++;
      else seen.set(entry.fullUrl, { entry, count: 1 });
    }
  }
  const shared = [...seen.values()].filter((s) => s.count > 1 && !referencesIn(s.entry.resource).some((r) => r.startsWith('urn:'))).map((s) => s.entry);
  if (shared.length === 0) return records;
  const bundles: Bundle[] = [];
  for (let i = 0; i < shared.length; i += bundleSize) bundles.push({ resourceType: 'Bundle', type: 'transaction', entry: shared.slice(i, i + bundleSize) });
  const located = new Map<string, string>();
  for (const bundle of bundles) {
    const response = await ctx.client.transaction(bundle, request);
    rememberLocations(ctx.lookup, bundle, response);
    (bundle.entry ?? []).forEach((e, i) => {
      const ref = typeIdOf(response.entry?.[i]?.response?.location);
      if (e.fullUrl && ref) located.set(e.fullUrl, ref);
    });
  }
  // The records were mapped for this call and are only serialized from here on: shared, not deep-copied.
  return records.map((record) => record.filter((e) => !(e.fullUrl && located.has(e.fullUrl))).map((e) => withReferences(e, located)));
}

export async function recordEncounters(ctx: PeerContext, list: readonly PeerEncounter[], opts: RecordEncountersOptions): Promise<RecordEncountersSummary> {
  const { participants: _p, specialists: _s, organizations: _o, bundleSize = 100, maxEntries = DEFAULT_MAX_BUNDLE_ENTRIES, concurrency, onProgress, checkExisting, ...request } = opts;
  const writeOpts: RequestOptions = { ...request, maxRetries: request.maxRetries ?? 5 };
  const roster: RosterOutcome = { created: 0, unchanged: 0, conflict: 0, conflicts: [] };
  await writeRoster(ctx, opts, writeOpts, maxEntries, checkExisting === false ? { created: 0, unchanged: 0, conflict: 0, conflicts: [] } : roster);
  const mapped = await mapEncounters(ctx, list, request);
  const records = await detachShared(ctx, mapped, writeOpts, maxEntries);
  // One transaction per `bundleSize` encounters, closed early at `maxEntries` entries (an encounter is never split).
  const summary = await ctx.client.recordAll(records, { ...request, bundleSize: maxEntries, recordsPerBundle: bundleSize, concurrency, onProgress, checkExisting });
  return { ...summary, roster };
}

/** Every encounter mapped to its entries; nothing is written when any is invalid (the caller fixes the input). */
async function mapEncounters(ctx: PeerContext, list: readonly PeerEncounter[], request: RequestOptions): Promise<BundleEntry[][]> {
  const tried = new Set<string>();
  const issues: ValidationIssue[] = [];
  const mapped: BundleEntry[][] = [];
  for (const [i, encounter] of list.entries()) {
    try {
      mapped.push((await mapResolved({ encounters: [encounter] }, ctx.scope, ctx.lookup, request, tried)).entry ?? []);
    } catch (e) {
      if (!(e instanceof PeerFhirValidationError)) throw e;
      issues.push(...e.issues.map((x) => ({ ...x, path: x.path.replace(/^encounters\[0\]/, `encounters[${i}]`) })));
      mapped.push([]);
    }
  }
  if (issues.length > 0) throw new PeerFhirValidationError('DomainRecords', issues);
  return mapped;
}
