import { randomUUID } from 'node:crypto';
import type { BundleEntry, Resource } from 'fhir/r4.js';
import type { PeerClient, RecordAllSummary, RecordEntries } from '@peer-fhir/client';
import {
  continuingEducationToFhir,
  instrumentResponseBundle,
  recordKeys,
  supervisionSessionToFhir,
  workforceIdentifierSystems,
  agencyNamespace,
  type ConsentDirective,
  type ContinuingEducation,
  type IdentityScope,
  type InstrumentResponse,
  type RecordKey,
  type RecoveryPlan,
  type SupervisionSession,
} from '@peer-fhir/core';

/** What happened to one record: every write ends in one of these (ARCHITECTURE.md "every write has an outcome"). */
export interface WriteOutcome {
  status: 'created' | 'updated' | 'unchanged' | 'conflict' | 'rejected';
  /** For `conflict`: per resource the differing element paths (never values). */
  conflicts?: string[] | undefined;
  /** For `rejected`: column and rule, or error class and HTTP status; never a value. */
  reason?: string | undefined;
}

/** Where the records go: the agency's PeerClient and identity scope. */
export interface WriteTarget {
  peer: PeerClient;
  scope: IdentityScope & { agency: string };
}

export const NOT_IMPORTED = 'participant_id: no participant with this id on the server (import their encounters first)';

/** `Type/id` of the resource stored under a record key, or `undefined`. */
async function locate(peer: PeerClient, key: RecordKey): Promise<string | undefined> {
  const params = new URLSearchParams({ identifier: `${key.system}|${key.value}`, _count: '1' });
  const bundle = await peer.client.search(key.resourceType as 'Patient', params);
  const id = bundle.entry?.[0]?.resource?.id;
  return id === undefined ? undefined : `${key.resourceType}/${id}`;
}

/** Literal references of the participants named, by participant id (absent when not on the server). */
export async function locateParticipants(t: WriteTarget, participantIds: Iterable<string>): Promise<Map<string, string>> {
  const keys = recordKeys(t.scope);
  const out = new Map<string, string>();
  for (const id of new Set(participantIds)) {
    const ref = await locate(t.peer, keys.participant(id));
    if (ref) out.set(id, ref);
  }
  return out;
}

/** Element paths at which two JSON values differ (values are never returned). */
export function differingPaths(a: unknown, b: unknown, path = ''): string[] {
  if (a === b) return [];
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) return [path || '(record)'];
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].flatMap((k) => {
    const sub = Array.isArray(a) ? `${path}[${k}]` : path ? `${path}.${k}` : k;
    return differingPaths((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], sub);
  });
}

/** Why a write failed, by error class and status only (a server's message may echo input). */
function failure(e: unknown): string {
  const status = (e as { status?: unknown }).status;
  return `FHIR server refused the record: ${e instanceof Error ? e.name : 'error'}${typeof status === 'number' ? ` (HTTP ${status})` : ''}`;
}

/**
 * Write records of participants one at a time: a record whose participant is not on the server is rejected (import
 * their encounters first); a write the server refuses is rejected by error class and status.
 */
async function eachOfParticipant<R extends { participantId: string }>(t: WriteTarget, records: readonly R[], write: (r: R) => Promise<WriteOutcome>): Promise<WriteOutcome[]> {
  const found = await locateParticipants(t, records.map((r) => r.participantId));
  const out: WriteOutcome[] = [];
  for (const r of records) {
    if (!found.has(r.participantId)) out.push({ status: 'rejected', reason: NOT_IMPORTED });
    else out.push(await write(r).catch((e: unknown): WriteOutcome => ({ status: 'rejected', reason: failure(e) })));
  }
  return out;
}

/**
 * Consents, created if absent (`PeerClient.grantConsent`). One already stored under the same id is compared with the
 * row: the same is `unchanged`, another is a `conflict` naming the differing paths; nothing is written over it
 * (a change of a consent is a revocation and a new consent, 42 CFR 2.31(a)(6)).
 */
export function writeConsents(t: WriteTarget, consents: readonly ConsentDirective[]): Promise<WriteOutcome[]> {
  return eachOfParticipant(t, consents, async (c) => {
    const stored = await t.peer.grantConsent(c);
    if (stored.changed) return { status: 'created' };
    const paths = differingPaths(stored.consent, c);
    return paths.length === 0 ? { status: 'unchanged' } : { status: 'conflict', conflicts: [`Consent differs at ${paths.join(', ')}`] };
  });
}

/**
 * Recovery plans, created or brought up to date (`PeerClient.upsertRecoveryPlan`): created, updated or unchanged.
 * Written oldest first (by `period.start`, then file order): a review is a new plan version naming the same goals, and
 * each write updates them, so each Goal ends as the latest version states it, as core's `toFhir` writes a plan history
 * in one call (docs/mapping.md, "Plan versions"). Outcomes in input order.
 */
