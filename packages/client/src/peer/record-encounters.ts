import type { Bundle, BundleEntry } from 'fhir/r4.js';
import { PeerFhirValidationError, type DomainRecords, type PeerEncounter, type ValidationIssue } from '@peer-fhir/core';
import { storedConflicts, type RecordEntries } from '../record-all.js';
import type { RequestOptions } from '../types.js';
import { typeIdOf } from '../internal/peer-lookup.js';
import { mapResolved, referencesIn, rememberLocations, withReferences } from '../internal/peer-mapping.js';
import type { PeerContext } from './context.js';
import type { RecordedEncounter, RecordEncounterOptions, RecordEncountersOptions, RecordEncountersSummary, RosterOutcome, WrittenResource } from './options.js';

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

/** Organizations, specialists and participants, in transactions of about `bundleSize` entries. */
async function writeRoster(ctx: PeerContext, opts: RecordEncountersOptions, request: RequestOptions, bundleSize: number, roster: RosterOutcome): Promise<void> {
  const participants = [...(opts.participants ?? [])];
  const perChunk = Math.max(1, Math.floor(bundleSize / 3));
  const first: DomainRecords = { organizations: [...(opts.organizations ?? [])], specialists: [...(opts.specialists ?? [])] };
  const bundles: Bundle[] = [await mapResolved(first, ctx.scope, ctx.lookup, request)];
  await writeSequentially(ctx, bundles, request, roster);
  for (let i = 0; i < participants.length; i += perChunk) {
    const chunk = await mapResolved({ participants: participants.slice(i, i + perChunk) }, ctx.scope, ctx.lookup, request);
    await writeSequentially(ctx, [chunk], request, roster);
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
  const { participants: _p, specialists: _s, organizations: _o, bundleSize = 100, concurrency, onProgress, checkExisting, ...request } = opts;
  const writeOpts: RequestOptions = { ...request, maxRetries: request.maxRetries ?? 5 };
  const roster: RosterOutcome = { created: 0, unchanged: 0, conflict: 0, conflicts: [] };
  await writeRoster(ctx, opts, writeOpts, bundleSize, checkExisting === false ? { created: 0, unchanged: 0, conflict: 0, conflicts: [] } : roster);

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
  // Nothing is written when any encounter is invalid: the caller fixes the input and runs again.
  if (issues.length > 0) throw new PeerFhirValidationError('DomainRecords', issues);

  const records = await detachShared(ctx, mapped, writeOpts, bundleSize);
  const summary = await ctx.client.recordAll(records, { ...request, bundleSize, concurrency, onProgress, checkExisting });
  return { ...summary, roster };
}
