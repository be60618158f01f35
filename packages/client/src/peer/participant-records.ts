import type { CarePlan, Consent, Coverage, FhirResource, Patient, Provenance } from 'fhir/r4.js';
import type { ConsentDirective, Participant, RecoveryPlan } from '@peer-fhir/core';
import type { RequestOptions, Retrieved } from '../types.js';
import { typeIdOf } from '../internal/peer-lookup.js';
import type { PeerContext } from './context.js';
import { PeerRecordNotFoundError } from './errors.js';
import { currentPlanOf } from './participant-summary.js';
import { findPatient, referencedIn, searchList, toDomain, withReferenced } from './readback.js';

/**
 * Options of {@link PeerClient.getParticipantRecords}.
 *
 * @example
 * ```ts
 * const options: ParticipantRecordsOptions = { chunkSize: 50, timeoutMs: 30_000 };
 * ```
 * @category Peer operations
 */
export interface ParticipantRecordsOptions extends RequestOptions {
  /**
   * Participants read together (default 50): each group is read with one search per resource type, the
   * participants' references comma-separated (FHIR R4 search, 3.1.1.5.13 "OR"), which keeps the URL short.
   */
  chunkSize?: number | undefined;
}

/**
 * The records of many participants, read at once: the same participants, current plans and consents that
 * {@link PeerClient.getParticipantSummary} and {@link PeerClient.getConsents} give for each of them.
 *
 * @example
 * ```ts
 * const { participants, plans, consents, patients } = await peer.getParticipantRecords(['p-1', 'p-2']);
 * ```
 * @category Peer operations
 */
export interface ParticipantRecords {
  /** Each participant with its Medicaid coverages, in the order of the ids asked for (each once). */
  participants: Participant[];
  /** The current recovery plan of each participant that has one (as in `getParticipantSummary`). */
  plans: RecoveryPlan[];
  /** Every consent of the participants (as `getConsents` gives them), participant by participant. */
  consents: ConsentDirective[];
  /** Each participant's Patient on the server, `Patient/{id}`, by participant id. */
  patients: Record<string, string>;
}

/** Goals and CareTeams change; a plan is read with them fresh (as `getParticipantSummary` does). */
const PLAN_FRESH: ReadonlySet<string> = new Set(['Goal', 'CareTeam']);

/** A value that needs no escaping in a comma-separated search (FHIR R4 search 3.1.1.5.7: `,` `|` `$` `\`). */
const plain = (value: string): boolean => !/[,|$\\]/.test(value);

/** Every match of `type?param=v1,v2,…` (one search; `values` non-empty). */
function searchAny<T extends FhirResource>(ctx: PeerContext, type: T['resourceType'], param: string, values: readonly string[], request: RequestOptions): Promise<Retrieved<T>[]> {
  return searchList<T>(ctx, type, new URLSearchParams({ [param]: values.join(','), _count: '500' }), request);
}

/** Resources grouped by the `Type/id` one of their references names (`refsOf`), in search order. */
function groupBy<T extends FhirResource>(resources: readonly T[], refsOf: (r: T) => readonly (string | undefined)[]): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const r of resources) {
    for (const ref of new Set(refsOf(r).map(typeIdOf))) if (ref !== undefined) out.set(ref, [...(out.get(ref) ?? []), r]);
  }
  return out;
}

/** The Patient of each participant id, in order (one identifier search for all of them); one not found throws. */
async function patientsOf(ctx: PeerContext, ids: readonly string[], request: RequestOptions): Promise<[string, Retrieved<Patient>][]> {
  const system = ctx.ids.participant;
  const out = new Map<string, Retrieved<Patient>>();
  const listed = plain(system) ? ids.filter(plain) : [];
  if (listed.length > 0) {
    for (const p of await searchAny<Patient>(ctx, 'Patient', 'identifier', listed.map((id) => `${system}|${id}`), request)) {
      for (const i of p.identifier ?? []) if (i.system === system && i.value !== undefined && !out.has(i.value)) out.set(i.value, p);
    }
  }
  // An id a comma list cannot carry as it is: searched alone, as getParticipantSummary does.
  for (const id of ids) if (!out.has(id) && !listed.includes(id)) out.set(id, await findPatient(ctx, id, request));
  return ids.map((id) => {
    const patient = out.get(id);
    if (!patient) throw new PeerRecordNotFoundError('Patient', system, 'participant');
    return [id, patient];
  });
}

