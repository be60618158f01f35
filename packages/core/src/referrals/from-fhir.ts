/**
 * ServiceRequest + Task -> Referral.
 * @module
 */
import type { Reference, ServiceRequest, Task } from 'fhir/r4.js';
import { FhirMappingError, type ValidationIssue } from '../errors.js';
import { agencyNamespace, identifierSystems } from '../terminology/identifiers.js';
import { Systems } from '../terminology/systems.js';
import { isPart2Protected } from '../security/part2-labels.js';
import { parseOrThrow } from '../validate.js';
import { Referral, ReferralStatus } from './referral.js';
import { ReferralCodes, ReferralSystems, referralIdentifierSystems } from './terminology.js';

const idIn = (ref: Reference | undefined, system: string): string | undefined => (ref?.identifier?.system === system ? ref.identifier.value : undefined);

/**
 * Read a referral back from its ServiceRequest and Task (as written by `referralToFhir`, or by a partner system that
 * keeps the same identifiers). Throws `FhirMappingError` listing every problem by path.
 *
 * @param sr - the referral's ServiceRequest
 * @param task - the referral's Task
 * @param options - the namespace and agency
 * @returns the referral record
 * @see http://hl7.org/fhir/us/sdoh-clinicalcare/STU2.1/StructureDefinition-SDOHCC-TaskForReferralManagement.html
 * @example
 * ```ts
 * const referral = referralFromFhir(serviceRequest, task, { namespace: NS });
 * ```
 * @category Referrals
 */
export function referralFromFhir(sr: ServiceRequest, task: Task, options: { namespace?: string | undefined; agency?: string | undefined } = {}): Referral {
  const ids = identifierSystems({ agency: options.agency ?? '', namespace: options.namespace });
  const rIds = referralIdentifierSystems(agencyNamespace({ agency: options.agency ?? '', namespace: options.namespace }));
  const issues: ValidationIssue[] = [];
  const id = sr.identifier?.find((i) => i.system === rIds.serviceRequest)?.value;
  if (!id) issues.push({ path: 'ServiceRequest.identifier', code: 'required', message: 'no referral identifier in this namespace' });
  const participantId = idIn(sr.subject, ids.participant);
  if (!participantId) issues.push({ path: 'ServiceRequest.subject', code: 'required', message: 'no participant identifier' });
  const status = ReferralStatus.safeParse(task.status);
  if (!status.success) issues.push({ path: 'Task.status', code: 'invalid_value', message: `must be one of: ${ReferralStatus.options.join(', ')}` });
  const category = sr.category?.flatMap((c) => c.coding ?? []).find((c) => c.system === ReferralSystems.CATEGORY)?.code;
  const requesterNpi = idIn(sr.requester, Systems.NPI);
  if (!requesterNpi) issues.push({ path: 'ServiceRequest.requester', code: 'required', message: 'no requester NPI' });
  if (issues.length > 0) throw new FhirMappingError('Referral', issues);
  const owner = task.owner ?? sr.performer?.[0];
  const out = task.output?.find((o) => o.type.coding?.some((c) => c.code === 'resulting-activity'))?.valueReference;
  const enc = idIn(out, ids.encounter);
  const proc = idIn(out, rIds.procedure);
  const intoPeer = sr.code?.coding?.some((c) => c.system === ReferralCodes.referralToPeerSupport.system && c.code === ReferralCodes.referralToPeerSupport.code) ?? false;
  return parseOrThrow(
    Referral,
    {
      id,
      participantId,
      direction: intoPeer ? 'into-peer-services' : 'to-community-resource',
      category,
      requester: { npi: requesterNpi, kind: sr.requester?.type === 'Organization' ? 'organization' : 'practitioner' },
      performer: { name: owner?.display ?? '', ...(idIn(owner, Systems.NPI) ? { npi: idIn(owner, Systems.NPI) } : {}) },
      ...(sr.reasonCode?.[0]?.text ? { reason: sr.reasonCode[0].text } : {}),
      status: task.status,
      ...(task.statusReason?.text ? { statusReason: task.statusReason.text } : {}),
      authoredOn: sr.authoredOn ?? task.authoredOn,
      ...(task.lastModified ? { lastModified: task.lastModified } : {}),
      ...(enc ? { fulfilledBy: { kind: 'encounter', id: enc } } : proc ? { fulfilledBy: { kind: 'procedure', id: proc } } : {}),
      ...(isPart2Protected(sr) || isPart2Protected(task) ? { part2: true } : {}),
    },
    'Referral',
  );
}
