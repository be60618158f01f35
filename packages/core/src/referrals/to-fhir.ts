/**
 * Referral -> ServiceRequest (US Core ServiceRequest) + Task (peer-fhir referral Task; SDOHCC's coding patterns,
 * not its profiles).
 * @module
 */
import type { Bundle, Reference, ServiceRequest, Task } from 'fhir/r4.js';
import { coding } from '../fhir/internal/builder.js';
import { stableUuid } from '../fhir/internal/hash.js';
import { agencyNamespace, identifierSystems } from '../terminology/identifiers.js';
import { Systems } from '../terminology/systems.js';
import { labelIfPart2 } from '../security/part2-labels.js';
import { parseOrThrow } from '../validate.js';
import { Referral, type ReferralStatus } from './referral.js';
import { ReferralCategories, ReferralCodes, ReferralProfiles, ReferralSystems, referralIdentifierSystems } from './terminology.js';

/**
 * Options of the referral mappers: identifier namespace, and server ids (`Type/id`) of referenced resources when
 * known. References always carry the identifier too, so they read back without the server.
 * @see https://hl7.org/fhir/R4/references.html
 * @example
 * ```ts
 * referralToFhir(referral, { namespace: NS, resolved: { subject: 'Patient/12', focus: 'ServiceRequest/40' } });
 * ```
 * @category Referrals
 */
export interface ReferralMappingOptions {
  namespace?: string | undefined;
  /** Organization NPI of the agency whose records these are (identifiers are scoped to it). */
  agency?: string | undefined;
  resolved?:
    | { subject?: string | undefined; requester?: string | undefined; owner?: string | undefined; focus?: string | undefined; fulfilledBy?: string | undefined }
    | undefined;
}

const STATUS_DISPLAY: Record<ReferralStatus, string> = {
  requested: 'Referral requested',
  accepted: 'Referral accepted',
  'in-progress': 'Service in progress',
  completed: 'Service delivered',
  rejected: 'Referral declined',
  cancelled: 'Referral cancelled',
};

/**
 * ServiceRequest.status of a referral status: open ones are `active`, completed is `completed`, rejected and
 * cancelled are `revoked`.
 * @param status - a referral status
 * @returns the ServiceRequest.status it maps to
 * @see https://hl7.org/fhir/R4/valueset-request-status.html
 * @example
 * ```ts
 * serviceRequestStatus('accepted'); // 'active'
 * ```
 * @category Referrals
 */
export function serviceRequestStatus(status: ReferralStatus): ServiceRequest['status'] {
  if (status === 'completed') return 'completed';
  if (status === 'rejected' || status === 'cancelled') return 'revoked';
  return 'active';
}

function ref(type: string, system: string, value: string, literal?: string, display?: string): Reference {
  return { ...(literal ? { reference: literal } : {}), type, identifier: { system, value }, ...(display ? { display } : {}) };
}

function references(r: Referral, o: ReferralMappingOptions) {
  const ids = identifierSystems({ agency: o.agency ?? '', namespace: o.namespace });
  const rIds = referralIdentifierSystems(agencyNamespace({ agency: o.agency ?? '', namespace: o.namespace }));
  const res = o.resolved ?? {};
  const owner: Reference = r.performer.npi ? ref('Organization', Systems.NPI, r.performer.npi, res.owner, r.performer.name) : { ...(res.owner ? { reference: res.owner } : {}), display: r.performer.name };
  const fulfilled = r.fulfilledBy
    ? r.fulfilledBy.kind === 'encounter'
      ? ref('Encounter', ids.encounter, r.fulfilledBy.id, res.fulfilledBy)
      : ref('Procedure', rIds.procedure, r.fulfilledBy.id, res.fulfilledBy)
    : undefined;
  return {
    subject: ref('Patient', ids.participant, r.participantId, res.subject),
    requester: ref(r.requester.kind === 'organization' ? 'Organization' : 'Practitioner', Systems.NPI, r.requester.npi, res.requester),
    owner,
    focus: ref('ServiceRequest', rIds.serviceRequest, r.id, res.focus),
    fulfilled,
  };
}

/**
 * Map a referral to its ServiceRequest and Task. The ServiceRequest carries the order (SNOMED 461481000124109
 * for referrals into peer services; category 410606002 plus the SDOHCC domain); the Task carries the workflow
 * state (`status`, `businessStatus`, `owner`) and, once completed, `output` → the fulfilling Encounter/Procedure.
 *
 * @param input - a referral (validated here)
 * @param options - the namespace and agency
 * @returns the ServiceRequest and Task
 * @see https://hl7.org/fhir/us/core/STU6.1/StructureDefinition-us-core-servicerequest.html
 * @see http://hl7.org/fhir/us/sdoh-clinicalcare/STU2.1/StructureDefinition-SDOHCC-TaskForReferralManagement.html
 * @example
 * ```ts
 * const { serviceRequest, task } = referralToFhir(referral, { namespace: NS });
 * task.focus; // { type: 'ServiceRequest', identifier: { system: `${NS}/referral`, value: 'ref-1' } }
 * ```
 * @category Referrals
 */
