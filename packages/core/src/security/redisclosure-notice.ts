/**
 * The 42 CFR 2.32 notice that accompanies a disclosure made with consent, and the disclosure Bundle that carries it.
 * @module
 */
import type { Bundle, BundleEntry, Coding, Consent, Provenance, Reference, Resource } from 'fhir/r4.js';
import { PeerFhirValidationError, type ValidationIssue } from '../errors.js';
import { IsoDateTime } from '../domain/common.js';
import { Purposes } from '../terminology/codes.js';
import { PEER_FHIR_CANONICAL, Systems } from '../terminology/systems.js';
import { isPart2Protected, normalizeSecurityLabels, part2SecurityLabels, withPart2Labels } from './part2-labels.js';

/**
 * The written statements of 42 CFR 2.32(a) as amended by the 2024 final rule (89 FR 12472, Feb. 16, 2024;
 * effective 2024-04-16, compliance 2026-02-16). Each disclosure made with the patient's written consent must carry
 * one of them; `statement2` is the short form. 2.32(b) also asks for a copy of the consent or a clear explanation
 * of its scope: pass the Consent resources to {@link buildDisclosureBundle}.
 *
 * Sources: https://www.ecfr.gov/current/title-42/chapter-I/subchapter-A/part-2/subpart-C/section-2.32 ;
 * https://www.federalregister.gov/documents/2024/02/16/2024-02544/confidentiality-of-substance-use-disorder-sud-patient-records ;
 * https://compliancecosmos.org/notice-and-copy-consent-accompany-disclosure (2024 Statement 1 opening).
 *
 * @example
 * ```ts
 * footer.textContent = PART2_REDISCLOSURE_NOTICE.statement2;
 * ```
 * @category Security labels
 */
export const PART2_REDISCLOSURE_NOTICE = {
  /** 42 CFR 2.32(a)(1), Statement 1. */
  statement1:
    'This record which has been disclosed to you is protected by Federal confidentiality rules (42 CFR part 2). ' +
    'These rules prohibit you from using or disclosing this record, or testimony that describes the information ' +
    'contained in this record, in any civil, criminal, administrative, or legislative proceedings by any Federal, ' +
    'State, or local authority, against the patient, unless authorized by the consent of the patient, except as ' +
    'provided at 42 CFR 2.12(c)(5) or as authorized by a court in accordance with 42 CFR 2.64 or 2.65. In addition, ' +
    'the Federal rules prohibit you from making any other use or disclosure of this record unless at least one of ' +
    'the following applies: (i) Further use or disclosure is expressly permitted by the written consent of the ' +
    'individual whose information is being disclosed in this record or as otherwise permitted by 42 CFR part 2. ' +
    '(ii) You are a covered entity or business associate and have received the record for treatment, payment, or ' +
    'health care operations, or (iii) You have received the record from a covered entity or business associate as ' +
    'permitted by 45 CFR part 164, subparts A and E. A general authorization for the release of medical or other ' +
    'information is NOT sufficient to meet the required elements of written consent to further use or redisclose ' +
    'the record (see 42 CFR 2.31).',
  /** 42 CFR 2.32(a)(2), Statement 2 (the short form). */
  statement2: '42 CFR part 2 prohibits unauthorized use or disclosure of these records.',
  citation: '42 CFR 2.32(a), as amended by 89 FR 12472 (February 16, 2024)',
  url: 'https://www.ecfr.gov/current/title-42/chapter-I/subchapter-A/part-2/subpart-C/section-2.32',
} as const;

/**
 * Extension on the disclosure Provenance holding the 42 CFR 2.32 notice as a string (machine-readable copy of the
 * narrative).
 *
 * @see https://hl7.org/fhir/R4/extensibility.html
 * @example
 * ```ts
 * provenance.extension?.find((e) => e.url === REDISCLOSURE_NOTICE_EXTENSION)?.valueString;
 * ```
 * @category Security labels
 */
export const REDISCLOSURE_NOTICE_EXTENSION = `${PEER_FHIR_CANONICAL}/StructureDefinition/part2-redisclosure-notice`;

/** An organization or practitioner identified by NPI or another identifier. @category Security labels */
export interface PartyIdentity {
  npi?: string;
  identifier?: { system: string; value: string };
  kind?: 'organization' | 'practitioner';
}

/**
 * Options of {@link buildDisclosureBundle}: who discloses to whom, why, under which consents, when, which notice.
 * @see https://hl7.org/fhir/R4/provenance.html
 * @example
 * ```ts
 * const opts: DisclosureBundleOptions = { discloser: { npi: '1234567893' }, recipient: { npi: '1234567802' },
 *   purpose: 'payment', consentIds: ['c-1'], at: '2026-03-01T10:00:00Z' };
 * ```
 * @category Security labels
 */
export interface DisclosureBundleOptions {
  /** Who discloses (the Part 2 program or covered entity). */
  discloser: PartyIdentity;
  /** Who receives. */
  recipient: PartyIdentity;
  /** Why (a key of `Purposes`); becomes `Provenance.reason`. */
  purpose: keyof typeof Purposes;
  /** Ids of the consents that permit the disclosure (from `canDisclose`); become `Provenance.policy` `Consent/{id}`. */
  consentIds: readonly string[];
  /** When, as a timestamp with offset; becomes `Bundle.timestamp` and `Provenance.recorded`. */
  at: string;
  /** Which 2.32(a) statement to attach; default the short `statement2`. */
  notice?: 'statement1' | 'statement2';
  /** FHIR Consent resources to include as entries: the copy of the consent 2.32(b) asks for. */
  consents?: readonly Consent[];
  /** Base URL used to build entry `fullUrl`s (`{base}/{type}/{id}`); omitted when not given. */
  fullUrlBase?: string;
  /** Id of the Provenance entry. */
  provenanceId?: string;
}

