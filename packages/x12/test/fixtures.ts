/** Synthetic fixtures only: NPIs with valid check digits, made-up names, member ids and addresses. */
import type { Bundle, Claim, ClaimItem, Coverage, Organization, Patient, Practitioner, PractitionerRole } from 'fhir/r4.js';

import { CLAIM_FREQUENCY_EXTENSION, PAYER_ID_SYSTEM, type X12ClaimInput, type Write837POptions } from '../src/index.js';

export const HCPCS = 'https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets';
export const POS = 'https://www.cms.gov/Medicare/Coding/place-of-service-codes/Place_of_Service_Code_Set';
export const ICD = 'http://hl7.org/fhir/sid/icd-10-cm';
export const NPI = 'http://hl7.org/fhir/sid/us-npi';
export const NUCC = 'http://nucc.org/provider-taxonomy';

export const AGENCY_NPI = '1234567893';
export const PEER_NPI = '1245319599';
export const SUPERVISOR_NPI = '1679576722';

/** Values that are PHI in real life; tests assert they never appear in error messages. */
export const PHI = { family: 'QUIXOTEFAMILY', given: 'ZEBULONGIVEN', memberId: 'MBR98765XYZ', birthDate: '1980-01-02' };

export function agency(over: Partial<Organization> = {}): Organization {
  return {
    resourceType: 'Organization',
    id: 'agency',
    identifier: [
      { system: NPI, value: AGENCY_NPI },
      { system: 'http://hl7.org/fhir/sid/us-ein', value: '12-3456789' },
    ],
    type: [{ coding: [{ system: NUCC, code: '251S00000X', display: 'Community/Behavioral Health' }] }],
    name: 'Example Peer Agency',
    address: [{ line: ['100 Main St'], city: 'Atlanta', state: 'GA', postalCode: '30303-0000' }],
    ...over,
  };
}

export function payer(over: Partial<Organization> = {}): Organization {
  return {
    resourceType: 'Organization',
    id: 'medicaid',
    identifier: [{ system: PAYER_ID_SYSTEM, value: 'GAMCD' }],
    name: 'State Medicaid',
    ...over,
  };
}

export function patient(over: Partial<Patient> = {}): Patient {
  return {
    resourceType: 'Patient',
    id: 'pat1',
    name: [{ family: PHI.family, given: [PHI.given] }],
    gender: 'female',
    birthDate: PHI.birthDate,
    address: [{ line: ['1 Elm St'], city: 'Atlanta', state: 'GA', postalCode: '30303' }],
    ...over,
  };
}

export function coverage(over: Partial<Coverage> = {}): Coverage {
  return {
    resourceType: 'Coverage',
    id: 'cov1',
    status: 'active',
    subscriberId: PHI.memberId,
    beneficiary: { reference: 'Patient/pat1' },
    relationship: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/subscriber-relationship', code: 'self' }] },
    payor: [{ reference: 'Organization/medicaid' }],
    ...over,
  };
}

export function peer(over: Partial<Practitioner> = {}): Practitioner {
  return { resourceType: 'Practitioner', id: 'peer1', identifier: [{ system: NPI, value: PEER_NPI }], name: [{ family: 'Smith', given: ['Alex'] }], ...over };
}

export function supervisor(over: Partial<Practitioner> = {}): Practitioner {
  return { resourceType: 'Practitioner', id: 'sup1', identifier: [{ system: NPI, value: SUPERVISOR_NPI }], name: [{ family: 'Jones', given: ['Robin'] }], ...over };
}

export function peerRole(over: Partial<PractitionerRole> = {}): PractitionerRole {
  return {
    resourceType: 'PractitionerRole',
    id: 'peerrole1',
    practitioner: { reference: 'Practitioner/peer1' },
    organization: { reference: 'Organization/agency' },
    specialty: [{ coding: [{ system: NUCC, code: '175T00000X', display: 'Peer Specialist' }] }],
    ...over,
  };
}

export interface LineSpec {
  code?: string;
  modifiers?: string[];
  units?: number;
  charge?: number;
  date?: string;
  pos?: string;
  dx?: number[];
}

export function item(seq: number, s: LineSpec = {}): ClaimItem {
  return {
    sequence: seq,
    careTeamSequence: [1],
    diagnosisSequence: s.dx ?? [1],
    productOrService: { coding: [{ system: HCPCS, code: s.code ?? 'H0038' }] },
    ...(s.modifiers ? { modifier: s.modifiers.map((m) => ({ coding: [{ system: HCPCS, code: m }] })) } : {}),
    servicedDate: s.date ?? '2025-01-14',
    locationCodeableConcept: { coding: [{ system: POS, code: s.pos ?? '53' }] },
    quantity: { value: s.units ?? 4 },
    unitPrice: { value: (s.charge ?? 60) / (s.units ?? 4), currency: 'USD' },
    net: { value: s.charge ?? 60, currency: 'USD' },
  };
}

