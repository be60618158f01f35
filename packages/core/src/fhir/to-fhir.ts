import type { Bundle } from 'fhir/r4.js';
import { ConsentDirective } from '../domain/consent.js';
import { PeerEncounter } from '../domain/encounter.js';
import { Organization } from '../domain/organization.js';
import { Participant } from '../domain/participant.js';
import { RecoveryPlan } from '../domain/recovery-plan.js';
import { PeerSpecialist } from '../domain/specialist.js';
import { PeerFhirValidationError, type ValidationIssue } from '../errors.js';
import { IdentityScopeError, identifierSystems } from '../terminology/identifiers.js';
import { parseRecord } from '../validate.js';
import { addConsent } from './consent.js';
import { addEncounter } from './encounter.js';
import { TransactionBuilder, type RecordKey } from './internal/builder.js';
import { addOrganization } from './organization.js';
import { addParticipant } from './patient.js';
import { addSpecialist } from './practitioner.js';
import { addRecoveryPlan, latestPlans } from './recovery-plan.js';

/**
 * Domain records to map together. Records that others refer to (participants, specialists, organizations) must be
 * included with the records that refer to them; each is written once per bundle and once per server.
 * @category FHIR mapping
 */
export interface DomainRecords {
  organizations?: Organization[];
  specialists?: PeerSpecialist[];
  participants?: Participant[];
  encounters?: PeerEncounter[];
  plans?: RecoveryPlan[];
  consents?: ConsentDirective[];
}

/** Domain records as read back from FHIR; every list is present. @category FHIR mapping */
export type CompleteDomainRecords = { [K in keyof DomainRecords]-?: NonNullable<DomainRecords[K]> };

/** Options for mapping. @category FHIR mapping */
export interface MappingOptions {
  /**
   * Namespace prefix of the identifiers peer-fhir mints (a URL or URN of your organisation); the same value must be
   * used to write and to read back. Defaults to `urn:peer-fhir`. Identifiers are minted under it per agency.
   */
  namespace?: string | undefined;
  /**
   * Organization NPI of the agency whose records these are: every identifier system is scoped to it, so agencies
   * that share a server never share a record. When omitted it is taken from the records (the one agency their
   * organizations, specialists and encounters name); none or several throws `IdentityScopeError`.
   */
  agency?: string | undefined;
  /**
   * Resolves records that are not in the input but already on the server (e.g. the participant of a new encounter) to
   * a literal reference such as `Patient/123`. Return `undefined` for unknown records.
   */
  existing?: (key: RecordKey) => string | undefined;
}

const schemas = {
  organizations: [Organization, 'Organization'],
  specialists: [PeerSpecialist, 'PeerSpecialist'],
  participants: [Participant, 'Participant'],
  encounters: [PeerEncounter, 'PeerEncounter'],
  plans: [RecoveryPlan, 'RecoveryPlan'],
  consents: [ConsentDirective, 'ConsentDirective'],
} as const;

/**
 * Validate domain records and map them to one FHIR R4 transaction Bundle of conditional creates.
 *
 * Every entry is `POST` with `request.ifNoneExist` on a stable identifier, so POSTing the bundle twice creates each
 * resource once; references between entries use `urn:uuid` fullUrls. Throws {@link PeerFhirValidationError} listing
 * every problem (with paths such as `encounters[3].end`) when any record is invalid or refers to a record that is
 * not in the input.
 *
 * A record named by several inputs is written once. Plan versions (a plan and its reviews) that carry one goal forward
 * give one Goal, with the content of the version that starts last (`period.start`) among that participant's plans, and
 * every version's CarePlan refers to it; what an earlier version said of the goal is superseded, not written. Two
 * versions starting the same day that state one goal differently, or one goal id in two participants' plans, are
 * refused (`conflicting_duplicate`). See docs/mapping.md, "Plan versions".
 *
 * @param input - the domain records (validated here)
 * @param options - the identity scope to mint identifiers under
 * @returns a transaction Bundle of conditional creates
 * @see https://hl7.org/fhir/R4/http.html#transaction
 * @see https://hl7.org/fhir/R4/http.html#ccreate
 * @example
 * ```ts
 * const bundle = toFhir({ organizations: [org], specialists: [peer], participants: [p], encounters: [enc] },
 *   { namespace: 'https://ehr.example.org/ids' });
 * await fetch(`${base}`, { method: 'POST', body: JSON.stringify(bundle), headers: { 'content-type': 'application/fhir+json' } });
 * ```
 * @category FHIR mapping
 */