const escapeXml = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** A Reference to a party by NPI or identifier (never by name). @internal */
export function partyReference(party: PartyIdentity): Reference {
  const type = party.kind === 'practitioner' ? 'Practitioner' : 'Organization';
  if (party.npi !== undefined) return { type, identifier: { system: Systems.NPI, value: party.npi } };
  if (party.identifier !== undefined) return { type, identifier: { ...party.identifier } };
  return { type };
}

/**
 * Build the `collection` Bundle for one disclosure: the resources (Part 2 ones carrying all four labels, legacy
 * labels normalised, nothing stripped), the copies of the permitting consents, and a Provenance recording the
 * disclosure (target = the resources, agent = discloser and recipient, policy = the consents, reason = the purpose)
 * whose narrative and extension carry the 42 CFR 2.32 notice when any resource is Part 2 protected.
 * `Bundle.meta.security` is the high-water mark of the entries' labels.
 *
 * @param resources - the resources being disclosed
 * @param options - recipient, purpose, consents and the moment of disclosure
 * @returns a `collection` Bundle with the 42 CFR 2.32 notice when any resource is Part 2
 * @see https://hl7.org/fhir/R4/provenance.html
 * @see https://www.ecfr.gov/current/title-42/chapter-I/subchapter-A/part-2/subpart-C/section-2.32
 * @example
 * ```ts
 * const decision = canDisclose({ resource: encounter, recipient, purpose: 'payment', at, consents });
 * if (decision.decision === 'permit') {
 *   const bundle = buildDisclosureBundle([encounter], {
 *     discloser: { npi: '1234567893' }, recipient, purpose: 'payment', consentIds: decision.consentIds, at,
 *   });
 * }
 * ```
 * @category Security labels
 */
export function buildDisclosureBundle(resources: readonly Resource[], options: DisclosureBundleOptions): Bundle {
  const issues: ValidationIssue[] = [];
  if (!IsoDateTime.safeParse(options.at).success) {
    issues.push({ path: 'at', code: 'invalid_format', message: 'must be a timestamp YYYY-MM-DDThh:mm:ss with Z or an offset' });
  }
  if (resources.length === 0) issues.push({ path: 'resources', code: 'too_small', message: 'needs at least 1 item(s)' });
  resources.forEach((r, i) => {
    if (r.id === undefined || r.id === '') issues.push({ path: `resources[${i}].id`, code: 'invalid_type', message: 'required' });
  });
  if (issues.length > 0) throw new PeerFhirValidationError('DisclosureBundle', issues);

  const part2 = resources.some((r) => isPart2Protected(r));
  const disclosed = resources.map((r) => {
    if (isPart2Protected(r)) return withPart2Labels(r);
    if (r.meta?.security === undefined) return r;
    return { ...r, meta: { ...r.meta, security: normalizeSecurityLabels(r.meta.security) } };
  });
  const consents = options.consents ?? [];
  const highWater: Coding[] = normalizeSecurityLabels([
    ...(part2 ? part2SecurityLabels() : []),
    ...disclosed.flatMap((r) => r.meta?.security ?? []),
  ]);

  const purpose = Purposes[options.purpose];
  const noticeText = PART2_REDISCLOSURE_NOTICE[options.notice ?? 'statement2'];
  const provenance: Provenance = {
    resourceType: 'Provenance',
    ...(options.provenanceId === undefined ? {} : { id: options.provenanceId }),
    ...(highWater.length > 0 ? { meta: { security: highWater.map((c) => ({ ...c })) } } : {}),
    ...(part2
      ? {
          text: {
            status: 'generated',
            div:
              '<div xmlns="http://www.w3.org/1999/xhtml">' +
              `<p>${escapeXml(noticeText)}</p><p>${escapeXml(PART2_REDISCLOSURE_NOTICE.citation)}</p></div>`,
          },
          extension: [{ url: REDISCLOSURE_NOTICE_EXTENSION, valueString: noticeText }],
        }
      : {}),
    target: disclosed.map((r) => ({ reference: `${r.resourceType}/${r.id ?? ''}` })),
    recorded: options.at,
    ...(options.consentIds.length > 0 ? { policy: options.consentIds.map((id) => `Consent/${id}`) } : {}),
    reason: [{ coding: [{ system: Systems.V3_ACT_REASON, code: purpose.code, display: purpose.display }] }],
    activity: { coding: [{ system: Systems.CONSENT_ACTION, code: 'disclose', display: 'Disclose' }] },
    agent: [
      {
        type: { coding: [{ system: Systems.PROVENANCE_PARTICIPANT_TYPE, code: 'performer', display: 'Performer' }] },
        who: partyReference({ ...options.discloser, kind: options.discloser.kind ?? 'organization' }),
      },
      {
        // v3 ParticipationType IRCP: the provenance-agent-type binding is extensible and has no recipient code.
        type: { coding: [{ system: Systems.V3_PARTICIPATION_TYPE, code: 'IRCP', display: 'information recipient' }] },
        who: partyReference(options.recipient),
      },
    ],
  };

  const entry = (resource: Resource): BundleEntry => ({
    ...(options.fullUrlBase !== undefined && resource.id !== undefined
      ? { fullUrl: `${options.fullUrlBase.replace(/\/+$/, '')}/${resource.resourceType}/${resource.id}` }
      : {}),
    resource,
  });

  return {
    resourceType: 'Bundle',
    ...(highWater.length > 0 ? { meta: { security: highWater } } : {}),
    type: 'collection',
    timestamp: options.at,
    entry: [...disclosed, ...consents, provenance].map(entry),
  };
}
