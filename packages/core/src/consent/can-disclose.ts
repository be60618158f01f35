/**
 * "May I disclose this resource to this recipient for this purpose now?" under HIPAA and 42 CFR Part 2.
 * Pure: the caller supplies the consents and the moment. Reasons carry stable codes and texts built only from codes,
 * purposes and consent ids, never from names, identifiers or dates.
 * @module
 */
import type { ConsentDirective, ConsentRecipient } from '../domain/consent.js';
import { ConsentKinds, Purposes, TPO_PURPOSES } from '../terminology/codes.js';
import { isPart2Protected, sensitivitiesOf, type LabelledResource } from '../security/part2-labels.js';
import { consentStateAt, parseMoment, type ConsentState } from './evaluate-status.js';

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
  consents: readonly ConsentDirective[];
  /** When given, only this participant's consents count. */
  participantId?: string;
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
  | 'CONSENT-OUT-OF-SCOPE';

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

const TPO: ReadonlySet<string> = new Set(TPO_PURPOSES);

/**
 * True for the purposes a Part 2 single TPO consent covers and HIPAA permits without authorization
 * (`treatment`, `payment`, `operations`, `care-coordination`).
 *
 * @see https://www.ecfr.gov/current/title-45/subtitle-A/subchapter-C/part-164/subpart-E/section-164.506
 * @example
 * ```ts
 * isTpoPurpose('payment'); // true
 * isTpoPurpose('research'); // false
 * ```
 * @category Consent
 */
export function isTpoPurpose(purpose: PurposeKey): boolean {
  return TPO.has(purpose);
}

const STATE_REASONS: Partial<Record<ConsentState, DecisionReasonCode>> = {
  expired: 'CONSENT-EXPIRED',
  revoked: 'CONSENT-REVOKED',
  'not-yet-effective': 'CONSENT-NOT-YET-EFFECTIVE',
  'not-yet-signed': 'CONSENT-NOT-YET-SIGNED',
};

function recipientMatches(named: ConsentRecipient, recipient: DisclosureRecipient): boolean {
  if (recipient.kind !== undefined && named.kind !== recipient.kind) return false;
  if (named.npi !== undefined && recipient.npi !== undefined && named.npi === recipient.npi) return true;
  return (
    named.identifier !== undefined &&
    recipient.identifier !== undefined &&
    named.identifier.system === recipient.identifier.system &&
    named.identifier.value === recipient.identifier.value
  );
}

/** Every reason `consent` does not permit the request; empty when it does. */
function consentFailures(consent: ConsentDirective, request: DisclosureRequest, part2: boolean): DecisionReason[] {
  const id = consent.id;
  const out: DecisionReason[] = [];
  const fail = (code: DecisionReasonCode, message: string) => out.push({ code, message: `Consent ${id}: ${message}`, consentId: id });

  const state = consentStateAt(consent, request.at);
  if (state !== 'active') {
    const code = STATE_REASONS[state] ?? 'CONSENT-NOT-ACTIVE';
    fail(code, code === 'CONSENT-NOT-ACTIVE' ? `has status ${state}.` : `is ${state.replace(/-/g, ' ')} at the time of disclosure.`);
  }
  if (request.participantId !== undefined && consent.participantId !== request.participantId) {
    fail('CONSENT-WRONG-PARTICIPANT', 'belongs to another participant.');
  }
  if (part2 && consent.kind === 'hipaa-authorization') {
    // 42 CFR 2.31: a Part 2 disclosure needs a Part 2 consent; a general HIPAA authorization is not sufficient (2.32).
    fail('CONSENT-WRONG-KIND', 'is a HIPAA authorization, which does not permit disclosure of Part 2 records.');
  }
  const tpo = isTpoPurpose(request.purpose);
  if (!consent.purposes.includes(request.purpose)) {
    fail('CONSENT-WRONG-PURPOSE', `does not cover the purpose ${request.purpose}.`);
  } else if (consent.kind === 'part2-tpo' && !tpo) {
    // 42 CFR 2.33(a)(2): the single consent covers treatment, payment and health care operations only.
    fail('CONSENT-WRONG-PURPOSE', `is a single TPO consent, which does not cover the purpose ${request.purpose}.`);
  }
  if (consent.kind === 'part2-tpo' && consent.recipients.length === 0) {
    // 42 CFR 2.31(a)(4)(i): a TPO consent may designate recipients as a class.
    if (request.recipient.isTpoRecipient !== true) {
      fail('CONSENT-WRONG-RECIPIENT', 'covers the class of TPO recipients, and the recipient is not in that class.');
    }
  } else if (!consent.recipients.some((r) => recipientMatches(r, request.recipient))) {
    fail('CONSENT-WRONG-RECIPIENT', 'does not name the recipient.');
  }
  const { resourceTypes, sensitivities } = consent.dataScope;
  const typeOk = resourceTypes.length === 0 || resourceTypes.includes(request.resource.resourceType);
  const labels = sensitivitiesOf(request.resource);
  const sensitivityOk = sensitivities.length === 0 || sensitivities.some((s) => labels.includes(s));
  if (!typeOk || !sensitivityOk) {
    // 42 CFR 2.31(a)(3): the consent describes the information that may be disclosed.
    fail('CONSENT-OUT-OF-SCOPE', `does not cover this ${typeOk ? 'sensitivity of ' : ''}resource type.`);
  }
  return out;
}