export interface ClaimSpec {
  pcn?: string;
  lines?: LineSpec[];
  dx?: string[];
  part2?: boolean;
  priorAuth?: string;
  supervisor?: boolean;
  replaces?: { icn: string; frequency?: '7' | '8' };
}

export function claim(s: ClaimSpec = {}): Claim {
  const lines = s.lines ?? [{ modifiers: ['HF'] }];
  const items = lines.map((l, i) => item(i + 1, l));
  const total = items.reduce((t, i) => t + (i.net?.value ?? 0), 0);
  return {
    resourceType: 'Claim',
    id: `claim-${s.pcn ?? 'PCN0001'}`,
    ...(s.part2
      ? {
          meta: {
            security: [
              { system: 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality', code: 'R' },
              { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: '42CFRPart2' },
            ],
          },
        }
      : {}),
    ...(s.replaces?.frequency
      ? { extension: [{ url: CLAIM_FREQUENCY_EXTENSION, valueCode: s.replaces.frequency }] }
      : {}),
    identifier: [{ system: 'https://example.org/pcn', value: s.pcn ?? 'PCN0001' }],
    status: 'active',
    type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/claim-type', code: 'professional' }] },
    use: 'claim',
    patient: { reference: 'Patient/pat1' },
    created: '2025-01-15',
    insurer: { reference: 'Organization/medicaid' },
    provider: { reference: 'Organization/agency' },
    priority: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/processpriority', code: 'normal' }] },
    ...(s.replaces
      ? {
          related: [
            {
              relationship: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/ex-relatedclaimrelationship', code: 'prior' }] },
              reference: { value: s.replaces.icn },
            },
          ],
        }
      : {}),
    careTeam: [
      {
        sequence: 1,
        provider: { reference: 'PractitionerRole/peerrole1' },
        role: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/claimcareteamrole', code: 'primary' }] },
        qualification: { coding: [{ system: NUCC, code: '175T00000X' }] },
      },
      ...(s.supervisor
        ? [
            {
              sequence: 2,
              provider: { reference: 'Practitioner/sup1' },
              role: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/claimcareteamrole', code: 'supervisor' }] },
            },
          ]
        : []),
    ],
    diagnosis: (s.dx ?? ['F11.20']).map((code, i) => ({
      sequence: i + 1,
      diagnosisCodeableConcept: { coding: [{ system: ICD, code }] },
    })),
    insurance: [{ sequence: 1, focal: true, coverage: { reference: 'Coverage/cov1' }, ...(s.priorAuth ? { preAuthRef: [s.priorAuth] } : {}) }],
    item: items,
    total: { value: total, currency: 'USD' },
  };
}

export function input(s: ClaimSpec = {}, over: Partial<X12ClaimInput> = {}): X12ClaimInput {
  return {
    claim: claim(s),
    billingProvider: agency(),
    subscriber: patient(),
    coverage: coverage(),
    payer: payer(),
    rendering: { practitioner: peer(), practitionerRole: peerRole() },
    ...(s.supervisor ? { supervising: supervisor() } : {}),
    ...over,
  };
}

export function bundleFor(c: Claim, extra: { supervisor?: boolean } = {}): Bundle {
  const resources = [agency(), payer(), patient(), coverage(), peer(), peerRole(), ...(extra.supervisor ? [supervisor()] : [])];
  return {
    resourceType: 'Bundle',
    type: 'collection',
    entry: [c, ...resources].map((r) => ({ fullUrl: `https://fhir.example.org/${r.resourceType}/${r.id}`, resource: r })),
  };
}

export function options(over: Partial<Write837POptions> = {}): Write837POptions {
  return {
    sender: { id: 'SUBMITTER01' },
    receiver: { id: 'GAMCD', name: 'State Medicaid' },
    submitter: { name: 'Example Peer Agency', contact: { name: 'Billing Office', phone: '555-555-0100' } },
    controlNumbers: { isa: 905, gs: 17, st: 1 },
    usage: 'T',
    date: new Date('2025-01-15T12:00:00Z'),
    ...over,
  };
}

export { parseX12Independently as parseIndependently } from '../../../test/support/x12-parser.js';
