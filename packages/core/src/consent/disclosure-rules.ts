/**
 * The rules of {@link canDisclose}, one step per branch of HIPAA and 42 CFR Part 2, in the order they decide. Each
 * rule either decides (permit or deny, with coded reasons citing the section) or passes to the next; the consent rule
 * at the end always decides.
 * @module
 */
import type { ConsentDirective, ConsentRecipient } from '../domain/consent.js';
import { TPO_PURPOSES } from '../terminology/codes.js';
import { labelsIn, sensitivitiesOf, type FoundLabel } from '../security/part2-labels.js';
import { consentStateAt, type ConsentState } from './evaluate-status.js';
import { resourceParts } from './patient-of.js';
import type {
  DecisionReason,
  DecisionReasonCode,
  DisclosureDecision,
  DisclosureRecipient,
  DisclosureRequest,
  MissingConsent,
  PurposeKey,
} from './can-disclose.js';

const TPO: ReadonlySet<string> = new Set(TPO_PURPOSES);

/**
 * True for the purposes a Part 2 single TPO consent covers and HIPAA permits without authorization
 * (`treatment`, `payment`, `operations`, `care-coordination`).
 *
 * @param purpose - the purpose of use of the disclosure
 * @returns whether the purpose is treatment, payment or health care operations
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

/**
 * Describe a missing consent in words (no PHI): e.g. "a part2-tpo consent covering payment for the TPO recipient class".
 *
 * @param missing - the consent a denied decision names as missing
 * @returns the consent in words, without PHI
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

/** Whose records the resource holds: the participants found, the parts whose patient is unknown, and a mismatch. */
interface PatientsOfRecord {
  readonly participants: ReadonlySet<string>;
  readonly unresolved: readonly string[];
  readonly mismatch: boolean;
}

/** What every rule reads: the request and its labels, read once. */
export interface DisclosureFacts {
  readonly request: DisclosureRequest;
  readonly part2: boolean;
  readonly restricted: FoundLabel | undefined;
  readonly unknown: readonly FoundLabel[];
  readonly tpo: boolean;
  /** Whose records the resource holds (resolved on first use: a HIPAA TPO permit never needs it). */
  readonly patients: () => PatientsOfRecord;
}

/** One rule: a decision, or undefined to pass to the next rule. */
type DisclosureRule = (facts: DisclosureFacts) => DisclosureDecision | undefined;

/** Whose record is each part? Its own reference, else its container's, else the participant the caller resolved. */
function patientsOfRecord(request: DisclosureRequest): PatientsOfRecord {
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
  return { participants, unresolved, mismatch };
}

/** The labels of the request's resource, and its patients on demand. */
export function disclosureFacts(request: DisclosureRequest): DisclosureFacts {
  const labels = labelsIn(request.resource);
  let patients: PatientsOfRecord | undefined;
  return {
    request,
    part2: labels.some((l) => l.labelClass === 'part2'),
    restricted: labels.find((l) => l.labelClass === 'restricted'),
    unknown: labels.filter((l) => l.labelClass === 'unknown'),
    tpo: isTpoPurpose(request.purpose),
    patients: () => (patients ??= patientsOfRecord(request)),
  };
}

function deny(facts: DisclosureFacts, reasons: DecisionReason[], missing?: MissingConsent): DisclosureDecision {
  return { decision: 'deny', reasons, consentIds: [], part2: facts.part2, requiresRedisclosureNotice: false, ...(missing === undefined ? {} : { missing }) };
}

/** The consent that would cure a deny: Part 2 TPO or specific consent, else a HIPAA authorization. */
function missingConsent({ request, part2, tpo }: DisclosureFacts): MissingConsent {
  const kind = part2 ? (tpo ? 'part2-tpo' : 'part2-specific') : 'hipaa-authorization';
  const designation = kind === 'part2-tpo' && request.recipient.isTpoRecipient === true ? 'tpo-class' : 'named';
  return {
    kind,
    purpose: request.purpose,
    recipient: { ...(request.recipient.kind === undefined ? {} : { kind: request.recipient.kind }), designation },
  };
}

/** A restricted label (R, V, NORDSCLCD) without a Part 2 label: the reason consent is needed even for TPO. */
function governingReasons({ part2, restricted }: DisclosureFacts): DecisionReason[] {
  if (part2 || restricted === undefined) return [];
  return [
    {
      code: 'LABEL-RESTRICTED',
      message: `The label ${restricted.system ?? ''}|${restricted.code ?? ''} at ${restricted.position} requires the patient's explicit consent.`,
    },
  ];
}

/** 42 CFR 2.12(d), 2.33(b): Part 2 records are never used or disclosed in proceedings against the patient. */
const part2LegalProceedingsRule: DisclosureRule = (facts) => {
  if (!facts.part2 || facts.request.purpose !== 'legal') return undefined;
  return deny(facts, [
    {
      code: 'PART2-LEGAL-PROCEEDINGS',
      message:
        'Part 2 records may not be used or disclosed in civil, criminal, administrative or legislative proceedings ' +
        'against the patient (42 CFR 2.12(d), 2.33(b)); court orders (42 CFR part 2 subpart E) and consents given ' +
        'for such proceedings are out of scope of this decision.',
    },
  ]);
};

