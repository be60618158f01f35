/**
 * "May I disclose this resource to this recipient for this purpose now?" under HIPAA and 42 CFR Part 2.
 * Pure: the caller supplies the consents and the moment. Reasons carry stable codes and texts built only from codes,
 * purposes and consent ids, never from names, identifiers or dates.
 * @module
 */
import type { ConsentDirective, ConsentRecipient } from '../domain/consent.js';
import { ConsentKinds, Purposes, TPO_PURPOSES } from '../terminology/codes.js';
import { labelsIn, sensitivitiesOf, type LabelledResource } from '../security/part2-labels.js';
import { consentStateAt, parseMoment, type ConsentState } from './evaluate-status.js';
import { resourceParts } from './patient-of.js';

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
  const labels = labelsIn(request.resource);
  const part2 = labels.some((l) => l.labelClass === 'part2');
  const restricted = labels.find((l) => l.labelClass === 'restricted');
  const unknown = labels.filter((l) => l.labelClass === 'unknown');
  const tpo = isTpoPurpose(request.purpose);
  const deny = (reasons: DecisionReason[], missing?: MissingConsent): DisclosureDecision => ({
    decision: 'deny',
    reasons,
    consentIds: [],
    part2,
    requiresRedisclosureNotice: false,
    ...(missing === undefined ? {} : { missing }),
  });

  if (part2 && request.purpose === 'legal') {
    return deny([
      {
        code: 'PART2-LEGAL-PROCEEDINGS',
        message:
          'Part 2 records may not be used or disclosed in civil, criminal, administrative or legislative proceedings ' +
          'against the patient (42 CFR 2.12(d), 2.33(b)); court orders (42 CFR part 2 subpart E) and consents given ' +
          'for such proceedings are out of scope of this decision.',
      },
    ]);
  }
  if (unknown.length > 0) {
    // Fail closed: a label we cannot read may be a stricter one than any we know. Name its position, not its value.
    return deny(
      unknown.map((l) => ({ code: 'LABEL-UNKNOWN' as const, message: `The security label at ${l.position} is of an unknown system or has no code.` })),
    );
  }
  if (!part2 && restricted === undefined && tpo) {
    return {
      decision: 'permit',
      reasons: [{ code: 'HIPAA-TPO', message: `HIPAA permits disclosure for ${request.purpose} without authorization (45 CFR 164.506).` }],
      consentIds: [],
      part2,
      requiresRedisclosureNotice: false,
    };
  }

  const missing = missingConsent(request, part2);
  const governing: DecisionReason[] =
    !part2 && restricted !== undefined
      ? [
          {
            code: 'LABEL-RESTRICTED',
            message: `The label ${restricted.system ?? ''}|${restricted.code ?? ''} at ${restricted.position} requires the patient's explicit consent.`,
          },
        ]
      : [];

  // Whose record is each part? Its own reference, else its container's, else the participant the caller resolved.
  const unresolved: string[] = [];
  const participants = new Set<string>();
  let mismatch = false;
  for (const part of resourceParts(request.resource)) {
    if (part.patient.kind === 'unresolvable') unresolved.push(part.position);
    else if (part.patient.kind === 'patient') {
      const id = request.patients?.[part.patient.reference];
      if (id === undefined) unresolved.push(part.position);
      else {
        participants.add(id);
        if (request.participantId !== undefined && id !== request.participantId) mismatch = true;
      }
    } else if (request.participantId !== undefined) participants.add(request.participantId);
  }
  const at = (position: string): string => (position === '' ? 'the resource' : position);
  if (mismatch) {
    return deny([...governing, { code: 'PATIENT-MISMATCH', message: 'The resource is about another participant than the one the disclosure is for.' }], missing);
  }
  if (unresolved.length > 0 || participants.size === 0) {
    const where = unresolved.length > 0 ? unresolved.map(at).join(', ') : 'the resource';
    return deny([...governing, { code: 'PATIENT-UNRESOLVED', message: `The patient of ${where} could not be resolved, so no consent can be matched.` }], missing);
  }

  const permitting = new Set<string>();
  const failures: DecisionReason[] = [];
  let anyOnFile = true;
  let allPermitted = true;
  for (const participantId of [...participants].sort()) {
    const own = request.consents.filter((c) => c.participantId === participantId);
    if (own.length === 0) anyOnFile = false;
    const ok: string[] = [];
    for (const consent of own) {
      const failed = consentFailures(consent, request, part2);
      if (failed.length === 0) ok.push(consent.id);
      else failures.push(...failed);
    }
    if (ok.length === 0) allPermitted = false;
    ok.forEach((id) => permitting.add(id));
  }

  if (allPermitted) {
    const ids = [...permitting];
    return {
      decision: 'permit',
      reasons: ids.map((id) => ({
        code: 'CONSENT-PERMITS' as const,
        message: `Consent ${id} permits disclosure for ${request.purpose}${part2 ? ' (42 CFR 2.33)' : ' (45 CFR 164.508)'}.`,
        consentId: id,
      })),
      consentIds: ids,
      part2,
      requiresRedisclosureNotice: part2, // 42 CFR 2.32(a)
    };
  }

  const reasons: DecisionReason[] = [...governing, { code: 'CONSENT-REQUIRED', message: `Disclosure needs ${describeMissingConsent(missing)}.` }];
  if (!anyOnFile) reasons.push({ code: 'NO-CONSENT-ON-FILE', message: 'No consent directive of the patient was supplied.' });
  reasons.push(...failures);
  return deny(reasons, missing);
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
