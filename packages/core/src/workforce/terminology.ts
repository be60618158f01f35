/**
 * Code systems, profiles and identifier systems for workforce records (supervision, continuing education).
 * @module
 */
import { DEFAULT_ID_NAMESPACE } from '../terminology/identifiers.js';
import { PEER_FHIR_CANONICAL } from '../terminology/systems.js';

/**
 * peer-fhir's workforce code systems: `workforce-activity` holds `supervision-individual` and `supervision-group`,
 * the Encounter.type of a supervision session.
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
} as const;

/**
 * Identifier systems for workforce records in one namespace (same rules as `identifierSystems`).
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
