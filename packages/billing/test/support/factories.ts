/** Small factories for billing tests. All data is synthetic. */
import {
  ConsentDirective,
  isValidNpi,
  Participant,
  PeerEncounter,
  PeerSpecialist,
  RecoveryPlan,
} from '@peer-fhir/core';
import type { BillingContext, RulePack } from '../../src/index.js';

export function npi(nine: string): string {
  for (let d = 0; d <= 9; d++) if (isValidNpi(`${nine}${d}`)) return `${nine}${d}`;
  throw new Error('unreachable');
}

export const ORG_NPI = '1234567893';
export const PEER_NPI = '1245319599';
export const SUPERVISOR_NPI = npi('123456780');
export const PAYER_ID = 'MCD01';

export function participant(over: Partial<Participant> & { id?: string } = {}): Participant {
  return Participant.parse({
    id: 'p-1',
    name: { family: 'Doe', given: ['Jo'] },
    birthDate: '1980-04-02',
    gender: 'female',
    medicaidId: 'M123',
    coverages: [{ payerId: PAYER_ID, payerName: 'State Medicaid Plan', memberId: 'M123', period: { start: '2019-01-01' } }],
    address: { line: ['1 Elm St'], city: 'Raleigh', state: 'NC', postalCode: '27601' },
    ...over,
  });
}

export function specialist(over: Record<string, unknown> = {}): PeerSpecialist {
  return PeerSpecialist.parse({
    npi: PEER_NPI,
    name: { family: 'Rivera', given: ['Sam'] },
    organizationNpi: ORG_NPI,
    supervisor: { npi: SUPERVISOR_NPI, name: { family: 'Lee', given: ['Kim'] }, title: 'LCSW' },
    credentials: [
      { kind: 'CPSS', state: 'NC', number: 'NC-1', issuer: 'NC Peer Support Specialist Program', issued: '2018-01-01', endorsements: ['MH', 'SUD'] },
      { kind: 'MHPS', state: 'TX', number: 'TX-1', issuer: 'Texas certification entity', issued: '2018-01-01', endorsements: ['MH', 'SUD'] },
      { kind: 'CPS', state: 'GA', number: 'GA-1', issuer: 'GA CPS Project', issued: '2018-01-01', endorsements: ['MH'] },
      { kind: 'CPS', state: 'PA', number: 'PA-1', issuer: 'PA CPS vendor', issued: '2018-01-01', endorsements: ['MH'] },
    ],
    ...over,
  });
}

let seq = 0;
export function encounter(over: Record<string, unknown> = {}): PeerEncounter {
  const date = (over.date as string | undefined) ?? '2025-01-14';
  const minutes = (over.minutes as number | undefined) ?? 60;
  const startMin = (over.startMinute as number | undefined) ?? 600;
  const t = (m: number) => `${date}T${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}:00-05:00`;
  const { date: _d, minutes: _m, startMinute: _s, ...rest } = over;
  return PeerEncounter.parse({
    id: `enc-${++seq}`,
    mode: 'individual',
    attendees: [{ participantId: 'p-1', diagnoses: ['F11.20'] }],
    specialistNpi: PEER_NPI,
    organizationNpi: ORG_NPI,
    start: t(startMin),
    end: t(startMin + minutes),
    modality: 'in-person',
    setting: 'community',
    program: 'substance-use',
    placeOfService: '53',
    part2: false,
    ...rest,
  });
}

export function plan(over: Record<string, unknown> = {}): RecoveryPlan {
  return RecoveryPlan.parse({
    id: 'plan-1',
    participantId: 'p-1',
    peerNpi: PEER_NPI,
    clinician: { npi: SUPERVISOR_NPI, name: { family: 'Lee', given: ['Kim'] } },
    period: { start: '2019-01-01' },
    status: 'active',
    goals: [{ id: 'g-1', text: 'Keep my apartment', domain: 'housing' }],
    reviewDue: '2030-01-01',
    signatures: [
      { role: 'participant', signedAt: '2019-01-02T10:00:00-05:00' },
      { role: 'peer', signedAt: '2019-01-02T10:00:00-05:00' },
      { role: 'clinician', signedAt: '2019-01-02T10:00:00-05:00' },
    ],
    ...over,
  });
}

export function part2Consent(over: Record<string, unknown> = {}): ConsentDirective {
  return ConsentDirective.parse({
    id: 'c-1',
    participantId: 'p-1',
    kind: 'part2-tpo',
    status: 'active',
    recipients: [],
    purposes: ['treatment', 'payment', 'operations'],
    period: { start: '2019-01-01' },
    signedDate: '2019-01-01',
    disclosingOrganizationNpi: ORG_NPI,
    ...over,
  });
}

/** A context where every artefact is in place, so a single missing piece is what a test varies. */
export function context(pack: RulePack, over: Partial<BillingContext> = {}): BillingContext {
  return {
    pack,
    encounters: [encounter()],
    participants: [participant()],
    specialists: [specialist()],
    plans: [plan()],
    consents: [part2Consent()],
    serviceOrders: [{ id: 'so-1', participantId: 'p-1', signedDate: '2019-01-01' }],
    priorAuthorizations: [],
    history: [],
    // The billing run: the moment the claims are disclosed to the payer (42 CFR 2.31(a)(6) decides at both instants).
    billedAt: '2025-03-01T12:00:00Z',
    ...over,
  };
}