function missingConsent(request: DisclosureRequest, part2: boolean): MissingConsent {
  const tpo = isTpoPurpose(request.purpose);
  const kind = part2 ? (tpo ? 'part2-tpo' : 'part2-specific') : 'hipaa-authorization';
  const designation = kind === 'part2-tpo' && request.recipient.isTpoRecipient === true ? 'tpo-class' : 'named';
  return {
    kind,
    purpose: request.purpose,
    recipient: { ...(request.recipient.kind === undefined ? {} : { kind: request.recipient.kind }), designation },
  };
}

/**
 * Describe a missing consent in words (no PHI): e.g. "a part2-tpo consent covering payment for the TPO recipient class".
 *
 * @see https://www.ecfr.gov/current/title-42/chapter-I/subchapter-A/part-2/subpart-C/section-2.31
 * @example
 * ```ts
 * describeMissingConsent({ kind: 'hipaa-authorization', purpose: 'research', recipient: { designation: 'named' } });
 * // 'a hipaa-authorization consent covering research naming the recipient'
 * ```
 * @category Consent
 */
export function describeMissingConsent(missing: MissingConsent): string {
  const who =
    missing.recipient.designation === 'tpo-class'
      ? 'for the TPO recipient class or naming the recipient'
      : `naming the ${missing.recipient.kind === undefined ? '' : `${missing.recipient.kind} `}recipient`;
  return `a ${missing.kind} consent covering ${missing.purpose} ${who}`;
}

/**
 * Decide whether `request.resource` may be disclosed to `request.recipient` for `request.purpose` at `request.at`.
 *
 * - Not Part 2 and a TPO purpose: permit without consent (45 CFR 164.506), reason `HIPAA-TPO`.
 * - Not Part 2 and another purpose: needs an active HIPAA authorization (45 CFR 164.508) or Part 2 consent naming
 *   the recipient and the purpose. (HIPAA's other permissions, 45 CFR 164.512, are the caller's to apply.)
 * - Part 2: needs an active `part2-tpo` consent (TPO purpose; class of TPO recipients, or the recipient by NPI or
 *   identifier) or `part2-specific` consent naming the recipient and purpose (42 CFR 2.31, 2.33).
 *   HIPAA authorizations do not count. Purpose `legal` is always denied (42 CFR 2.12(d), 2.33(b)).
 * - A consent counts only when {@link consentStateAt} is `active`, the participant matches (when given) and its
 *   data scope covers the resource's type and sensitivity labels.
 *
 * Throws `PeerFhirValidationError` (path `at`) when `at` is neither a date nor a timestamp with offset.
 *
 * @see https://www.ecfr.gov/current/title-42/chapter-I/subchapter-A/part-2/subpart-C
 * @example
 * ```ts
 * const d = canDisclose({ resource: claim, recipient: { npi: '1234567893', isTpoRecipient: true },
 *   purpose: 'payment', at: '2026-03-01', consents });
 * if (d.decision === 'deny') throw new ConsentRequiredError(d);
 * ```
 * @category Consent
 */
export function canDisclose(request: DisclosureRequest): DisclosureDecision {
  parseMoment(request.at, 'DisclosureRequest');
  const part2 = isPart2Protected(request.resource);
  const tpo = isTpoPurpose(request.purpose);

  if (part2 && request.purpose === 'legal') {
    return {
      decision: 'deny',
      reasons: [
        {
          code: 'PART2-LEGAL-PROCEEDINGS',
          message:
            'Part 2 records may not be used or disclosed in civil, criminal, administrative or legislative proceedings ' +
            'against the patient (42 CFR 2.12(d), 2.33(b)); court orders (42 CFR part 2 subpart E) and consents given ' +
            'for such proceedings are out of scope of this decision.',
        },
      ],
      consentIds: [],
      part2,
      requiresRedisclosureNotice: false,
    };
  }
  if (!part2 && tpo) {
    return {
      decision: 'permit',
      reasons: [{ code: 'HIPAA-TPO', message: `HIPAA permits disclosure for ${request.purpose} without authorization (45 CFR 164.506).` }],
      consentIds: [],
      part2,
      requiresRedisclosureNotice: false,
    };
  }

  const permitting: string[] = [];
  const failures: DecisionReason[] = [];
  for (const consent of request.consents) {
    const failed = consentFailures(consent, request, part2);
    if (failed.length === 0) permitting.push(consent.id);
    else failures.push(...failed);
  }

  if (permitting.length > 0) {
    return {
      decision: 'permit',
      reasons: permitting.map((id) => ({
        code: 'CONSENT-PERMITS' as const,
        message: `Consent ${id} permits disclosure for ${request.purpose}${part2 ? ' (42 CFR 2.33)' : ' (45 CFR 164.508)'}.`,
        consentId: id,
      })),
      consentIds: permitting,
      part2,
      requiresRedisclosureNotice: part2, // 42 CFR 2.32(a)
    };
  }

  const missing = missingConsent(request, part2);
  const reasons: DecisionReason[] = [
    { code: 'CONSENT-REQUIRED', message: `Disclosure needs ${describeMissingConsent(missing)}.` },
  ];
  if (request.consents.length === 0) reasons.push({ code: 'NO-CONSENT-ON-FILE', message: 'No consent directive was supplied.' });
  reasons.push(...failures);
  return { decision: 'deny', reasons, consentIds: [], part2, requiresRedisclosureNotice: false, missing };
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
