import type { BundleEntry, Condition, Encounter, Provenance, Reference } from 'fhir/r4.js';
import { Systems, type DomainRecords, type Participant, type PeerEncounter, type RecordKey } from '@peer-fhir/core';
import { FhirAbortError, FhirPreconditionFailedError, isFhirError } from '../errors.js';
import { differingPaths, reasonOf } from '../record-all.js';
import type { RequestOptions, Retrieved } from '../types.js';
import { keyString } from '../internal/peer-lookup.js';
import { mapResolved } from '../internal/peer-mapping.js';
import { upsertBundle, type UpsertOutcome } from '../internal/peer-upsert.js';
import { nowTimestamp } from './consents.js';
import type { PeerContext } from './context.js';
import type { AmendEncounterOptions, CorrectionOptions, CorrectionOutcome } from './correction-options.js';
import { PeerRecordNotFoundError } from './errors.js';
import { readPage } from './find-encounters.js';
import { recordEncounter } from './record-encounters.js';
import { searchList } from './readback.js';

/** What a correction may replace: the encounter itself, its diagnoses and its note (a group's attendee Encounters too). */
const CORRECTABLE: ReadonlySet<string> = new Set(['Encounter', 'Condition', 'DocumentReference']);

/** The stored Encounter of a domain encounter id: an individual encounter or a group session. */
async function findStored(ctx: PeerContext, encounterId: string, opts: RequestOptions): Promise<{ key: RecordKey; stored: Retrieved<Encounter> } | undefined> {
  for (const key of [ctx.keys.encounter(encounterId), ctx.keys.groupSession(encounterId)]) {
    const stored = await ctx.lookup.find<Encounter>(key, opts);
    if (stored) return { key, stored };
  }
  return undefined;
}

