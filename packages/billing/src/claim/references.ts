/**
 * References by identifier to the resources core's mappers write (conditional-create keys in core/src/fhir/*).
 * TODO(core): switch to core's reference helpers once @peer-fhir/core exports them; the values below mirror its keys.
 * @internal
 */
import { Systems, type IdentifierSystems } from '@peer-fhir/core';
import type { Reference } from 'fhir/r4.js';
import type { BillingLine } from '../decision.js';

const safeToken = (s: string) => s.replace(/[^A-Za-z0-9\-.]/g, '_');

export const patientRef = (ids: IdentifierSystems, participantId: string): Reference => ({
  type: 'Patient',
  identifier: { system: ids.participant, value: participantId },
});

export const organizationRef = (npi: string): Reference => ({ type: 'Organization', identifier: { system: Systems.NPI, value: npi } });

export const payerRef = (ids: IdentifierSystems, l: BillingLine): Reference => ({
  type: 'Organization',
  identifier: { system: ids.payer, value: l.payerId },
  display: l.payerName,
});

export const coverageRef = (ids: IdentifierSystems, l: BillingLine): Reference => ({
  type: 'Coverage',
  identifier: { system: ids.coverage, value: `${l.participantId}:${safeToken(l.payerId)}:${l.coverageStart}` },
});

export const practitionerRoleRef = (ids: IdentifierSystems, npi: string, organizationNpi: string): Reference => ({
  type: 'PractitionerRole',
  identifier: { system: ids.practitionerRole, value: `${npi}:${organizationNpi}` },
});

export const practitionerRef = (npi: string): Reference => ({ type: 'Practitioner', identifier: { system: Systems.NPI, value: npi } });

/** Individual encounters by id; a group attendee's own child Encounter by `${groupEncounterId}:${participantId}`. */
export const encounterRef = (ids: IdentifierSystems, l: BillingLine): Reference =>
  l.groupId === undefined
    ? { type: 'Encounter', identifier: { system: ids.encounter, value: l.encounterId } }
    : { type: 'Encounter', identifier: { system: ids.groupAttendance, value: `${l.encounterId}:${l.participantId}` } };