export async function writePlans(t: WriteTarget, plans: readonly RecoveryPlan[]): Promise<WriteOutcome[]> {
  const order = plans.map((plan, i) => ({ plan, i })).sort((a, b) => a.plan.period.start.localeCompare(b.plan.period.start) || a.i - b.i);
  const written = await eachOfParticipant(t, order.map((o) => o.plan), async (p) => {
    const r = await t.peer.upsertRecoveryPlan(p);
    return { status: r.created ? 'created' : r.changed.length > 0 ? 'updated' : 'unchanged' };
  });
  const outcomes: WriteOutcome[] = [];
  order.forEach((o, k) => {
    const w = written[k];
    if (w) outcomes[o.i] = w;
  });
  return outcomes;
}

/** The outcomes `recordAll` reports, one per record, in input order. */
export function outcomesOf(summary: RecordAllSummary): WriteOutcome[] {
  return summary.records.map((o) => ({
    status: o.status,
    ...(o.conflicts ? { conflicts: o.conflicts.map((c) => `${c.resourceType} differs at ${c.paths.join(', ')}`) } : {}),
    ...(o.reason ? { reason: `FHIR server refused the record: ${o.reason}` } : {}),
  }));
}

/** Merge the outcomes of the records sent into a list with the ones refused before sending. */
export function mergeOutcomes(all: (WriteOutcome | undefined)[], sent: readonly number[], written: readonly WriteOutcome[]): WriteOutcome[] {
  sent.forEach((index, i) => (all[index] = written[i]));
  return all.map((o) => o ?? { status: 'rejected', reason: 'not written' });
}

/**
 * Records of participants already on the server, all written in one `recordAll`: a record whose participant is not
 * stored is rejected (import their encounters first); `entriesOf` builds a record's entries given the participant's
 * Patient as a literal reference. Outcomes in input order.
 */
export async function writeOfParticipants<R extends { participantId: string }>(
  t: WriteTarget,
  records: readonly R[],
  entriesOf: (record: R, patient: string) => RecordEntries | Promise<RecordEntries>,
): Promise<WriteOutcome[]> {
  const found = await locateParticipants(t, records.map((r) => r.participantId));
  const all: (WriteOutcome | undefined)[] = [];
  const entries: RecordEntries[] = [];
  const sent: number[] = [];
  for (const [i, r] of records.entries()) {
    const patient = found.get(r.participantId);
    if (!patient) {
      all[i] = { status: 'rejected', reason: NOT_IMPORTED };
      continue;
    }
    entries.push(await entriesOf(r, patient));
    sent.push(i);
  }
  const summary = entries.length > 0 ? await t.peer.client.recordAll(entries) : undefined;
  return mergeOutcomes(all, sent, summary ? outcomesOf(summary) : []);
}

/**
 * Outcome measures: the QuestionnaireResponse and its score Observation as one record of conditional creates
 * (`instrumentResponseBundle`), the patient and encounter as literal references (US Core searches need them).
 */
export function writeOutcomes(t: WriteTarget, responses: readonly InstrumentResponse[]): Promise<WriteOutcome[]> {
  const keys = recordKeys(t.scope);
  return writeOfParticipants(t, responses, async (r, patient) => {
    const encounter = r.encounterId ? await locate(t.peer, keys.encounter(r.encounterId)) : undefined;
    const existing = (key: RecordKey): string | undefined => (key.resourceType === 'Patient' ? patient : key.resourceType === 'Encounter' ? encounter : undefined);
    return instrumentResponseBundle(r, { agency: t.scope.agency, namespace: t.scope.namespace, existing }).entry ?? [];
  });
}

/** One record of one resource, created unless a resource with its identifier (`system|id`) is there. */
export function conditionalCreate(resource: Resource, system: string, id: string): BundleEntry<Resource>[] {
  return [{ fullUrl: `urn:uuid:${randomUUID()}`, resource, request: { method: 'POST', url: resource.resourceType, ifNoneExist: `identifier=${encodeURIComponent(system)}|${encodeURIComponent(id)}` } }];
}

/** Write single-resource records; each ends created, unchanged, conflict (another resource under its id) or rejected. */
async function writeEach(t: WriteTarget, records: BundleEntry<Resource>[][]): Promise<WriteOutcome[]> {
  if (records.length === 0) return [];
  return outcomesOf(await t.peer.client.recordAll(records));
}

/** Supervision sessions: one Encounter each (`supervisionSessionToFhir`), a conditional create on its identifier. */
export function writeSupervision(t: WriteTarget, sessions: readonly SupervisionSession[]): Promise<WriteOutcome[]> {
  const system = workforceIdentifierSystems(agencyNamespace(t.scope)).supervision;
  const options = { agency: t.scope.agency, namespace: t.scope.namespace };
  return writeEach(t, sessions.map((s) => conditionalCreate(supervisionSessionToFhir(s, options), system, s.id)));
}

/**
 * Continuing-education records: one Basic each (`continuingEducationToFhir`, profile `peer-continuing-education`), a
 * conditional create on its identifier; the agency is the author.
 */
export function writeContinuingEducation(t: WriteTarget, records: readonly ContinuingEducation[]): Promise<WriteOutcome[]> {
  const system = workforceIdentifierSystems(agencyNamespace(t.scope)).continuingEducation;
  const options = { agency: t.scope.agency, namespace: t.scope.namespace };
  return writeEach(t, records.map((ce) => conditionalCreate(continuingEducationToFhir(ce, options), system, ce.id)));
}
