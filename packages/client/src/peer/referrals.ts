import type { Encounter, FhirResource, Organization, Patient, Practitioner, Procedure, ServiceRequest, Task } from 'fhir/r4.js';
import {
  agencyNamespace,
  assertTransition,
  identifierSystems,
  parseOrThrow,
  Referral,
  referralFromFhir,
  referralIdentifierSystems,
  referralToFhir,
  Systems,
  type ReferralMappingOptions,
  type ReferralStatus,
} from '@peer-fhir/core';
import type { PeerFhirClient } from '../client.js';
import type { RequestOptions, ResourceType, Retrieved } from '../types.js';
import { PeerRecordNotFoundError } from './errors.js';
import type { PeerClientOptions } from './options.js';

/**
 * A referral as stored: the domain record, its ServiceRequest and Task, and the Task version (pass it as `ifMatch`).
 *
 * See http://hl7.org/fhir/us/sdoh-clinicalcare/STU2.1/StructureDefinition-SDOHCC-TaskForReferralManagement.html.
 * @example
 * ```ts
 * const { referral, task, versionId }: StoredReferral = await referrals.getReferral('ref-1');
 * ```
 * @category Referrals
 */
export interface StoredReferral {
  referral: Referral;
  serviceRequest: Retrieved<ServiceRequest>;
  task: Retrieved<Task>;
  /** Version of the Task, the resource that carries the referral's state. */
  versionId: string;
}

/**
 * Options of {@link ReferralClient.updateReferralStatus}.
 *
 * See https://hl7.org/fhir/R4/http.html#concurrency.
 * @example
 * ```ts
 * await referrals.updateReferralStatus('ref-1', 'rejected', { statusReason: 'Outside service area', ifMatch: '3' });
 * ```
 * @category Referrals
 */
export interface UpdateReferralStatusOptions extends RequestOptions {
  /** Task version the caller last saw; default the version just read. A stale version fails with 412. */
  ifMatch?: string | undefined;
  /** Why (for rejected / cancelled); free text without PHI. */
  statusReason?: string | undefined;
  /** Moment of the change, a timestamp with offset (default now). */
  at?: string | undefined;
}

/**
 * What fulfilled a referral, by domain id: a peer encounter recorded with `PeerClient.recordEncounter`, or a
 * Procedure carrying the referral procedure identifier.
 *
 * See http://hl7.org/fhir/us/sdoh-clinicalcare/STU2.1/StructureDefinition-SDOHCC-TaskForReferralManagement.html.
 * @example
 * ```ts
 * const done: ReferralFulfilment = { encounterId: 'enc-42' };
 * ```
 * @category Referrals
 */
export type ReferralFulfilment = { encounterId: string } | { procedureId: string };