const versionOf = (etag: string): string => etag.replace(/^W\//, '').replace(/"/g, '');

/** v3-DataOperation of a correction: NULLIFY (entered in error), ABORT (cancelled), else UPDATE. */
function activityOf(status: PeerEncounter['status'], before: Encounter['status']): string {
  if (status === before) return 'UPDATE';
  return status === 'entered-in-error' ? 'NULLIFY' : status === 'cancelled' ? 'ABORT' : 'UPDATE';
}

/** The agent of a correction: the practitioner (on behalf of the agency) or the agency itself (US Core provenance-1). */
async function agentOf(ctx: PeerContext, by: string | undefined, opts: RequestOptions): Promise<Provenance['agent'][number]> {
  const type = { coding: [{ system: Systems.PROVENANCE_PARTICIPANT_TYPE, code: 'author' }] };
  const agency = await referenceTo(ctx, ctx.keys.organization(ctx.scope.agency), opts);
  if (by === undefined) return { type, who: agency };
  return { type, who: await referenceTo(ctx, ctx.keys.practitioner(by), opts), onBehalfOf: agency };
}

async function referenceTo(ctx: PeerContext, key: RecordKey, opts: RequestOptions): Promise<Reference> {
  const ref = await ctx.lookup.lookup(key, opts);
  return ref ? { reference: ref } : { identifier: { system: key.system, value: key.value } };
}

/** One Provenance for everything the transaction changes: targets by `Type/id` (updates) or fullUrl (creates). */
function provenanceEntry(out: readonly BundleEntry[], activity: string, agent: Provenance['agent'][number], reason: string): BundleEntry {
  const target = out.map((e) => ({ reference: e.request?.method === 'PUT' ? (e.request.url ?? '') : (e.fullUrl ?? '') })).filter((r) => r.reference !== '');
  // A Provenance about Part 2 records is itself Part 2 information: it carries their labels.
  const security = out.flatMap((e) => e.resource?.meta?.security ?? []);
  const labels = [...new Map(security.map((s) => [`${s.system ?? ''}|${s.code ?? ''}`, s])).values()];
  const provenance: Provenance = {
    resourceType: 'Provenance',
    ...(labels.length ? { meta: { security: labels } } : {}),
    target,
    recorded: nowTimestamp(),
    activity: { coding: [{ system: Systems.V3_DATA_OPERATION, code: activity }] },
    reason: [{ text: reason }],
    agent: [agent],
  };
  return { fullUrl: `urn:uuid:${globalThis.crypto.randomUUID()}`, resource: provenance, request: { method: 'POST', url: 'Provenance' } };
}

/**
 * Diagnoses the correction drops: our Conditions of the stored encounter (and its attendee Encounters) whose key the
 * corrected encounter no longer has. They are marked entered-in-error (con-5: no clinicalStatus), never deleted.
 */
async function droppedDiagnoses(ctx: PeerContext, stored: Retrieved<Encounter>, keep: ReadonlySet<string>, opts: RequestOptions): Promise<BundleEntry[]> {
  const children = await searchList<Encounter>(ctx, 'Encounter', new URLSearchParams({ 'part-of': `Encounter/${stored.id}`, _count: '500' }), opts);
  const encounters = [stored, ...children].map((e) => `Encounter/${e.id}`).join(',');
  const conditions = await searchList<Condition>(ctx, 'Condition', new URLSearchParams({ encounter: encounters, _count: '500' }), opts);
  return conditions
    .filter((c) => c.identifier?.some((i) => i.system === ctx.ids.diagnosis && !keep.has(i.value ?? '')))
    .filter((c) => !c.verificationStatus?.coding?.some((x) => x.code === 'entered-in-error'))
    .map((c) => {
      const { clinicalStatus: _dropped, ...rest } = c;
      const next: Condition = { ...rest, verificationStatus: { coding: [{ system: Systems.CONDITION_VER_STATUS, code: 'entered-in-error', display: 'Entered in Error' }] } };
      return { resource: next, request: { method: 'PUT', url: `Condition/${c.id}`, ifMatch: `W/"${c.meta.versionId}"` } };
    });
}

/** Diagnosis identifier values the mapped (corrected) encounter writes. */
function diagnosisKeys(ctx: PeerContext, entries: readonly BundleEntry[]): Set<string> {
  const values = entries.flatMap((e) => (e.resource?.resourceType === 'Condition' ? ((e.resource as Condition).identifier ?? []) : []));
  return new Set(values.filter((i) => i.system === ctx.ids.diagnosis).map((i) => i.value ?? ''));
}

function outcomeOf(encounterId: string, written: UpsertOutcome): CorrectionOutcome {
  const provenance = written.changed.find((r) => r.startsWith('Provenance/'));
  const changed = written.changed.filter((r) => !r.startsWith('Provenance/'));
  const created = written.created.filter((r) => !r.startsWith('Provenance/')).length;
  if (changed.length === 0) return { encounterId, status: 'unchanged', created: 0, updated: 0, changed: [] };
  return { encounterId, status: 'updated', created, updated: changed.length - created, changed, provenance };
}

/** A 412 (or a stale `ifMatch`): what the stored encounter holds now, by path, against the correction. */
async function conflictOf(ctx: PeerContext, encounterId: string, key: RecordKey, wanted: BundleEntry | undefined, opts: RequestOptions): Promise<CorrectionOutcome> {
  const now = await ctx.lookup.find(key, opts);
  const location = now ? `${now.resourceType}/${now.id}` : key.resourceType;
  const paths = now && wanted?.resource ? differingPaths(wanted.resource, now) : [];
  return { encounterId, status: 'conflict', created: 0, updated: 0, changed: [], conflict: { location, paths }, reason: 'the stored Encounter changed since the version the correction is based on' };
}

async function recordInstead(ctx: PeerContext, encounter: PeerEncounter, opts: AmendEncounterOptions): Promise<CorrectionOutcome> {
  const { reason: _r, by: _b, ifMatch: _i, ...request } = opts;
  const recorded = await recordEncounter(ctx, encounter, request);
  const created = recorded.resources.filter((r) => r.created);
  return { encounterId: encounter.id, status: 'created', created: created.length, updated: 0, changed: created.map((r) => r.reference) };
}

export async function amendEncounter(ctx: PeerContext, encounter: PeerEncounter, opts: AmendEncounterOptions): Promise<CorrectionOutcome> {
  const { reason, by, ifMatch, participants, specialist, organization, ...request } = opts;
  const found = await findStored(ctx, encounter.id, request);
  if (!found) return recordInstead(ctx, encounter, opts);
  const records: DomainRecords = { encounters: [encounter], participants: [...(participants ?? [])], specialists: specialist ? [specialist] : [], organizations: organization ? [organization] : [] };
  const bundle = await mapResolved(records, ctx.scope, ctx.lookup, request);
  const entries = bundle.entry ?? [];
  const isStored = (e: BundleEntry): boolean =>
    e.resource?.resourceType === 'Encounter' && ((e.resource as Encounter).identifier ?? []).some((i) => i.system === found.key.system && i.value === found.key.value);
  const wanted = entries.find(isStored);
  const dropped = await droppedDiagnoses(ctx, found.stored, diagnosisKeys(ctx, entries), request);
  const agent = await agentOf(ctx, by, request);
  const activity = activityOf(encounter.status, found.stored.status);
  const pins = new Map([[keyString(found.key), versionOf(ifMatch ?? found.stored.meta.versionId)]]);
  const extra = (out: readonly BundleEntry[]): BundleEntry[] => [...dropped, provenanceEntry([...out, ...dropped], activity, agent, reason)];
  try {
    const written = await upsertBundle(ctx.client, ctx.lookup, bundle, CORRECTABLE, pins, request, extra);
    return outcomeOf(encounter.id, written);
  } catch (e) {
    if (e instanceof FhirAbortError || request.signal?.aborted) throw e;
    if (e instanceof FhirPreconditionFailedError || (isFhirError(e) && e.status === 409)) return conflictOf(ctx, encounter.id, found.key, wanted, request);
    if (isFhirError(e) && e.status !== undefined && e.status >= 400 && e.status < 500) {
      return { encounterId: encounter.id, status: 'rejected', created: 0, updated: 0, changed: [], reason: reasonOf(e) };
    }
    throw e;
  }
}

/** The stored encounter read back as a domain record (a group session with every attendee). */
async function readStored(ctx: PeerContext, encounterId: string, opts: RequestOptions): Promise<{ encounter: PeerEncounter; version: string }> {
  const found = await findStored(ctx, encounterId, opts);
  if (!found) throw new PeerRecordNotFoundError('Encounter', ctx.ids.encounter, 'encounter');
  const [encounter] = await readPage(ctx, [found.stored], new Set(), undefined, opts);
  if (!encounter) throw new PeerRecordNotFoundError('Encounter', found.key.system, 'encounter');
  return { encounter, version: found.stored.meta.versionId };
}

/** Sets a stored encounter's status (cascading to its attendee Encounters, diagnoses and note) as one correction. */
export async function setEncounterStatus(ctx: PeerContext, encounterId: string, status: 'entered-in-error' | 'cancelled', opts: CorrectionOptions): Promise<CorrectionOutcome> {
  const { encounter, version } = await readStored(ctx, encounterId, opts);
  return amendEncounter(ctx, { ...encounter, status }, { ...opts, ifMatch: opts.ifMatch ?? version });
}

/** What a participant correction may replace: the Patient and its Medicaid Coverages. */
const PARTICIPANT_PARTS: ReadonlySet<string> = new Set(['Patient', 'Coverage']);

export async function amendParticipant(ctx: PeerContext, participant: Participant, opts: CorrectionOptions): Promise<CorrectionOutcome> {
  const { reason, by, ifMatch, ...request } = opts;
  const key = ctx.keys.participant(participant.id);
  const bundle = await mapResolved({ participants: [participant] }, ctx.scope, ctx.lookup, request);
  const pins = new Map(ifMatch === undefined ? [] : [[keyString(key), versionOf(ifMatch)]]);
  const agent = await agentOf(ctx, by, request);
  const extra = (out: readonly BundleEntry[]): BundleEntry[] => [provenanceEntry(out, 'UPDATE', agent, reason)];
  try {
    const written = await upsertBundle(ctx.client, ctx.lookup, bundle, PARTICIPANT_PARTS, pins, request, extra);
    const outcome = outcomeOf(participant.id, written);
    // The Patient itself was new: the participant is recorded, not corrected.
    return written.created.some((r) => r.startsWith('Patient/')) ? { ...outcome, status: 'created' } : outcome;
  } catch (e) {
    if (e instanceof FhirAbortError || request.signal?.aborted) throw e;
    if (e instanceof FhirPreconditionFailedError) return { ...(await conflictOf(ctx, participant.id, key, bundle.entry?.find((x) => x.resource?.resourceType === 'Patient'), request)), reason: 'the stored Patient changed since the version the correction is based on' };
    if (isFhirError(e) && e.status !== undefined && e.status >= 400 && e.status < 500) {
      return { encounterId: participant.id, status: 'rejected', created: 0, updated: 0, changed: [], reason: reasonOf(e) };
    }
    throw e;
  }
}