/** Fail closed: a label we cannot read may be a stricter one than any we know. Name its position, not its value. */
const unknownLabelRule: DisclosureRule = (facts) => {
  if (facts.unknown.length === 0) return undefined;
  return deny(
    facts,
    facts.unknown.map((l) => ({ code: 'LABEL-UNKNOWN' as const, message: `The security label at ${l.position} is of an unknown system or has no code.` })),
  );
};

/** 45 CFR 164.506: without a Part 2 or restricted label, HIPAA permits a TPO disclosure without authorization. */
const hipaaTpoRule: DisclosureRule = ({ request, part2, restricted, tpo }) => {
  if (part2 || restricted !== undefined || !tpo) return undefined;
  return {
    decision: 'permit',
    reasons: [{ code: 'HIPAA-TPO', message: `HIPAA permits disclosure for ${request.purpose} without authorization (45 CFR 164.506).` }],
    consentIds: [],
    part2,
    requiresRedisclosureNotice: false,
  };
};

/**
 * 42 CFR 2.31(a)(1), 45 CFR 164.508(c)(1): a consent is the patient's own. A resource about another participant than
 * the one the disclosure is for, or a part whose patient cannot be resolved, leaves no consent to match.
 */
const patientOfRecordRule: DisclosureRule = (facts) => {
  const { participants, unresolved, mismatch } = facts.patients();
  const at = (position: string): string => (position === '' ? 'the resource' : position);
  if (mismatch) {
    return deny(facts, [...governingReasons(facts), { code: 'PATIENT-MISMATCH', message: 'The resource is about another participant than the one the disclosure is for.' }], missingConsent(facts));
  }
  if (unresolved.length === 0 && participants.size > 0) return undefined;
  const where = unresolved.length > 0 ? unresolved.map(at).join(', ') : 'the resource';
  return deny(facts, [...governingReasons(facts), { code: 'PATIENT-UNRESOLVED', message: `The patient of ${where} could not be resolved, so no consent can be matched.` }], missingConsent(facts));
};

/** The rules that may decide before the consents are read, in order. */
export const DISCLOSURE_RULES: readonly DisclosureRule[] = [part2LegalProceedingsRule, unknownLabelRule, hipaaTpoRule, patientOfRecordRule];

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

/** Does the consent name the recipient (or, for a TPO consent without names, is the recipient in the TPO class)? */
function recipientFailure(consent: ConsentDirective, recipient: DisclosureRecipient): string | undefined {
  if (consent.kind === 'part2-tpo' && consent.recipients.length === 0) {
    // 42 CFR 2.31(a)(4)(i): a TPO consent may designate recipients as a class.
    return recipient.isTpoRecipient === true ? undefined : 'covers the class of TPO recipients, and the recipient is not in that class.';
  }
  return consent.recipients.some((r) => recipientMatches(r, recipient)) ? undefined : 'does not name the recipient.';
}

/** Every reason `consent` does not permit the request; empty when it does. */
function consentFailures(consent: ConsentDirective, { request, part2, tpo }: DisclosureFacts): DecisionReason[] {
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
  if (!consent.purposes.includes(request.purpose)) {
    fail('CONSENT-WRONG-PURPOSE', `does not cover the purpose ${request.purpose}.`);
  } else if (consent.kind === 'part2-tpo' && !tpo) {
    // 42 CFR 2.33(a)(2): the single consent covers treatment, payment and health care operations only.
    fail('CONSENT-WRONG-PURPOSE', `is a single TPO consent, which does not cover the purpose ${request.purpose}.`);
  }
  const recipientFailed = recipientFailure(consent, request.recipient);
  if (recipientFailed !== undefined) fail('CONSENT-WRONG-RECIPIENT', recipientFailed);
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

/**
 * 42 CFR 2.31, 2.33 (Part 2) and 45 CFR 164.508 (HIPAA authorization): every patient of record needs an active consent
 * of their own that covers the kind, purpose, recipient and data. Permit with the permitting consents (and the 42 CFR
 * 2.32(a) notice duty for Part 2), else deny naming the consent needed and why each consent on file fails.
 */
export function consentRule(facts: DisclosureFacts): DisclosureDecision {
  const { request, part2 } = facts;
  const permitting = new Set<string>();
  const failures: DecisionReason[] = [];
  let anyOnFile = true;
  let allPermitted = true;
  for (const participantId of [...facts.patients().participants].sort()) {
    const own = request.consents.filter((c) => c.participantId === participantId);
    if (own.length === 0) anyOnFile = false;
    const ok: string[] = [];
    for (const consent of own) {
      const failed = consentFailures(consent, facts);
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
  const missing = missingConsent(facts);
  const reasons: DecisionReason[] = [...governingReasons(facts), { code: 'CONSENT-REQUIRED', message: `Disclosure needs ${describeMissingConsent(missing)}.` }];
  if (!anyOnFile) reasons.push({ code: 'NO-CONSENT-ON-FILE', message: 'No consent directive of the patient was supplied.' });
  reasons.push(...failures);
  return deny(facts, reasons, missing);
}
