import type { Bundle, BundleEntry } from 'fhir/r4.js';
import { PeerFhirValidationError, type DomainRecords, type Participant, type PeerEncounter, type RecordKey, type ValidationIssue } from '@peer-fhir/core';
import { recordAll, storedConflicts, type RecordAllOptions, type RecordAllSummary, type RecordEntries } from '../record-all.js';
import type { RequestOptions } from '../types.js';
import { keyOfCriteria, keyString, ResourceCache, typeIdOf } from '../internal/peer-lookup.js';
import { mapResolved, referencesIn, rememberLocations, withReferences, yieldToEventLoop, type PendingWrites } from '../internal/peer-mapping.js';
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

/** Where each entry of `request` landed, by its fullUrl (`urn:uuid:…` -> `Type/id`), added to `into`. */
function locate(request: Bundle, response: Bundle, into: Map<string, string>): void {
  (request.entry ?? []).forEach((e, i) => {
    const ref = typeIdOf(response.entry?.[i]?.response?.location);
    if (e.fullUrl && ref) into.set(e.fullUrl, ref);
  });
}

/**
 * The roster mapped ahead of its write, in as few transactions as the entry cap allows: agencies and specialists
 * with the first participants, then the remaining participants. A later transaction names the records of an earlier
 * one by their urn:uuid (`pending`), rewritten to `Type/id` when it is sent; the encounters are mapped the same way.
 */
interface RosterPlan {
  bundles: Bundle[];
  /** The urn:uuid of every roster record, by its key (`keyString`). */
  pending: Map<string, string>;
  /** The key of every roster record, by its urn:uuid. */
  keys: Map<string, RecordKey>;
}

/** Adds the conditional creates of `bundle` to the plan's urns and keys. */
function planned(plan: RosterPlan, bundle: Bundle): void {
  for (const entry of bundle.entry ?? []) {
    const key = keyOfCriteria(entry.request?.url ?? '', entry.request?.ifNoneExist);
    if (!key || !entry.fullUrl?.startsWith('urn:uuid:')) continue;
    plan.pending.set(keyString(key), entry.fullUrl);
    plan.keys.set(entry.fullUrl, key);
  }
}

/**
 * Roster records the server answered without a location (R4 makes it optional) are found by their identifier, as
 * they were before records were mapped against the pending roster.
 */
async function locateMissing(ctx: PeerContext, plan: RosterPlan, located: Map<string, string>, request: RequestOptions): Promise<void> {
  const missing = [...plan.keys].filter(([urn]) => !located.has(urn));
  if (missing.length === 0) return;
  const refs = await ctx.lookup.lookupAll(missing.map(([, key]) => key), request);
  missing.forEach(([urn], i) => {
    const ref = refs[i];
    if (ref) located.set(urn, ref);
  });
}

/** Entries a participant maps to at most (Patient, Coverage, RelatedPerson): sizes the roster's first guess. */
const ENTRIES_PER_PARTICIPANT = 3;

async function planRoster(ctx: PeerContext, opts: RecordEncountersOptions, request: RequestOptions, maxEntries: number): Promise<RosterPlan> {
  const participants = [...(opts.participants ?? [])];
  let head: DomainRecords = { organizations: [...(opts.organizations ?? [])], specialists: [...(opts.specialists ?? [])] };
  const plan: RosterPlan = { bundles: [], pending: new Map(), keys: new Map() };
  const perChunk = Math.max(1, Math.floor(maxEntries / ENTRIES_PER_PARTICIPANT));
  let i = 0;
  do {
    const { bundle, taken } = await mapRosterChunk(ctx, head, participants.slice(i, i + perChunk), maxEntries, request, plan.pending);
    plan.bundles.push(bundle);
    planned(plan, bundle);
    head = {};
    i += taken;
  } while (i < participants.length);
  return plan;
}

/** Maps `head` with as many of `chunk`'s participants as fit in `maxEntries` (at least one). */
async function mapRosterChunk(ctx: PeerContext, head: DomainRecords, chunk: readonly Participant[], maxEntries: number, request: RequestOptions, pending: PendingWrites): Promise<{ bundle: Bundle; taken: number }> {
  let take = chunk.length;
  for (;;) {
    const bundle = await mapResolved({ ...head, participants: chunk.slice(0, take) }, ctx.scope, ctx.lookup, request, new Set(), pending);
    if (take <= 1 || (bundle.entry?.length ?? 0) <= maxEntries) return { bundle, taken: take };
    take = Math.ceil(take / 2);
  }
}

/**
 * Writes the roster's transactions one after another, each with the urn:uuid references to earlier ones rewritten,
 * remembers where things landed, and compares what a conditional create found already stored with what was sent
 * (`roster`: conflicts by path). Returns where every roster entry landed, by fullUrl.
 */
async function writeRoster(ctx: PeerContext, plan: RosterPlan, request: RequestOptions, roster: RosterOutcome): Promise<Map<string, string>> {
  const located = new Map<string, string>();
  for (const mapped of plan.bundles) {
    if (!mapped.entry?.length) continue;
    const bundle = located.size > 0 ? withReferences(mapped, located) : mapped;
    const response = await ctx.client.transaction(bundle, request);
    rememberLocations(ctx.lookup, bundle, response);
    locate(bundle, response, located);
    const r = await storedConflicts(bundle, response, (refs, o) => ctx.cache.getAll(refs, o, true), request);
    roster.created += r.created;
    roster.unchanged += r.unchanged;
    roster.conflict += r.conflicts.length;
    roster.conflicts.push(...r.conflicts);
  }
  return located;
}

