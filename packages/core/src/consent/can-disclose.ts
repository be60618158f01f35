/**
 * "May I disclose this resource to this recipient for this purpose now?" under HIPAA and 42 CFR Part 2.
 * Pure: the caller supplies the consents and the moment. Reasons carry stable codes and texts built only from codes,
 * purposes and consent ids, never from names, identifiers or dates.
 * @module
 */
import type { ConsentDirective } from '../domain/consent.js';
import type { ConsentKinds, Purposes } from '../terminology/codes.js';
import type { LabelledResource } from '../security/part2-labels.js';
import { consentRule, disclosureFacts, DISCLOSURE_RULES } from './disclosure-rules.js';
import { parseMoment } from './evaluate-status.js';

/**
 * A purpose of use: a key of `Purposes` (`treatment`, `payment`, `operations`, `care-coordination`, `research`,
 * `public-health`, `patient-request`, `legal`).
 * @see https://terminology.hl7.org/CodeSystem-v3-ActReason.html
 * @example
 * ```ts
 * const purpose: PurposeKey = 'payment'; // Purposes[purpose].code === 'HPAYMT'
 * ```
 * @category Consent
 */
export type PurposeKey = keyof typeof Purposes;

/**
 * The recipient of a disclosure. `isTpoRecipient` says it is a covered entity, business associate or Part 2 program
 * receiving for TPO, i.e. within "my treating providers, health plans, third-party payers, and people helping to
 * operate this program" (42 CFR 2.31(a)(4)(i)).
 * @see https://www.ecfr.gov/current/title-42/chapter-I/subchapter-A/part-2/subpart-C/section-2.31
 * @example
 * ```ts
 * const payer: DisclosureRecipient = { npi: '1234567893', kind: 'organization', isTpoRecipient: true };
 * ```
 * @category Consent
 */
export interface DisclosureRecipient {
  npi?: string;
  identifier?: { system: string; value: string };
  kind?: 'organization' | 'practitioner';
  isTpoRecipient?: boolean;
}

/**
 * A disclosure to decide on: the resource (or its type, id and labels), recipient, purpose, moment and consents.
 * @see https://www.ecfr.gov/current/title-42/chapter-I/subchapter-A/part-2/subpart-C
 * @example
 * ```ts
 * const req: DisclosureRequest = { resource: claim, recipient: payer, purpose: 'payment', at: '2026-03-01', consents };
 * ```
 * @category Consent
 */
export interface DisclosureRequest {
  resource: LabelledResource;
  recipient: DisclosureRecipient;
  purpose: PurposeKey;
  /** A date `YYYY-MM-DD` or a timestamp with offset. */
  at: string;
  /** Consents on file. Only those of the resource's own patient count; consents of other participants never do. */
  consents: readonly ConsentDirective[];
  /**
   * The participant whose record `resource` is, when the caller has resolved it (billing knows whose claim it is).
   * It stands for the patient of a resource that has no patient reference of its own; a resource whose own reference
   * resolves (through `patients`) to someone else is denied (`PATIENT-MISMATCH`).
   */
  participantId?: string;
  /**
   * The participant id of each `Patient/{id}` reference in the resource and the resources nested in it (see
   * `patientReferencesIn`). A reference missing here is unresolved: the resource is denied when it needs consent.
   */
  patients?: Readonly<Record<string, string>>;
}

/**
 * Stable codes of {@link DecisionReason}; safe to switch on and to log.
 * @see https://www.ecfr.gov/current/title-42/chapter-I/subchapter-A/part-2/subpart-C
 * @example
 * ```ts
 * decision.reasons.some((r) => r.code === 'CONSENT-REVOKED');
 * ```
 * @category Consent
 */
