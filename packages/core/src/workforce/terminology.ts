/**
 * Code systems, profiles and identifier systems for workforce records (supervision, continuing education).
 * @module
 */
import { DEFAULT_ID_NAMESPACE } from '../terminology/identifiers.js';
import { PEER_FHIR_CANONICAL } from '../terminology/systems.js';

/**
 * peer-fhir's workforce code systems: `workforce-activity` holds `supervision-individual` and `supervision-group`,
 * the Encounter.type of a supervision session, and `continuing-education`, the Basic.code of a CE record.
 *
 * @see https://hl7.org/fhir/R4/encounter-definitions.html#Encounter.type
 * @example
 * ```ts
 * const type = { system: WorkforceSystems.ACTIVITY, code: 'supervision-group' };
 * ```
 * @category Workforce
 */
export const WorkforceSystems = {
  ACTIVITY: `${PEER_FHIR_CANONICAL}/CodeSystem/workforce-activity`,
} as const;

/**
 * Profiles of workforce resources.
 * @see https://hl7.org/fhir/R4/encounter.html
 * @example
 * ```ts
 * encounter.meta?.profile?.includes(WorkforceProfiles.SupervisionSession);
 * ```
 * @category Workforce
 */
export const WorkforceProfiles = {
  SupervisionSession: `${PEER_FHIR_CANONICAL}/StructureDefinition/peer-supervision-session`,
  ContinuingEducation: `${PEER_FHIR_CANONICAL}/StructureDefinition/peer-continuing-education`,
} as const;

/**
 * Extensions of a continuing-education `Basic` (profile `peer-continuing-education`): hours, topic, provider and the
 * credential the hours count toward. R4 has no resource for a training record; `Basic` carries them (docs/mapping.md).
 *
 * @see https://hl7.org/fhir/R4/basic.html
 * @example
 * ```ts
 * const hours = basic.extension?.find((e) => e.url === WorkforceExtensions.CeHours)?.valueQuantity?.value;
 * ```
 * @category Workforce
 */
export const WorkforceExtensions = {
  CeHours: `${PEER_FHIR_CANONICAL}/StructureDefinition/ce-hours`,
  CeTopic: `${PEER_FHIR_CANONICAL}/StructureDefinition/ce-topic`,
  CeProvider: `${PEER_FHIR_CANONICAL}/StructureDefinition/ce-provider`,
  CeCredential: `${PEER_FHIR_CANONICAL}/StructureDefinition/ce-credential`,
} as const;

/**
 * Identifier systems for workforce records in one namespace (same rules as `identifierSystems`).
 * @param namespace - the namespace to mint identifiers under
 * @returns the identifier system URI of each kind of workforce record
 * @see https://hl7.org/fhir/R4/datatypes.html#Identifier
 * @example
 * ```ts
 * workforceIdentifierSystems('urn:agency').supervision; // 'urn:agency:supervision-session'
 * ```
 * @category Workforce
 */
export function workforceIdentifierSystems(namespace: string = DEFAULT_ID_NAMESPACE) {
  const sep = namespace.startsWith('urn:') ? ':' : '/';
  const base = namespace.endsWith(sep) ? namespace.slice(0, -1) : namespace;
  return { supervision: `${base}${sep}supervision-session`, continuingEducation: `${base}${sep}continuing-education` } as const;
}
