import type { ContactPoint, Extension, HumanName, Practitioner, PractitionerQualification, PractitionerRole, Reference } from 'fhir/r4.js';
import type { PersonName } from '../domain/common.js';
import type { Clinician, Credential, PeerSpecialist } from '../domain/specialist.js';
import { Endorsements, PEER_SPECIALIST_TAXONOMY } from '../terminology/codes.js';
import { Extensions, Profiles, Systems } from '../terminology/systems.js';
import { logicalRef, npiIdentifier, type EntryKey, type TransactionBuilder } from './internal/builder.js';
import { codeable, coding, keyIdentifier } from './internal/fresh.js';
import { identifierValue, type ResourceIndex } from './internal/resolver.js';
import { organizationKey } from './organization.js';

export function nameToFhir(n: PersonName): HumanName {
  return {
    use: 'official',
    family: n.family,
    given: n.given,
    ...(n.prefix ? { prefix: n.prefix } : {}),
    ...(n.suffix ? { suffix: n.suffix } : {}),
  };
}

export function nameFromFhir(names: HumanName[] | undefined): unknown {
  const n = names?.find((x) => x.use === 'official') ?? names?.[0];
  if (!n) return undefined;
  return {
    family: n.family,
    given: n.given ?? [],
    ...(n.prefix ? { prefix: n.prefix } : {}),
    ...(n.suffix ? { suffix: n.suffix } : {}),
  };
}

export function practitionerKey(npi: string): EntryKey {
  return { resourceType: 'Practitioner', search: 'identifier', system: Systems.NPI, value: npi };
}

export function practitionerRoleKey(b: TransactionBuilder, npi: string, organizationNpi: string): EntryKey {
  return { resourceType: 'PractitionerRole', search: 'identifier', system: b.ids.practitionerRole, value: `${npi}:${organizationNpi}` };
}

function qualificationToFhir(b: TransactionBuilder, c: Credential): PractitionerQualification {
  const extension: Extension[] = [{ url: Extensions.CredentialState, valueCode: c.state }];
  for (const e of c.endorsements) {
    extension.push({ url: Extensions.CredentialEndorsement, valueCoding: coding(Systems.PEER_ENDORSEMENT, e, Endorsements[e]) });
  }
  return {
    extension,
    identifier: [{ system: b.ids.credential, value: c.number }],
    code: { coding: [coding(Systems.PEER_CREDENTIAL, c.kind)], text: c.kind },
    period: { start: c.issued, ...(c.expires ? { end: c.expires } : {}) },
    issuer: { display: c.issuer },
  };
}

/**
 * A Practitioner is shared by the agencies a peer works for (keyed by NPI), and its credentials are written once, by
 * the first agency, under that agency's credential system. Any agency of the same namespace reads them: the number is
 * the state's, not the agency's. Own system first, then the same system of another agency (another NPI in its place).
 */
function credentialNumber(system: string, q: PractitionerQualification): string | undefined {
  const own = q.identifier?.find((i) => i.system === system)?.value;
  if (own !== undefined) return own;
  const agency = /\d{10}/.exec(system);
  if (!agency) return undefined;
  const [before, after] = [system.slice(0, agency.index), system.slice(agency.index + 10)];
  return q.identifier?.find((i) => i.system?.length === system.length && i.system.startsWith(before) && i.system.endsWith(after) && /^\d{10}$/.test(i.system.slice(before.length, before.length + 10)))?.value;
}

function qualificationFromFhir(b: { credential: string }, q: PractitionerQualification): unknown {
  return {
    kind: q.code.coding?.find((c) => c.system === Systems.PEER_CREDENTIAL)?.code ?? q.code.text,
    state: q.extension?.find((e) => e.url === Extensions.CredentialState)?.valueCode,
    number: credentialNumber(b.credential, q),
    issuer: q.issuer?.display,
    issued: q.period?.start,
    ...(q.period?.end ? { expires: q.period.end } : {}),
    endorsements: (q.extension ?? []).filter((e) => e.url === Extensions.CredentialEndorsement).map((e) => e.valueCoding?.code),
  };
}

/** Practitioner (US Core) for a clinician: NPI, name, licence title as a qualification. */
export function clinicianToFhir(c: Clinician): Practitioner {
  return {
    resourceType: 'Practitioner',
    meta: { profile: [Profiles.Practitioner] },
    identifier: [npiIdentifier(c.npi)],
    active: true,
    name: [nameToFhir(c.name)],
    ...(c.title ? { qualification: [{ code: { text: c.title } }] } : {}),
  };
}

