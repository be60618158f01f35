/**
 * Identifier systems for the records peer-fhir mints. Each resource the SDK writes carries one identifier
 * under a stable system so that `If-None-Exist: identifier=<system>|<value>` makes every write idempotent.
 * @module
 */

/** Default namespace: replace it with your organisation's URL or URN so identifiers never collide. */
export const DEFAULT_ID_NAMESPACE = 'urn:peer-fhir:default';

/**
 * The identifier systems for one namespace (a vendor or deployment).
 *
 * @example
 * ```ts
 * const ids = identifierSystems('https://ehr.example.org/fhir/ids');
 * ids.encounter; // 'https://ehr.example.org/fhir/ids/encounter'
 * identifierSystems().encounter; // 'urn:peer-fhir:default:encounter'
 * ```
 * @category Terminology
 */
export function identifierSystems(namespace: string = DEFAULT_ID_NAMESPACE) {
  const sep = namespace.startsWith('urn:') ? ':' : '/';
  const base = namespace.endsWith(sep) ? namespace.slice(0, -1) : namespace;
  const sys = (kind: string) => `${base}${sep}${kind}`;
  return {
    namespace: base,
    participant: sys('participant'),
    mrn: sys('mrn'),
    medicaidId: sys('medicaid-id'),
    coverage: sys('coverage'),
    encounter: sys('encounter'),
    groupSession: sys('group-session'),
    groupAttendance: sys('group-attendance'),
    peerGroup: sys('peer-group'),
    diagnosis: sys('encounter-diagnosis'),
    note: sys('encounter-note'),
    practitionerRole: sys('practitioner-role'),
    credential: sys('credential'),
    plan: sys('recovery-plan'),
    goal: sys('recovery-goal'),
    careTeam: sys('care-team'),
    consent: sys('consent'),
    claim: sys('claim'),
    claimResponse: sys('claim-response'),
    payer: sys('payer'),
    recipient: sys('recipient'),
  } as const;
}

/** The identifier systems of one namespace. @category Terminology */
export type IdentifierSystems = ReturnType<typeof identifierSystems>;