/**
 * Entries that occur in more than one record (a peer group's Group across its sessions) are written once up front,
 * then dropped from the records, which point at them by `Type/id`: two transactions in flight never race to create
 * the same resource, and one transaction never holds the same fullUrl twice. `located` holds where the roster landed
 * (by fullUrl) and gets where the shared entries did: `recordAll` rewrites the references to both in the walk that
 * checks each record, so the records are not walked here.
 */
async function detachShared(ctx: PeerContext, records: BundleEntry[][], request: RequestOptions, bundleSize: number, located: Map<string, string>): Promise<RecordEntries[]> {
  const seen = new Map<string, { entry: BundleEntry; count: number }>();
  for (const record of records) {
    for (const entry of record) {
      if (!entry.fullUrl) continue;
      const s = seen.get(entry.fullUrl);
      if (s) s.count++;
      else seen.set(entry.fullUrl, { entry, count: 1 });
    }
  }
  const shared = [...seen.values()]
    .filter((s) => s.count > 1 && !referencesIn(s.entry.resource).some((r) => r.startsWith('urn:') && !located.has(r)))
    .map((s) => withReferences(s.entry, located));
  for (let i = 0; i < shared.length; i += bundleSize) {
    const bundle: Bundle = { resourceType: 'Bundle', type: 'transaction', entry: shared.slice(i, i + bundleSize) };
    const response = await ctx.client.transaction(bundle, request);
    rememberLocations(ctx.lookup, bundle, response);
    locate(bundle, response, located);
  }
  if (located.size === 0) return records;
  return records.map((record) => record.filter((e) => !(e.fullUrl && located.has(e.fullUrl))));
}

/**
 * The roster goes out first and is stored while the encounters are mapped: a FHIR server works in a process of its
 * own, so its work and the client's mapping overlap instead of following each other. The encounters name the
 * roster's records by the urn:uuids of its entries until it has answered; those references are rewritten to
 * `Type/id` before any encounter is sent (one that cannot be is rejected by `recordAll`, never sent dangling).
 */
export async function recordEncounters(ctx: PeerContext, list: readonly PeerEncounter[], opts: RecordEncountersOptions): Promise<RecordEncountersSummary> {
  const { participants: _p, specialists: _s, organizations: _o, bundleSize = 100, maxEntries = DEFAULT_MAX_BUNDLE_ENTRIES, concurrency, onProgress, checkExisting, beforeWrite, ...request } = opts;
  const writeOpts: RequestOptions = { ...request, maxRetries: request.maxRetries ?? 5 };
  const roster: RosterOutcome = { created: 0, unchanged: 0, conflict: 0, conflicts: [] };
  const plan = await planRoster(ctx, opts, request, maxEntries);
  const writing = writeRoster(ctx, plan, writeOpts, checkExisting === false ? { created: 0, unchanged: 0, conflict: 0, conflicts: [] } : roster);
  // Awaited below, after the mapping: handled now so that a failure meanwhile is not an unhandled rejection.
  writing.catch(() => undefined);
  const mapping = await mapEncounters(ctx, list, request, plan.pending).then(
    (mapped) => ({ mapped }),
    (error: unknown) => ({ error }),
  );
  // A roster that could not be written is reported first, as when it was written before the encounters were mapped.
  const located = await writing;
  if ('error' in mapping) throw mapping.error;
  await locateMissing(ctx, plan, located, writeOpts);
  await beforeWrite?.();
  const records = await detachShared(ctx, mapping.mapped, writeOpts, maxEntries, located);
  // One transaction per `bundleSize` encounters, closed early at `maxEntries` entries (an encounter is never split).
  const summary = await writeRecords(ctx, records, { ...request, bundleSize: maxEntries, recordsPerBundle: bundleSize, concurrency, onProgress, checkExisting }, located);
  return { ...summary, roster };
}

/** `client.recordAll`, with the references to `located` (roster and shared entries, by urn) rewritten as checked. */
function writeRecords(ctx: PeerContext, records: readonly RecordEntries[], opts: RecordAllOptions, located: ReadonlyMap<string, string>): Promise<RecordAllSummary> {
  const read = (refs: readonly string[], o: RequestOptions) => new ResourceCache(ctx.client).getAll(refs, o, true);
  return recordAll((bundle, o) => ctx.client.transaction(bundle, o), records, opts, read, located);
}

/** Encounters mapped between two yields to the event loop, so a transaction in flight is sent and answered meanwhile. */
const MAP_SLICE = 20;

/** Every encounter mapped to its entries; nothing is written when any is invalid (the caller fixes the input). */
async function mapEncounters(ctx: PeerContext, list: readonly PeerEncounter[], request: RequestOptions, pending: PendingWrites): Promise<BundleEntry[][]> {
  const tried = new Set<string>();
  const issues: ValidationIssue[] = [];
  const mapped: BundleEntry[][] = [];
  for (const [i, encounter] of list.entries()) {
    if (i % MAP_SLICE === MAP_SLICE - 1) await yieldToEventLoop();
    try {
      mapped.push((await mapResolved({ encounters: [encounter] }, ctx.scope, ctx.lookup, request, tried, pending)).entry ?? []);
    } catch (e) {
      if (!(e instanceof PeerFhirValidationError)) throw e;
      issues.push(...e.issues.map((x) => ({ ...x, path: x.path.replace(/^encounters\[0\]/, `encounters[${i}]`) })));
      mapped.push([]);
    }
  }
  if (issues.length > 0) throw new PeerFhirValidationError('DomainRecords', issues);
  return mapped;
}
