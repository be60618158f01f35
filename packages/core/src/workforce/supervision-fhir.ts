import { agencyNamespace } from '../terminology/identifiers.js';
/**
 * SupervisionSession <-> FHIR Encounter.
 *
 * Why an Encounter and not a Procedure: R4 `Procedure.subject` is 1..1 and must be a Patient or Group, but
 * supervision is not performed on a patient; `Encounter.subject` is 0..1, and Encounter already carries what a
 * supervision log needs: participants with roles (supervisor as primary performer, peers as participants),
 * `period`, `length` in minutes, `class` for in-person vs virtual, and `serviceProvider` for the agency. The type
 * code (`workforce-activity`) keeps these Encounters apart from peer-support encounters in searches.
 * @module
 */
import type { Encounter } from 'fhir/r4.js';
import { FhirMappingError, type ValidationIssue } from '../errors.js';
import { coding, logicalRef } from '../fhir/internal/builder.js';
import { Modalities } from '../terminology/codes.js';
import { Extensions, Systems } from '../terminology/systems.js';
import { parseOrThrow } from '../validate.js';
import { SupervisionSession } from './supervision.js';
import { WorkforceProfiles, WorkforceSystems, workforceIdentifierSystems } from './terminology.js';

const PPRF = coding(Systems.V3_PARTICIPATION_TYPE, 'PPRF', 'primary performer');
const PART = coding(Systems.V3_PARTICIPATION_TYPE, 'PART', 'Participation');

/**
 * Map a supervision session to an Encounter (type `workforce-activity#supervision-individual|group`, no subject).
 *
 * @param input - a supervision session (validated here)
 * @param options - the namespace and agency
 * @returns the Encounter
 * @see https://hl7.org/fhir/R4/encounter.html
 * @example
 * ```ts
 * const enc = supervisionSessionToFhir(session, { namespace: 'https://ehr.example.org/ids' });
 * enc.length; // { value: 60, unit: 'min', … }
 * ```
 * @category Workforce
 */
export function supervisionSessionToFhir(input: unknown, options: { namespace?: string | undefined; agency?: string | undefined } = {}): Encounter {
  const s = parseOrThrow(SupervisionSession, input, 'SupervisionSession');
  const code = s.mode === 'group' ? 'supervision-group' : 'supervision-individual';
  return {
    resourceType: 'Encounter',
    meta: { profile: [WorkforceProfiles.SupervisionSession] },
    extension: [{ url: Extensions.Modality, valueCoding: coding(Systems.PEER_MODALITY, s.modality, Modalities[s.modality]) }],
    identifier: [{ use: 'official', system: workforceIdentifierSystems(agencyNamespace({ agency: options.agency ?? '', namespace: options.namespace })).supervision, value: s.id }],
    status: 'finished',
    class: s.modality === 'in-person' ? coding(Systems.V3_ACT_CODE, 'AMB', 'ambulatory') : coding(Systems.V3_ACT_CODE, 'VR', 'virtual'),
    type: [{ coding: [coding(WorkforceSystems.ACTIVITY, code, s.mode === 'group' ? 'Group supervision of peer specialists' : 'Individual supervision of a peer specialist')] }],
    participant: [
      { type: [{ coding: [PPRF] }], individual: logicalRef('Practitioner', Systems.NPI, s.supervisorNpi) },
      ...s.peerNpis.map((npi) => ({ type: [{ coding: [PART] }], individual: logicalRef('Practitioner', Systems.NPI, npi) })),
    ],
    period: { start: s.date, end: s.date },
    length: { value: s.minutes, unit: 'min', system: 'http://unitsofmeasure.org', code: 'min' },
    ...(s.topics.length ? { reasonCode: s.topics.map((text) => ({ text })) } : {}),
    ...(s.organizationNpi ? { serviceProvider: logicalRef('Organization', Systems.NPI, s.organizationNpi) } : {}),
  };
}

/**
 * Read a supervision Encounter written by {@link supervisionSessionToFhir} back into a {@link SupervisionSession}.
 * Throws `FhirMappingError` listing every problem by path.
 *
 * @param enc - an Encounter written by `supervisionSessionToFhir`
 * @param options - the namespace and agency
 * @returns the supervision session record
 * @see https://hl7.org/fhir/R4/encounter.html
 * @example
 * ```ts
 * const session = supervisionSessionFromFhir(encounter, { namespace: NS });
 * ```
 * @category Workforce
 */
export function supervisionSessionFromFhir(enc: Encounter, options: { namespace?: string | undefined; agency?: string | undefined } = {}): SupervisionSession {
  const issues: ValidationIssue[] = [];
  const id = enc.identifier?.find((i) => i.system === workforceIdentifierSystems(agencyNamespace({ agency: options.agency ?? '', namespace: options.namespace })).supervision)?.value;
  if (!id) issues.push({ path: 'identifier', code: 'required', message: 'no supervision-session identifier in this namespace' });
  const type = enc.type?.flatMap((t) => t.coding ?? []).find((c) => c.system === WorkforceSystems.ACTIVITY)?.code;
  if (type !== 'supervision-individual' && type !== 'supervision-group') issues.push({ path: 'type', code: 'invalid_value', message: 'is not a supervision type' });
  const npiOf = (role: string) =>
    (enc.participant ?? [])
      .filter((p) => p.type?.some((t) => t.coding?.some((c) => c.code === role)))
      .map((p) => (p.individual?.identifier?.system === Systems.NPI ? p.individual.identifier.value : undefined))
      .filter((v): v is string => v !== undefined);
  const supervisorNpi = npiOf('PPRF')[0];
  if (!supervisorNpi) issues.push({ path: 'participant', code: 'required', message: 'no supervisor (PPRF) with an NPI' });
  if (issues.length > 0) throw new FhirMappingError('Encounter', issues);
  const org = enc.serviceProvider?.identifier?.system === Systems.NPI ? enc.serviceProvider.identifier.value : undefined;
  return parseOrThrow(
    SupervisionSession,
    {
      id,
      supervisorNpi,
      peerNpis: npiOf('PART'),
      date: enc.period?.start?.slice(0, 10),
      minutes: enc.length?.value,
      mode: type === 'supervision-group' ? 'group' : 'individual',
      modality: enc.extension?.find((e) => e.url === Extensions.Modality)?.valueCoding?.code ?? (enc.class.code === 'VR' ? 'video' : 'in-person'),
      topics: (enc.reasonCode ?? []).map((r) => r.text).filter((t): t is string => t !== undefined),
      ...(org ? { organizationNpi: org } : {}),
    },
    'SupervisionSession',
  );
}
