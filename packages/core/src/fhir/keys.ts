import { identifierSystems, type IdentityScope } from '../terminology/identifiers.js';
import { Systems } from '../terminology/systems.js';

/**
 * The identity of a resource peer-fhir writes: its type and the identifier (system and value) it is created under.
 * @example
 * ```ts
 * const key: RecordKey = { resourceType: 'Patient', system: 'urn:peer-fhir:agency:1234567893:participant', value: 'p-1' };
 * ```
 * @category FHIR mapping
 */
export interface RecordKey {
  resourceType: string;
  system: string;
  value: string;
}

/**
 * The identity (type + identifier) under which peer-fhir writes each kind of record of one agency, for looking
 * records up on a server (`GET Patient?identifier=<system>|<value>`) and for {@link MappingOptions.existing}.
 * Agencies and practitioners are keyed by their NPI (shared by every agency on a server); everything else by an
 * identifier system of the agency (see `identifierSystems`).
 *
 * @param scope - the agency's identity scope
 * @returns a function per kind of record giving its type and identifier
 * @example
 * ```ts
 * const key = recordKeys({ agency: '1234567893' }).participant('p-1');
 * await client.search('Patient', { identifier: `${key.system}|${key.value}` });
 * ```
 * @category FHIR mapping
 */
export function recordKeys(scope: IdentityScope) {
  const ids = identifierSystems(scope);
  const k = (resourceType: string, system: string, value: string): RecordKey => ({ resourceType, system, value });
  return {
    organization: (npi: string) => k('Organization', Systems.NPI, npi),
    practitioner: (npi: string) => k('Practitioner', Systems.NPI, npi),
    specialistRole: (npi: string, organizationNpi: string) => k('PractitionerRole', ids.practitionerRole, `${npi}:${organizationNpi}`),
    participant: (participantId: string) => k('Patient', ids.participant, participantId),
    encounter: (encounterId: string) => k('Encounter', ids.encounter, encounterId),
    groupSession: (encounterId: string) => k('Encounter', ids.groupSession, encounterId),
    groupAttendance: (encounterId: string, participantId: string) => k('Encounter', ids.groupAttendance, `${encounterId}:${participantId}`),
    plan: (planId: string) => k('CarePlan', ids.plan, planId),
    goal: (goalId: string) => k('Goal', ids.goal, goalId),
    consent: (consentId: string) => k('Consent', ids.consent, consentId),
    payer: (payerId: string) => k('Organization', ids.payer, payerId),
    // Mirrors coverageKey (fhir/patient.ts): the payer id is made token-safe.
    coverage: (participantId: string, payerId: string, periodStart: string) => k('Coverage', ids.coverage, `${participantId}:${payerId.replace(/[^A-Za-z0-9\-.]/g, '_')}:${periodStart}`),
  };
}

/** Record keys of one agency. @category FHIR mapping */
export type RecordKeys = ReturnType<typeof recordKeys>;