export type DecisionReasonCode =
  | 'HIPAA-TPO'
  | 'CONSENT-PERMITS'
  | 'CONSENT-REQUIRED'
  | 'NO-CONSENT-ON-FILE'
  | 'PART2-LEGAL-PROCEEDINGS'
  | 'CONSENT-NOT-ACTIVE'
  | 'CONSENT-EXPIRED'
  | 'CONSENT-REVOKED'
  | 'CONSENT-NOT-YET-EFFECTIVE'
  | 'CONSENT-NOT-YET-SIGNED'
  | 'CONSENT-WRONG-PARTICIPANT'
  | 'CONSENT-WRONG-KIND'
  | 'CONSENT-WRONG-PURPOSE'
  | 'CONSENT-WRONG-RECIPIENT'
  | 'CONSENT-OUT-OF-SCOPE'
  | 'LABEL-UNKNOWN'
  | 'LABEL-RESTRICTED'
  | 'PATIENT-UNRESOLVED'
  | 'PATIENT-MISMATCH';

/**
 * Why a decision came out as it did: a stable code, a human text without PHI, and the consent it concerns.
 * @see https://www.ecfr.gov/current/title-42/chapter-I/subchapter-A/part-2/subpart-C
 * @example
 * ```ts
 * for (const r of decision.reasons) report.push(`${r.code} ${r.consentId ?? ''}`);
 * ```
 * @category Consent
 */
export interface DecisionReason {
  code: DecisionReasonCode;
  message: string;
  consentId?: string;
}

/**
 * The consent that would permit a denied disclosure: its kind, the purpose, and how it must designate the recipient.
 * @see https://www.ecfr.gov/current/title-42/chapter-I/subchapter-A/part-2/subpart-C/section-2.31
 * @example
 * ```ts
 * if (decision.missing) prompt(describeMissingConsent(decision.missing));
 * ```
 * @category Consent
 */
export interface MissingConsent {
  kind: keyof typeof ConsentKinds;
  purpose: PurposeKey;
  recipient: { kind?: 'organization' | 'practitioner'; designation: 'named' | 'tpo-class' };
}

/**
 * The outcome of {@link canDisclose}: permit or deny, the reasons, the permitting consents and the notice duty.
 * @see https://www.ecfr.gov/current/title-42/chapter-I/subchapter-A/part-2/subpart-C
 * @example
 * ```ts
 * const { decision, consentIds, requiresRedisclosureNotice } = canDisclose(request);
 * ```
 * @category Consent
 */
export interface DisclosureDecision {
  decision: 'permit' | 'deny';
  reasons: DecisionReason[];
  /** The consents that permit (empty for a HIPAA TPO disclosure of non-Part 2 data, and on deny). */
  consentIds: string[];
  /** The resource is Part 2 protected. */
  part2: boolean;
  /** The disclosure must carry the 42 CFR 2.32 notice (every permitted Part 2 disclosure). */
  requiresRedisclosureNotice: boolean;
  /** On a deny that a consent could cure: the consent that would be needed. */
  missing?: MissingConsent;
}

export { describeMissingConsent, isTpoPurpose } from './disclosure-rules.js';