export function referralToFhir(input: unknown, options: ReferralMappingOptions = {}): { serviceRequest: ServiceRequest; task: Task } {
  const r = parseOrThrow(Referral, input, 'Referral');
  const rIds = referralIdentifierSystems(agencyNamespace({ agency: options.agency ?? '', namespace: options.namespace }));
  const refs = references(r, options);
  const cat = ReferralCategories[r.category];
  const serviceRequest: ServiceRequest = {
    resourceType: 'ServiceRequest',
    meta: { profile: [ReferralProfiles.ServiceRequest] },
    identifier: [{ use: 'official', system: rIds.serviceRequest, value: r.id }],
    status: serviceRequestStatus(r.status),
    intent: 'order',
    category: [
      { coding: [{ ...ReferralCodes.socialServiceProcedure }] },
      { coding: [coding(ReferralSystems.SDOHCC_TEMPORARY, cat.sdoh, cat.sdohDisplay)] },
      { coding: [coding(ReferralSystems.CATEGORY, r.category, cat.display)] },
    ],
    code:
      r.direction === 'into-peer-services'
        ? { coding: [{ ...ReferralCodes.referralToPeerSupport }], text: 'Referral to peer support' }
        : { coding: [coding(ReferralSystems.CATEGORY, r.category, cat.display)], text: `Referral to a community resource: ${cat.display}` },
    subject: refs.subject,
    authoredOn: r.authoredOn,
    requester: refs.requester,
    performer: [refs.owner],
    ...(r.reason ? { reasonCode: [{ text: r.reason }] } : {}),
  };
  const task: Task = {
    resourceType: 'Task',
    meta: { profile: [ReferralProfiles.Task] },
    identifier: [{ use: 'official', system: rIds.task, value: r.id }],
    status: r.status,
    ...(r.statusReason ? { statusReason: { text: r.statusReason } } : {}),
    businessStatus: { coding: [coding(ReferralSystems.BUSINESS_STATUS, r.status, STATUS_DISPLAY[r.status])], text: STATUS_DISPLAY[r.status] },
    intent: 'order',
    code: { coding: [coding(ReferralSystems.TASK_CODE, 'fulfill', 'Fulfill the focal request')] },
    focus: refs.focus,
    for: refs.subject,
    authoredOn: r.authoredOn,
    ...(r.lastModified ? { lastModified: r.lastModified } : {}),
    requester: refs.requester,
    owner: refs.owner,
    ...(refs.fulfilled
      ? { output: [{ type: { coding: [coding(ReferralSystems.SDOHCC_TEMPORARY, 'resulting-activity', 'Resulting Activity')] }, valueReference: refs.fulfilled }] }
      : {}),
  };
  // Issue 11: a referral from a Part 2 record is itself Part 2 data (DS4P labels on both resources).
  return { serviceRequest: labelIfPart2(serviceRequest, r.part2 === true), task: labelIfPart2(task, r.part2 === true) };
}

/**
 * One transaction Bundle creating the ServiceRequest and Task if absent (`If-None-Exist` on their identifiers),
 * the Task's `focus` pointing at the ServiceRequest entry.
 *
 * @param input - a referral (validated here)
 * @param options - the namespace and agency
 * @returns a transaction Bundle with the ServiceRequest and Task as conditional creates
 * @see https://hl7.org/fhir/R4/http.html#transaction
 * @example
 * ```ts
 * await client.transaction(referralBundle(referral, { namespace: NS }));
 * ```
 * @category Referrals
 */
export function referralBundle(input: unknown, options: ReferralMappingOptions = {}): Bundle {
  const r = parseOrThrow(Referral, input, 'Referral');
  const rIds = referralIdentifierSystems(agencyNamespace({ agency: options.agency ?? '', namespace: options.namespace }));
  const srUrl = `urn:uuid:${stableUuid(`ServiceRequest|${rIds.serviceRequest}|${r.id}`)}`;
  const { serviceRequest, task } = referralToFhir(r, { ...options, resolved: { ...options.resolved, focus: srUrl } });
  const cond = (system: string) => `identifier=${encodeURIComponent(system)}|${encodeURIComponent(r.id)}`;
  return {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: [
      { fullUrl: srUrl, resource: serviceRequest, request: { method: 'POST', url: 'ServiceRequest', ifNoneExist: cond(rIds.serviceRequest) } },
      { fullUrl: `urn:uuid:${stableUuid(`Task|${rIds.task}|${r.id}`)}`, resource: task, request: { method: 'POST', url: 'Task', ifNoneExist: cond(rIds.task) } },
    ],
  };
}