const now = (): string => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
const unweak = (v: string): string => v.replace(/^W\//, '').replace(/"/g, '');

/**
 * Closed-loop referrals on a FHIR server: a ServiceRequest (the order) plus a Task (who owns it, its state, and the
 * Encounter or Procedure that fulfilled it), in the Gravity SDOH Clinical Care pattern. Records are named by domain
 * ids (referral, participant, encounter), never by server ids; state changes replace the Task with `If-Match`.
 *
 * See http://hl7.org/fhir/us/sdoh-clinicalcare/STU2.1/connecting_applications_with_api_data_sources.html.
 * @example
 * ```ts
 * const referrals = new ReferralClient(new PeerFhirClient({ baseUrl }), { agency: '1234567893', namespace: 'https://ehr.example.org/ids' });
 * await referrals.createReferral(referral);
 * await referrals.updateReferralStatus('ref-1', 'accepted');
 * await referrals.completeReferral('ref-1', { encounterId: 'enc-42' });
 * ```
 * @category Referrals
 */
export class ReferralClient {
  readonly #client: PeerFhirClient;
  readonly #scope: { agency: string; namespace?: string | undefined };

  constructor(client: PeerFhirClient, options: PeerClientOptions) {
    this.#client = client;
    this.#scope = { agency: options.agency, namespace: options.namespace };
    // Fails fast (IdentityScopeError) on a missing or invalid agency NPI.
    agencyNamespace(this.#scope);
  }

  /**
   * Stores a referral: the ServiceRequest, then the Task focused on it, each created only if absent (conditional
   * create on the referral id), so calling it twice creates nothing new. The participant must already be on the
   * server; the requester and performer are linked when found by NPI. Invalid input throws core's
   * `PeerFhirValidationError` before anything is sent.
   *
   * See https://hl7.org/fhir/R4/http.html#ccreate.
   * @example
   * ```ts
   * const { referral, versionId } = await referrals.createReferral({ id: 'ref-1', participantId: 'p-1', direction: 'into-peer-services',
   *   category: 'peer-support', requester: { npi: '1003000126' }, performer: { name: 'Harbor', npi: '1234567893' },
   *   status: 'requested', authoredOn: '2025-02-01T09:00:00-05:00' });
   * ```
   * @category Referrals
   */
  async createReferral(input: Referral, options: RequestOptions = {}): Promise<StoredReferral> {
    const referral = parseOrThrow(Referral, input, 'Referral');
    const ids = identifierSystems(this.#scope);
    const rIds = referralIdentifierSystems(agencyNamespace(this.#scope));
    const subject = await this.#find<Patient>('Patient', ids.participant, referral.participantId, options);
    if (!subject) throw new PeerRecordNotFoundError('Patient', ids.participant, 'participant');
    const requester = await this.#find<Practitioner | Organization>(referral.requester.kind === 'organization' ? 'Organization' : 'Practitioner', Systems.NPI, referral.requester.npi, options);
    const owner = referral.performer.npi ? await this.#find<Organization>('Organization', Systems.NPI, referral.performer.npi, options) : undefined;
    const fulfilledBy = referral.fulfilledBy ? await this.#fulfilment(referral, referral.fulfilledBy.kind === 'encounter' ? { encounterId: referral.fulfilledBy.id } : { procedureId: referral.fulfilledBy.id }, options) : undefined;
    const resolved: NonNullable<ReferralMappingOptions['resolved']> = {
      subject: `Patient/${subject.id}`,
      ...(requester ? { requester: `${requester.resourceType}/${requester.id}` } : {}),
      ...(owner ? { owner: `Organization/${owner.id}` } : {}),
      ...(fulfilledBy ? { fulfilledBy } : {}),
    };
    const { serviceRequest } = referralToFhir(referral, { ...this.#scope, resolved });
    const sr = await this.#client.create(serviceRequest, { ...options, ifNoneExist: { identifier: `${rIds.serviceRequest}|${referral.id}` } });
    const { task } = referralToFhir(referral, { ...this.#scope, resolved: { ...resolved, focus: `ServiceRequest/${sr.id}` } });
    const stored = await this.#client.create(task, { ...options, ifNoneExist: { identifier: `${rIds.task}|${referral.id}` } });
    return this.#stored(sr, stored);
  }

  /**
   * Reads a referral back by its id.
   *
   * See https://hl7.org/fhir/R4/search.html#token.
   * @example
   * ```ts
   * const { referral } = await referrals.getReferral('ref-1');
   * referral.status; // 'accepted'
   * ```
   * @category Referrals
   */
  async getReferral(referralId: string, options: RequestOptions = {}): Promise<StoredReferral> {
    const { sr, task } = await this.#load(referralId, options);
    return this.#stored(sr, task);
  }

  /**
   * Moves a referral to a new status (requested → accepted → in-progress → completed; rejected and cancelled end
   * it). The Task is replaced with `If-Match` on the version read (or `ifMatch`), so a concurrent change fails with
   * `FhirPreconditionFailedError` (412) and changes nothing; the ServiceRequest follows (active / completed /
   * revoked). A transition the state machine forbids throws core's `ReferralTransitionError` before any write.
   * Completing needs the fulfilling record: use {@link ReferralClient.completeReferral}.
   *
   * See https://hl7.org/fhir/R4/http.html#concurrency and http://hl7.org/fhir/us/sdoh-clinicalcare/STU2.1/checking_task_status.html.
   * @example
   * ```ts
   * const { versionId } = await referrals.updateReferralStatus('ref-1', 'accepted');
   * ```
   * @category Referrals
   */
  updateReferralStatus(referralId: string, status: ReferralStatus, options: UpdateReferralStatusOptions = {}): Promise<StoredReferral> {
    return this.#transition(referralId, status, undefined, options);
  }

  /**
   * Completes a referral and closes the loop: Task `completed` with `output` (type `resulting-activity`) pointing
   * at the Encounter (or Procedure) that delivered the service, found by its domain id. The encounter must have
   * been recorded first (e.g. with `PeerClient.recordEncounter`); for a group session the participant's
   * attendance Encounter is linked.
   *
   * See http://hl7.org/fhir/us/sdoh-clinicalcare/STU2.1/StructureDefinition-SDOHCC-TaskForReferralManagement.html.
   * @example
   * ```ts
   * const { referral } = await referrals.completeReferral('ref-1', { encounterId: 'enc-42' });
   * referral.fulfilledBy; // { kind: 'encounter', id: 'enc-42' }
   * ```
   * @category Referrals
   */
  completeReferral(referralId: string, fulfilment: ReferralFulfilment, options: UpdateReferralStatusOptions = {}): Promise<StoredReferral> {
    return this.#transition(referralId, 'completed', fulfilment, options);
  }

  async #transition(referralId: string, status: ReferralStatus, fulfilment: ReferralFulfilment | undefined, options: UpdateReferralStatusOptions): Promise<StoredReferral> {
    const { ifMatch, statusReason, at, ...request } = options;
    const { sr, task } = await this.#load(referralId, request);
    const current = referralFromFhir(sr, task, this.#scope);
    assertTransition(current.status, status);
    const fulfilledRef = fulfilment ? await this.#fulfilment(current, fulfilment, request) : undefined;
    const next = parseOrThrow(
      Referral,
      {
        ...current,
        status,
        ...(statusReason ? { statusReason } : {}),
        lastModified: at ?? now(),
        ...(fulfilment ? { fulfilledBy: 'encounterId' in fulfilment ? { kind: 'encounter', id: fulfilment.encounterId } : { kind: 'procedure', id: fulfilment.procedureId } } : {}),
      },
      'Referral',
    );
    const literal = (r: { reference?: string } | undefined): string | undefined => r?.reference;
    const out = task.output?.[0]?.valueReference?.reference;
    const mapped = referralToFhir(next, {
      ...this.#scope,
      resolved: { subject: literal(task.for), requester: literal(task.requester), owner: literal(task.owner), focus: `ServiceRequest/${sr.id}`, fulfilledBy: fulfilledRef ?? out },
    });
    // The Task carries the state: it is the resource guarded by If-Match.
    const newTask = await this.#client.update({ ...mapped.task, id: task.id }, { ...request, ifMatch: unweak(ifMatch ?? task.meta.versionId) });
    let newSr = sr;
    if (mapped.serviceRequest.status !== sr.status) {
      newSr = await this.#client.update({ ...mapped.serviceRequest, id: sr.id, subject: sr.subject, requester: sr.requester, performer: sr.performer }, { ...request, ifMatch: sr.meta.versionId });
    }
    return this.#stored(newSr, newTask);
  }

  async #fulfilment(referral: Referral, f: ReferralFulfilment, opts: RequestOptions): Promise<string> {
    if ('procedureId' in f) {
      const system = referralIdentifierSystems(agencyNamespace(this.#scope)).procedure;
      const proc = await this.#find<Procedure>('Procedure', system, f.procedureId, opts);
      if (!proc) throw new PeerRecordNotFoundError('Procedure', system, 'fulfilling procedure');
      return `Procedure/${proc.id}`;
    }
    const ids = identifierSystems(this.#scope);
    const enc =
      (await this.#find<Encounter>('Encounter', ids.encounter, f.encounterId, opts)) ??
      (await this.#find<Encounter>('Encounter', ids.groupAttendance, `${f.encounterId}:${referral.participantId}`, opts));
    if (!enc) throw new PeerRecordNotFoundError('Encounter', ids.encounter, 'fulfilling encounter');
    return `Encounter/${enc.id}`;
  }

  async #load(referralId: string, opts: RequestOptions): Promise<{ sr: Retrieved<ServiceRequest>; task: Retrieved<Task> }> {
    const rIds = referralIdentifierSystems(agencyNamespace(this.#scope));
    const task = await this.#find<Task>('Task', rIds.task, referralId, opts);
    if (!task) throw new PeerRecordNotFoundError('Task', rIds.task, 'referral');
    const sr = await this.#find<ServiceRequest>('ServiceRequest', rIds.serviceRequest, referralId, opts);
    if (!sr) throw new PeerRecordNotFoundError('ServiceRequest', rIds.serviceRequest, 'referral');
    return { sr, task };
  }

  async #find<T extends FhirResource>(type: ResourceType, system: string, value: string, opts: RequestOptions): Promise<Retrieved<T> | undefined> {
    const page = await this.#client.search(type, new URLSearchParams({ identifier: `${system}|${value}`, _count: '2' }), opts);
    return page.entry?.find((e) => e.resource?.resourceType === type)?.resource as Retrieved<T> | undefined;
  }

  #stored(sr: Retrieved<ServiceRequest>, task: Retrieved<Task>): StoredReferral {
    return { referral: referralFromFhir(sr, task, this.#scope), serviceRequest: sr, task, versionId: task.meta.versionId };
  }
}