/**
 * Decide whether `request.resource` may be disclosed to `request.recipient` for `request.purpose` at `request.at`.
 *
 * The whole resource is judged by the strictest label anywhere in it: its own `meta.security` / `meta.tag` and those
 * of every resource nested in it (Bundle entries at any depth, `contained`, `Parameters`), every accepted spelling.
 * - A label of a system we do not know: deny (`LABEL-UNKNOWN`, naming its position only). Fail closed.
 * - Part 2 (`42CFRPart2`, `SUD`, `ETH`, `ETHUD`, `OPIOIDUD`): needs an active `part2-tpo` consent (TPO purpose;
 *   class of TPO recipients, or the recipient by NPI or identifier) or `part2-specific` consent naming the recipient
 *   and purpose (42 CFR 2.31, 2.33). HIPAA authorizations do not count. Purpose `legal` is always denied
 *   (42 CFR 2.12(d), 2.33(b)).
 * - Restricted (`R`, `V`) or no-redisclosure (`NORDSCLCD`) without a Part 2 label: needs an explicit consent of the
 *   patient covering recipient and purpose, even for TPO.
 * - Otherwise, a TPO purpose: permit without consent (45 CFR 164.506), reason `HIPAA-TPO`; another purpose needs an
 *   active HIPAA authorization (45 CFR 164.508) or Part 2 consent naming the recipient and the purpose.
 * - When consent is needed, it must be a consent of the resource's own patient: each part's patient comes from its
 *   own `subject`/`patient`/`beneficiary`/`for` reference mapped through `request.patients` (else the patient of the
 *   resource it sits in, else `request.participantId`). Every patient found needs a permitting consent of their own;
 *   a part whose patient cannot be resolved denies the whole (`PATIENT-UNRESOLVED`).
 * - A consent counts only when {@link consentStateAt} is `active` at `at` and its data scope covers the resource's
 *   type and sensitivity labels.
 *
 * Throws `PeerFhirValidationError` (path `at`) when `at` is neither a date nor a timestamp with offset.
 *
 * @param request - the resource, recipient, purpose, moment and the consents on file
 * @returns permit or deny with coded reasons, the permitting consents and the redisclosure-notice duty
 * @see https://www.ecfr.gov/current/title-42/chapter-I/subchapter-A/part-2/subpart-C
 * @example
 * ```ts
 * const d = canDisclose({ resource: claim, recipient: { npi: '1234567893', isTpoRecipient: true },
 *   purpose: 'payment', at: '2026-03-01', consents, participantId: 'p-1' });
 * if (d.decision === 'deny') throw new ConsentRequiredError(d);
 * ```
 * @category Consent
 */
export function canDisclose(request: DisclosureRequest): DisclosureDecision {
  parseMoment(request.at, 'DisclosureRequest');
  const facts = disclosureFacts(request);
  // In order (disclosure-rules.ts): Part 2 legal proceedings, unknown labels, HIPAA TPO, patient of record; then consents.
  for (const rule of DISCLOSURE_RULES) {
    const decided = rule(facts);
    if (decided !== undefined) return decided;
  }
  return consentRule(facts);
}

/**
 * A resource {@link filterDisclosable} held back, with its reference (`Type/id`, or `Type` without an id) and the decision.
 * @see https://www.ecfr.gov/current/title-42/chapter-I/subchapter-A/part-2/subpart-C
 * @example
 * ```ts
 * const held = denied.map((d) => `${d.reference}: ${d.decision.reasons.map((r) => r.code).join(', ')}`);
 * ```
 * @category Consent
 */
export interface DeniedResource {
  reference: string;
  resourceType: string;
  id?: string;
  decision: DisclosureDecision;
}

/**
 * Split resources into those that may be disclosed and those that may not, applying {@link canDisclose} to each.
 *
 * @param resources - the resources to disclose
 * @param options - recipient, purpose, moment, consents and patient resolution, as for `canDisclose`
 * @returns the permitted and denied resources, the permitting consents and the notice duty
 * @see https://www.ecfr.gov/current/title-42/chapter-I/subchapter-A/part-2/subpart-C
 * @example
 * ```ts
 * const { permitted, denied, consentIds } = filterDisclosable(resources, { recipient, purpose: 'payment', at, consents });
 * ```
 * @category Consent
 */
export function filterDisclosable<T extends LabelledResource>(
  resources: readonly T[],
  options: Omit<DisclosureRequest, 'resource'>,
): { permitted: T[]; denied: DeniedResource[]; consentIds: string[]; requiresRedisclosureNotice: boolean } {
  const permitted: T[] = [];
  const denied: DeniedResource[] = [];
  const consentIds = new Set<string>();
  let requiresRedisclosureNotice = false;
  for (const resource of resources) {
    const decision = canDisclose({ ...options, resource });
    if (decision.decision === 'permit') {
      permitted.push(resource);
      decision.consentIds.forEach((id) => consentIds.add(id));
      requiresRedisclosureNotice ||= decision.requiresRedisclosureNotice;
    } else {
      denied.push({
        reference: resource.id === undefined ? resource.resourceType : `${resource.resourceType}/${resource.id}`,
        resourceType: resource.resourceType,
        ...(resource.id === undefined ? {} : { id: resource.id }),
        decision,
      });
    }
  }
  return { permitted, denied, consentIds: [...consentIds], requiresRedisclosureNotice };
}