/** What one chunk's searches found, by `Patient/{id}` (or by `CarePlan/{id}` for provenance). */
interface ChunkResources {
  /** Each participant id with its Patient, in order. */
  patients: [string, Retrieved<Patient>][];
  coverages: Map<string, Retrieved<Coverage>[]>;
  consents: Map<string, Retrieved<Consent>[]>;
  plans: Map<string, Retrieved<CarePlan>>;
  provenance: Map<string, Retrieved<Provenance>[]>;
  /** Everything they reference, read once for the chunk. */
  pool: Map<string, FhirResource>;
}

/** One chunk's resources: a handful of searches whatever its size. */
async function readChunk(ctx: PeerContext, ids: readonly string[], request: RequestOptions): Promise<ChunkResources> {
  const patients = await patientsOf(ctx, ids, request);
  const refs = [...new Set(patients.map(([, p]) => `Patient/${p.id}`))];
  const [coverages, carePlans, consents] = await Promise.all([
    searchAny<Coverage>(ctx, 'Coverage', 'beneficiary', refs, request),
    searchAny<CarePlan>(ctx, 'CarePlan', 'subject', refs, request),
    searchAny<Consent>(ctx, 'Consent', 'patient', refs, request),
  ]);
  const plansBy = groupBy(carePlans, (c) => [c.subject?.reference]);
  const plans = new Map(refs.flatMap((ref) => {
    const current = currentPlanOf(ctx, plansBy.get(ref) ?? []);
    return current ? [[ref, current] as const] : [];
  }));
  const planRefs = [...plans.values()].map((c) => `CarePlan/${c.id}`);
  const provenance = planRefs.length > 0 ? await searchAny<Provenance>(ctx, 'Provenance', 'target', planRefs, request) : [];
  const ours = consents.filter((c) => c.identifier?.some((i) => i.system === ctx.ids.consent));
  const people = await withReferenced(ctx, [...patients.map(([, p]) => p), ...coverages, ...ours], request);
  const planned = await withReferenced(ctx, [...plans.values(), ...provenance], request, PLAN_FRESH);
  return {
    patients,
    coverages: groupBy(coverages, (c) => [c.beneficiary?.reference]),
    consents: groupBy(ours, (c) => [c.patient?.reference]),
    plans,
    provenance: groupBy(provenance, (p) => p.target.map((t) => t.reference)),
    pool: new Map([...people, ...planned].map((r) => [`${r.resourceType}/${r.id ?? ''}`, r])),
  };
}

/** One participant read back from its chunk's resources, as getParticipantSummary and getConsents read it. */
async function recordsOf(ctx: PeerContext, chunk: ChunkResources, patient: Retrieved<Patient>): Promise<{ participant: Participant; plan: RecoveryPlan | undefined; consents: ConsentDirective[] }> {
  const ref = `Patient/${patient.id}`;
  const participant = toDomain(ctx, await referencedIn([patient, ...(chunk.coverages.get(ref) ?? [])], chunk.pool)).participants[0];
  if (!participant) throw new PeerRecordNotFoundError('Patient', ctx.ids.participant, 'participant');
  const consents = toDomain(ctx, await referencedIn([patient, ...(chunk.consents.get(ref) ?? [])], chunk.pool)).consents;
  const current = chunk.plans.get(ref);
  const seeds = current ? [current, ...(chunk.provenance.get(`CarePlan/${current.id}`) ?? [])] : [];
  const plan = current ? toDomain(ctx, await referencedIn(seeds, chunk.pool, PLAN_FRESH)).plans[0] : undefined;
  return { participant, plan, consents };
}

export async function getParticipantRecords(ctx: PeerContext, participantIds: readonly string[], opts: ParticipantRecordsOptions): Promise<ParticipantRecords> {
  const { chunkSize = 50, ...request } = opts;
  const ids = [...new Set(participantIds)];
  const size = Math.max(1, Math.floor(chunkSize));
  const out: ParticipantRecords = { participants: [], plans: [], consents: [], patients: {} };
  for (let i = 0; i < ids.length; i += size) {
    const chunk = await readChunk(ctx, ids.slice(i, i + size), request);
    for (const [id, patient] of chunk.patients) {
      const r = await recordsOf(ctx, chunk, patient);
      out.participants.push(r.participant);
      if (r.plan) out.plans.push(r.plan);
      out.consents.push(...r.consents);
      out.patients[id] = `Patient/${patient.id}`;
    }
  }
  return out;
}