export function clinicianFromFhir(p: Practitioner): unknown {
  const title = p.qualification?.find((q) => !q.code.coding?.length)?.code.text;
  return { npi: identifierValue(p, Systems.NPI), name: nameFromFhir(p.name), ...(title ? { title } : {}) };
}

export function addClinician(b: TransactionBuilder, c: Clinician): Reference {
  return b.add(practitionerKey(c.npi), clinicianToFhir(c));
}

/**
 * A peer specialist: Practitioner (credentials in `qualification`) and PractitionerRole (NUCC 175T00000X at the
 * agency), plus the supervising clinician's Practitioner when known. Returns the PractitionerRole reference.
 */
export function addSpecialist(b: TransactionBuilder, s: PeerSpecialist): Reference {
  const practitioner: Practitioner = {
    resourceType: 'Practitioner',
    meta: { profile: [Profiles.Practitioner] },
    identifier: [npiIdentifier(s.npi)],
    active: true,
    name: [nameToFhir(s.name)],
    ...(s.phone && s.email ? { telecom: [{ system: 'email' as const, value: s.email, use: 'work' as const }] } : {}),
    ...(s.credentials.length ? { qualification: s.credentials.map((c) => qualificationToFhir(b, c)) } : {}),
  };
  const practitionerRef = b.add(practitionerKey(s.npi), practitioner);
  const supervisorRef = s.supervisor ? addClinician(b, s.supervisor) : undefined;
  const orgKey = organizationKey(s.organizationNpi);
  const organizationRef = b.refIfPresent(orgKey) ?? logicalRef('Organization', Systems.NPI, s.organizationNpi);
  const roleKey = practitionerRoleKey(b, s.npi, s.organizationNpi);
  // One ContactPoint on the role: US Core pd-1 is published as `telecom or endpoint`, and FHIRPath's `or` on a
  // collection of two is an evaluation error, so a role with both a phone and an e-mail fails it in a conformant
  // engine. The phone goes on the role and the e-mail on the Practitioner then (both must-support in US Core).
  const telecom: ContactPoint[] = s.phone ? [{ system: 'phone', value: s.phone, use: 'work' }] : s.email ? [{ system: 'email', value: s.email, use: 'work' }] : [];
  const taxonomy = () => [codeable(coding(Systems.NUCC, PEER_SPECIALIST_TAXONOMY.code, PEER_SPECIALIST_TAXONOMY.display))];
  const role: PractitionerRole = {
    resourceType: 'PractitionerRole',
    // US Core PractitionerRole pd-1: contact information or an Endpoint. Without either, claim only what holds.
    meta: { profile: [telecom.length ? Profiles.PractitionerRole : Profiles.PeerPractitionerRole] },
    ...(supervisorRef ? { extension: [{ url: Extensions.Supervisor, valueReference: supervisorRef }] } : {}),
    identifier: [keyIdentifier(roleKey)],
    active: true,
    practitioner: practitionerRef,
    organization: organizationRef,
    // NUCC 175T00000X is both the role (US Core care-team provider roles) and the specialty (searchable by `specialty`).
    code: taxonomy(),
    specialty: taxonomy(),
    ...(telecom.length ? { telecom } : {}),
  };
  return b.add(roleKey, role);
}

/** Read a PractitionerRole (and its Practitioner and supervisor) back into a PeerSpecialist-shaped object. */
export function specialistFromFhir(index: ResourceIndex, ids: { credential: string }, role: PractitionerRole): unknown {
  const practitioner = index.resolve(role.practitioner, 'Practitioner');
  const supervisorRef = role.extension?.find((e) => e.url === Extensions.Supervisor)?.valueReference;
  const supervisor = index.resolve(supervisorRef, 'Practitioner');
  const org = index.resolve(role.organization, 'Organization');
  const phone = role.telecom?.find((t) => t.system === 'phone')?.value;
  const email = [...(role.telecom ?? []), ...(practitioner?.telecom ?? [])].find((t) => t.system === 'email')?.value;
  return {
    npi: practitioner ? identifierValue(practitioner, Systems.NPI) : undefined,
    name: nameFromFhir(practitioner?.name),
    credentials: (practitioner?.qualification ?? []).filter((q) => q.code.coding?.length).map((q) => qualificationFromFhir(ids, q)),
    ...(supervisor ? { supervisor: clinicianFromFhir(supervisor) } : {}),
    organizationNpi: org ? identifierValue(org, Systems.NPI) : role.organization?.identifier?.value,
    ...(phone ? { phone } : {}),
    ...(email ? { email } : {}),
  };
}
