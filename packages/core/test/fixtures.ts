// Small factories of synthetic domain records (no real person's data).
import type { ConsentDirective, Organization, Participant, PeerEncounter, PeerSpecialist, RecoveryPlan } from '../src/index.js';

export const AGENCY_NPI = '1234567893';
export const PEER_NPI = '1245319599';
export const SUPERVISOR_NPI = '1003000126';
export const CLINICIAN_NPI = '1215908876';

export function organization(over: Partial<Organization> = {}): Organization {
  return {
    name: 'Harbor Peer Agency',
    npi: AGENCY_NPI,
    taxId: '123456789',
    taxonomy: '251S00000X',
    address: { line: ['100 Main St'], city: 'Raleigh', state: 'NC', postalCode: '27601' },
    ...over,
  };
}

export function specialist(over: Partial<PeerSpecialist> = {}): PeerSpecialist {
  return {
    npi: PEER_NPI,
    name: { family: 'Rivera', given: ['Sam'] },
    credentials: [
      { kind: 'CPSS', state: 'NC', number: 'NC-55501', issuer: 'NC Certified Peer Support Specialist Program', issued: '2023-02-01', expires: '2026-01-31', endorsements: ['MH', 'SUD'] },
    ],
    supervisor: { npi: SUPERVISOR_NPI, name: { family: 'Okafor', given: ['Ada'] }, title: 'LCSW' },
    organizationNpi: AGENCY_NPI,
    ...over,
  };
}

export function participant(id = 'p-1', over: Partial<Participant> = {}): Participant {
  return {
    id,
    mrn: `MRN-${id}`,
    medicaidId: `SYN${id.replace(/\D/g, '').padStart(8, '0')}`,
    name: { family: 'Testperson', given: ['Jordan', 'Q'] },
    birthDate: '1988-03-14',
    gender: 'female',
    address: { line: ['9 Elm St', 'Apt 2'], city: 'Durham', state: 'NC', postalCode: '27701-1234' },
    coverages: [{ payerId: 'NCMCD', payerName: 'NC Medicaid', planName: 'Tailored Plan', memberId: `SYN${id.replace(/\D/g, '').padStart(8, '0')}`, period: { start: '2024-07-01' } }],
    ...over,
  };
}

export function individualEncounter(over: Partial<PeerEncounter> = {}): PeerEncounter {
  return {
    id: 'enc-1',
    mode: 'individual',
    attendees: [{ participantId: 'p-1', diagnoses: ['F11.20', 'F41.1'], goalIds: ['g-1'], note: 'Talked about housing <options> & next steps; café visit.' }],
    status: 'finished',
    specialistNpi: PEER_NPI,
    supervisorNpi: SUPERVISOR_NPI,
    organizationNpi: AGENCY_NPI,
    start: '2025-01-14T10:00:00-05:00',
    end: '2025-01-14T10:52:00-05:00',
    modality: 'in-person',
    setting: 'community',
    program: 'substance-use',
    supportTypes: ['emotional', 'informational'],
    activities: ['goal-setting', 'resource-linkage'],
    placeOfService: '99',
    serviceCode: 'H0038',
    part2: true,
    ...over,
  };
}

export function groupEncounter(over: Partial<PeerEncounter> = {}): PeerEncounter {
  return {
    id: 'enc-g1',
    mode: 'group',
    groupId: 'grp-1',
    attendees: ['p-1', 'p-2', 'p-3'].map((participantId, i) => ({ participantId, diagnoses: [i === 2 ? 'F33.1' : 'F10.20'], goalIds: [] })),
    status: 'finished',
    specialistNpi: PEER_NPI,
    organizationNpi: AGENCY_NPI,
    start: '2025-02-03T13:00:00-05:00',
    end: '2025-02-03T14:30:00-05:00',
    modality: 'video',
    setting: 'peer-run-center',
    program: 'co-occurring',
    supportTypes: ['affiliational'],
    activities: ['self-disclosure'],
    placeOfService: '02',
    serviceCode: 'H0038',
    part2: false,
    ...over,
  };
}

export function recoveryPlan(over: Partial<RecoveryPlan> = {}): RecoveryPlan {
  return {
    id: 'plan-1',
    participantId: 'p-1',
    peerNpi: PEER_NPI,
    clinician: { npi: CLINICIAN_NPI, name: { family: 'Chen', given: ['Lee'] }, title: 'LPC' },
    period: { start: '2025-01-02', end: '2025-12-31' },
    status: 'active',
    goals: [
      { id: 'g-1', text: 'I want my own apartment by summer', domain: 'housing', targetDate: '2025-06-30', status: 'active', achievement: 'in-progress', progressNotes: [{ date: '2025-01-14', text: 'Applied to two places', authorNpi: PEER_NPI }] },
      { id: 'g-2', text: 'Go to a meeting every week', domain: 'recovery', status: 'active', progressNotes: [] },
    ],
    strengths: ['Good cook', 'Close to my sister'],
    crisisPlan: 'Call my sister, then the warm line.',
    reviewDue: '2025-07-02',
    signatures: [
      { role: 'participant', signedAt: '2025-01-02T11:00:00-05:00' },
      { role: 'peer', signedAt: '2025-01-02T11:05:00-05:00' },
      { role: 'clinician', signedAt: '2025-01-03T09:30:00-05:00' },
    ],
    ...over,
  };
}

export function part2Consent(over: Partial<ConsentDirective> = {}): ConsentDirective {
  return {
    id: 'consent-1',
    participantId: 'p-1',
    kind: 'part2-specific',
    status: 'active',
    recipients: [{ kind: 'organization', name: 'Example Health Plan', npi: '1104000124', identifier: { system: 'urn:example:plans', value: 'EHP' } }],
    purposes: ['treatment', 'payment'],
    dataScope: { resourceTypes: ['Encounter', 'Condition'], sensitivities: ['SUD'] },
    period: { start: '2025-01-02', end: '2026-01-01' },
    signedDate: '2025-01-02',
    disclosingOrganizationNpi: AGENCY_NPI,
    ...over,
  };
}

export function allRecords() {
  return {
    organizations: [organization()],
    specialists: [specialist()],
    participants: [participant('p-1'), participant('p-2', { mrn: undefined, address: undefined, gender: 'male' }), participant('p-3', { coverages: [] })],
    encounters: [individualEncounter(), groupEncounter()],
    plans: [recoveryPlan()],
    consents: [part2Consent(), part2Consent({ id: 'consent-2', kind: 'part2-tpo', recipients: [], purposes: ['treatment', 'payment', 'operations'], dataScope: { resourceTypes: [], sensitivities: [] }, period: { start: '2025-01-02' } })],
  };
}