export function toFhir(input: DomainRecords, options: MappingOptions = {}): Bundle {
  const issues: ValidationIssue[] = [];
  const parsed: CompleteDomainRecords = { organizations: [], specialists: [], participants: [], encounters: [], plans: [], consents: [] };
  for (const key of Object.keys(schemas) as (keyof typeof schemas)[]) {
    const [schema, name] = schemas[key];
    (input[key] ?? []).forEach((record, i) => {
      const r = parseRecord(schema, record, name);
      if (r.ok) (parsed[key] as unknown[]).push(r.value);
      else issues.push(...r.issues.map((x) => ({ ...x, path: `${key}[${i}]${x.path ? (x.path.startsWith('[') ? '' : '.') + x.path : ''}` })));
    });
  }
  if (issues.length) throw new PeerFhirValidationError('DomainRecords', issues);

  const agency = options.agency ?? onlyAgency([...parsed.organizations.map((o) => o.npi), ...parsed.specialists.map((s) => s.organizationNpi), ...parsed.encounters.map((e) => e.organizationNpi)]);
  // A record of another agency would be written under this agency's identifiers, next to this agency's patients.
  parsed.specialists.forEach((s, i) => {
    if (s.organizationNpi !== agency) issues.push({ path: `specialists[${i}].organizationNpi`, code: 'other_agency', message: 'names another agency than the one written' });
  });
  parsed.encounters.forEach((e, i) => {
    if (e.organizationNpi !== agency) issues.push({ path: `encounters[${i}].organizationNpi`, code: 'other_agency', message: 'names another agency than the one written' });
  });
  if (issues.length) throw new PeerFhirValidationError('DomainRecords', issues);

  const b = new TransactionBuilder(identifierSystems({ agency, namespace: options.namespace }), options.existing);
  parsed.organizations.forEach((o) => addOrganization(b, o));
  parsed.specialists.forEach((s) => addSpecialist(b, s));
  // Issue 11 / 42 CFR Part 2: who is a patient of a Part 2 program in these records (a Part 2 encounter, a Part 2
  // consent, a plan marked part2). Their CarePlan, Goals, CareTeam, Consents and Coverage carry the Part 2 labels.
  const part2People = new Set<string>([
    ...parsed.encounters.filter((e) => e.part2).flatMap((e) => e.attendees.map((a) => a.participantId)),
    ...parsed.consents.filter((c) => c.kind !== 'hipaa-authorization').map((c) => c.participantId),
    ...parsed.plans.filter((p) => p.part2 === true).map((p) => p.participantId),
  ]);
  parsed.participants.forEach((p, i) => b.withPart2(part2People.has(p.id), () => addParticipant(b, p, i)));
  const specialists = new Map(parsed.specialists.map((s) => [s.npi, s]));
  const latest = latestPlans(parsed.plans);
  parsed.plans.forEach((p, i) => b.withPart2(part2People.has(p.participantId), () => addRecoveryPlan(b, p, i, specialists, latest)));
  parsed.encounters.forEach((e, i) => addEncounter(b, e, i));
  parsed.consents.forEach((c, i) => b.withPart2(part2People.has(c.participantId), () => addConsent(b, c, i)));
  if (b.issues.length) throw new PeerFhirValidationError('DomainRecords', b.issues);
  return b.toBundle();
}

/** The one agency NPI among `npis`; none or several throws (a silent default would merge agencies). @internal */
export function onlyAgency(npis: readonly string[]): string {
  const distinct = new Set(npis);
  if (distinct.size === 1) return npis[0]!;
  throw new IdentityScopeError(distinct.size === 0 ? 'missing' : 'ambiguous', { agencies: distinct.size });
}
