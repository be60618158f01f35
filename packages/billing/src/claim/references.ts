/**
 * References by identifier to the resources core's mappers write, from core's `recordKeys(namespace)` (the
 * conditional-create keys), so a Claim resolves against whatever `toFhir` put on the server or in a bundle.
 * @internal
 */
import { identifierSystems, recordKeys, type RecordKey, type RecordKeys } from '@peer-fhir/core';
import type { Reference } from 'fhir/r4.js';
import type { BillingLine } from '../decision.js';

/** The keys of one namespace plus the Coverage key, which core's `recordKeys` does not expose yet. */
export interface ClaimKeys extends RecordKeys {
  coverage: (participantId: string, payerId: string, coverageStart: string) => RecordKey;
}

/** Claim keys of a namespace. */
export function claimKeys(namespace: string | undefined): ClaimKeys {
  const coverageSystem = identifierSystems(namespace).coverage;
  return {
    ...recordKeys(namespace),
    // TODO(core): recordKeys().coverage; mirrors core's coverageKey (fhir/patient.ts).
    coverage: (participantId, payerId, coverageStart) => ({
      resourceType: 'Coverage',
      system: coverageSystem,
      value: `${participantId}:${payerId.replace(/[^A-Za-z0-9\-.]/g, '_')}:${coverageStart}`,
    }),
  };
}

/** A logical reference (type + identifier) to the record under `key`. */
export const refTo = (key: RecordKey, display?: string): Reference => ({
  type: key.resourceType,
  identifier: { system: key.system, value: key.value },
  ...(display ? { display } : {}),
});

/** The patient by identifier, with the literal reference first when `existing` knows it. */
export const patientRef = (keys: ClaimKeys, participantId: string, existing?: (key: RecordKey) => string | undefined): Reference => {
  const key = keys.participant(participantId);
  const literal = existing?.(key);
  return literal ? { reference: literal, ...refTo(key) } : refTo(key);
};

export const organizationRef = (keys: ClaimKeys, npi: string): Reference => refTo(keys.organization(npi));

export const payerRef = (keys: ClaimKeys, l: BillingLine): Reference => refTo(keys.payer(l.payerId), l.payerName);

export const coverageRef = (keys: ClaimKeys, l: BillingLine): Reference => refTo(keys.coverage(l.participantId, l.payerId, l.coverageStart));

export const practitionerRoleRef = (keys: ClaimKeys, npi: string, organizationNpi: string): Reference =>
  refTo(keys.specialistRole(npi, organizationNpi));

export const practitionerRef = (keys: ClaimKeys, npi: string): Reference => refTo(keys.practitioner(npi));

/** Individual encounters by id; a group attendee's own child Encounter by `${groupEncounterId}:${participantId}`. */
export const encounterRef = (keys: ClaimKeys, l: BillingLine): Reference =>
  refTo(l.groupId === undefined ? keys.encounter(l.encounterId) : keys.groupAttendance(l.encounterId, l.participantId));
