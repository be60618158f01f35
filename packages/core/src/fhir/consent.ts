import type { Consent, Organization as FhirOrganization, Practitioner, Reference } from 'fhir/r4.js';
import type { ConsentDirective, ConsentRecipient } from '../domain/consent.js';
import { ConsentKinds, Purposes } from '../terminology/codes.js';
import type { IdentifierSystems } from '../terminology/identifiers.js';
import { Extensions, Profiles, Systems } from '../terminology/systems.js';
import { logicalRef, npiIdentifier, type EntryKey, type TransactionBuilder } from './internal/builder.js';
import { codeable, coding, keyIdentifier } from './internal/fresh.js';
import { identifierValue, identifiersOf, refIdentifier, type ResourceIndex } from './internal/resolver.js';
import { organizationKey } from './organization.js';
import { patientKey } from './patient.js';
import { nameFromFhir, nameToFhir, practitionerKey } from './practitioner.js';

/** The regulations a consent kind rests on (policy.uri). */
export const ConsentPolicies = {
  part2: 'https://www.ecfr.gov/current/title-42/chapter-I/subchapter-A/part-2',
  hipaaAuthorization: 'https://www.ecfr.gov/current/title-45/subtitle-A/subchapter-C/part-164/subpart-E/section-164.508',
} as const;

function recipientKey(b: TransactionBuilder, r: ConsentRecipient): EntryKey {
  const resourceType = r.kind === 'organization' ? 'Organization' : 'Practitioner';
  if (r.npi) return r.kind === 'organization' ? organizationKey(r.npi) : practitionerKey(r.npi);
  return { resourceType, search: 'identifier', system: r.identifier!.system, value: r.identifier!.value };
}

function addRecipient(b: TransactionBuilder, r: ConsentRecipient): Reference {
  const key = recipientKey(b, r);
  if (b.has(key)) return b.ref(key);
  const identifier = [r.npi ? npiIdentifier(r.npi) : keyIdentifier(key)];
  if (r.npi && r.identifier) identifier.push({ system: r.identifier.system, value: r.identifier.value });
  const resource: FhirOrganization | Practitioner =
    r.kind === 'organization'
      ? { resourceType: 'Organization', meta: { profile: [Profiles.Organization] }, identifier, active: true, name: r.name }
      : r.personName
        ? { resourceType: 'Practitioner', meta: { profile: [Profiles.Practitioner] }, identifier, active: true, name: [{ ...nameToFhir(r.personName), text: r.name }] }
        : // US Core Practitioner needs name.family, which a free-text name does not give: claim only what holds.
          { resourceType: 'Practitioner', meta: { profile: [Profiles.PeerRecipientPractitioner] }, identifier, active: true, name: [{ text: r.name }] };
  return b.add(key, resource);
}

