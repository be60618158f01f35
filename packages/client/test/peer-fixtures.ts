import { npiCheckDigit, type ConsentDirective, type Organization, type Participant, type PeerEncounter, type PeerSpecialist, type RecoveryPlan } from '@peer-fhir/core';
import type { FhirResource } from 'fhir/r4.js';
import type { RequestHandler } from 'msw';
import { PeerFhirClient } from '../src/index.js';

// @peer-fhir/testing, typed locally so this package's typecheck does not depend on testing's dist being built
// (vitest resolves the alias to its src).
export interface TestRepository {
  search(type: string, query?: string): Promise<FhirResource[]>;
  reset(): void;
}
export interface EmbeddedServer {
  url: string;
  close(): Promise<void>;
  reset(): void;
  repository: TestRepository;
}
export interface FaultCounter {
  injected: number;
  byKind: Record<string, number>;
}
interface TestingModule {
  startFhirServer(): Promise<EmbeddedServer>;
  createFhirRepository(): TestRepository;
  createFhirHandlers(o: { baseUrl: string; repository?: TestRepository }): RequestHandler[];
  withFaults(h: RequestHandler[], o: { rate: number; kinds: string[]; seed: number; counter?: FaultCounter; retryAfterSeconds?: number }): RequestHandler[];
  createFaultCounter(): FaultCounter;
}
const testingModule: string = '@peer-fhir/testing';
export const testing = (await import(testingModule)) as TestingModule;

export const NS = 'https://ehr.example.org/ids';

/** A valid NPI from nine digits (core's check digit: Luhn over 80840 + the digits). */
export const npi = (nine: string): string => `${nine}${npiCheckDigit(nine)}`;

export const ORG_NPI = npi('123456789');
/** The agency's identifier namespace: identifiers are minted under the prefix, then the agency's NPI. */
export const AGENCY_NS = `${NS}/agency/${ORG_NPI}`;
/** PeerClient options of the test agency. */
export const SCOPE = { agency: ORG_NPI, namespace: NS };
export const PEER_NPI = npi('124531959');
export const PAYER_NPI = npi('133333333');

export const organization = (): Organization => ({
  name: 'Harbor Peer Agency',
  npi: ORG_NPI,
  taxId: '123456789',
  taxonomy: '251S00000X',
  address: { line: ['1 Main St'], city: 'Raleigh', state: 'NC', postalCode: '27601' },
});

export const specialist = (): PeerSpecialist => ({
  npi: PEER_NPI,
  name: { family: 'Rivera', given: ['Sam'] },
  credentials: [],
  organizationNpi: ORG_NPI,
});

export const participant = (id: string): Participant => ({
  id,
  mrn: `MRN-${id}`,
  name: { family: 'Testperson', given: [`P${id}`] },
  birthDate: '1990-04-02',
  gender: 'female',
  coverages: [],
});

export function encounter(id: string, participantId: string, overrides: Partial<PeerEncounter> = {}): PeerEncounter {
  return {
    id,
    mode: 'individual',
    attendees: [{ participantId, diagnoses: ['F11.20'], goalIds: [], note: 'Talked about housing.' }],
    status: 'finished',
    specialistNpi: PEER_NPI,
    organizationNpi: ORG_NPI,
    start: '2025-01-14T10:00:00-05:00',
    end: '2025-01-14T10:52:00-05:00',
    modality: 'in-person',
    setting: 'community',
    program: 'substance-use',
    supportTypes: ['emotional'],
    activities: ['goal-setting'],
    placeOfService: '99',
    serviceCode: 'H0038',
    part2: true,
    ...overrides,
  };
}

export function plan(id: string, participantId: string, overrides: Partial<RecoveryPlan> = {}): RecoveryPlan {
  return {
    id,
    participantId,
    peerNpi: PEER_NPI,
    period: { start: '2025-01-02' },
    status: 'active',
    goals: [{ id: `${id}-g1`, text: 'Get my own apartment', domain: 'housing', status: 'active', progressNotes: [] }],
    strengths: ['Loves to cook'],
    reviewDue: '2025-07-02',
    signatures: [{ role: 'participant', signedAt: '2025-01-02T10:00:00-05:00' }],
    ...overrides,
  };
}

export function tpoConsent(id: string, participantId: string, overrides: Partial<ConsentDirective> = {}): ConsentDirective {
  return {
    id,
    participantId,
    kind: 'part2-tpo',
    status: 'active',
    recipients: [],
    purposes: ['treatment', 'payment', 'operations'],
    dataScope: { resourceTypes: [], sensitivities: [] },
    period: { start: '2025-01-02' },
    signedDate: '2025-01-02',
    disclosingOrganizationNpi: ORG_NPI,
    ...overrides,
  };
}

export const clientFor = (url: string): PeerFhirClient => new PeerFhirClient({ baseUrl: url });