/** Adds a Consent (scope patient-privacy) with a permit provision for recipients, purposes, period and data scope. */
export function addConsent(b: TransactionBuilder, c: ConsentDirective, idx: number): void {
  const pKey = patientKey(b.ids, c.participantId);
  if (!b.has(pKey)) {
    b.problem(`consents[${idx}].participantId`, 'missing_reference', 'the participant is not in the input');
    return;
  }
  const patient = b.ref(pKey);
  const orgKey = organizationKey(c.disclosingOrganizationNpi);
  const key: EntryKey = { resourceType: 'Consent', search: 'identifier', system: b.ids.consent, value: c.id };
  const part2 = c.kind !== 'hipaa-authorization';
  const consent: Consent = {
    resourceType: 'Consent',
    meta: { profile: [Profiles.PeerConsent] },
    ...(c.revokedAt ? { extension: [{ url: Extensions.ConsentRevoked, valueDateTime: c.revokedAt }] } : {}),
    identifier: [keyIdentifier(key)],
    status: c.status,
    scope: codeable(coding(Systems.CONSENT_SCOPE, 'patient-privacy', 'Privacy Consent')),
    category: [
      codeable(coding(Systems.LOINC, '59284-0', 'Patient Consent')),
      codeable(coding(Systems.PEER_CONSENT_KIND, c.kind, ConsentKinds[c.kind])),
    ],
    patient,
    dateTime: c.signedDate,
    performer: [patient],
    organization: [b.refIfPresent(orgKey) ?? logicalRef('Organization', Systems.NPI, c.disclosingOrganizationNpi)],
    policy: [{ uri: part2 ? ConsentPolicies.part2 : ConsentPolicies.hipaaAuthorization }],
    policyRule: codeable(coding(Systems.V3_ACT_CODE, 'OPTIN', 'opt-in')),
    provision: {
      type: 'permit',
      period: { ...c.period },
      ...(c.recipients.length
        ? {
            actor: c.recipients.map((r) => ({
              role: codeable(coding(Systems.V3_PARTICIPATION_TYPE, 'IRCP', 'information recipient')),
              reference: addRecipient(b, r),
            })),
          }
        : {}),
      action: [codeable(coding(Systems.CONSENT_ACTION, 'disclose', 'Disclose'))],
      purpose: c.purposes.map((p) => coding(Systems.V3_ACT_REASON, Purposes[p].code, Purposes[p].display)),
      ...(c.dataScope.sensitivities.length ? { securityLabel: c.dataScope.sensitivities.map((s) => coding(Systems.V3_ACT_CODE, s)) } : {}),
      ...(c.dataScope.resourceTypes.length ? { class: c.dataScope.resourceTypes.map((t) => coding('http://hl7.org/fhir/resource-types', t)) } : {}),
    },
  };
  b.add(key, consent);
}

function recipientFromFhir(index: ResourceIndex, ref: Reference | undefined): unknown {
  const org = index.resolve(ref, 'Organization');
  const prac = org ? undefined : index.resolve(ref, 'Practitioner');
  const target = org ?? prac;
  if (!target) return undefined;
  const npi = identifierValue(target, Systems.NPI);
  // A recipient that is also the agency (same NPI, one Organization) carries the agency's tax id: not the recipient's.
  const other = identifiersOf(target).find((i) => i.system !== Systems.NPI && i.system !== Systems.EIN);
  return {
    kind: org ? 'organization' : 'practitioner',
    name: org ? org.name : prac?.name?.[0]?.text,
    ...(prac?.name?.[0]?.family ? { personName: nameFromFhir(prac.name) } : {}),
    ...(npi ? { npi } : {}),
    ...(other?.system && other.value ? { identifier: { system: other.system, value: other.value } } : {}),
  };
}

/** Read a Consent back into a ConsentDirective-shaped object. */
export function consentFromFhir(index: ResourceIndex, ids: IdentifierSystems, c: Consent): unknown {
  const byCode = Object.fromEntries(Object.entries(Purposes).map(([k, v]) => [v.code, k]));
  const revokedAt = c.extension?.find((e) => e.url === Extensions.ConsentRevoked)?.valueDateTime;
  const p = c.provision;
  return {
    id: identifierValue(c, ids.consent),
    participantId: refIdentifier(index, c.patient, ids.participant),
    kind: c.category.flatMap((x) => x.coding ?? []).find((x) => x.system === Systems.PEER_CONSENT_KIND)?.code,
    status: c.status,
    recipients: (p?.actor ?? []).map((a) => recipientFromFhir(index, a.reference)),
    purposes: (p?.purpose ?? []).map((x) => byCode[x.code ?? '']),
    dataScope: {
      resourceTypes: (p?.class ?? []).map((x) => x.code),
      sensitivities: (p?.securityLabel ?? []).map((x) => x.code),
    },
    period: { start: p?.period?.start, ...(p?.period?.end ? { end: p.period.end } : {}) },
    signedDate: c.dateTime,
    ...(revokedAt ? { revokedAt } : {}),
    disclosingOrganizationNpi: refIdentifier(index, c.organization?.[0], Systems.NPI),
  };
}
