import type { Bundle, CarePlan, Consent, Encounter, Organization as FhirOrganization, Patient, PractitionerRole, Resource } from 'fhir/r4.js';
import { ConsentDirective } from '../domain/consent.js';
import { PeerEncounter } from '../domain/encounter.js';
import { Organization } from '../domain/organization.js';
import { Participant } from '../domain/participant.js';
import { RecoveryPlan } from '../domain/recovery-plan.js';
import { PeerSpecialist } from '../domain/specialist.js';
import { FhirMappingError, type ValidationIssue } from '../errors.js';
import { identifierSystems, IdentityScopeError, type IdentifierSystems } from '../terminology/identifiers.js';
import { Systems } from '../terminology/systems.js';
import { parseRecord } from '../validate.js';
import { consentFromFhir } from './consent.js';
import { encounterFromFhir } from './encounter.js';
import { identifierValue, ResourceIndex } from './internal/resolver.js';
import { organizationFromFhir } from './organization.js';
import { participantFromFhir } from './patient.js';
import { specialistFromFhir } from './practitioner.js';
import { recoveryPlanFromFhir } from './recovery-plan.js';
import { onlyAgency, type CompleteDomainRecords, type MappingOptions } from './to-fhir.js';

/**
 * Read FHIR resources (a transaction, searchset or collection Bundle, or a list) back into domain records.
 *
 * Reads the resources peer-fhir writes: agencies (Organizations with a NUCC type), peer specialists
 * (PractitionerRoles), participants (Patients with a participant id and their Coverages), encounters, recovery plans
 * and consents. `fromFhir(toFhir(records))` returns the same records. Throws {@link FhirMappingError} listing every
 * problem with its path (`Encounter[2].end`); values are never echoed.
 *
 * @param input - a Bundle (transaction, searchset or collection) or a list of resources
 * @param options - the identity scope the records were written under
 * @returns the domain records, with issues for what could not be read
 * @example
 * ```ts
 * const records = fromFhir(bundle, { namespace: 'https://ehr.example.org/ids' });
 * records.encounters[0].attendees[0].participantId;
 * ```
 * @category FHIR mapping
 */
export function fromFhir(input: Bundle | readonly Resource[], options: MappingOptions = {}): CompleteDomainRecords {
  const issues: ValidationIssue[] = [];
  const out: CompleteDomainRecords = { organizations: [], specialists: [], participants: [], encounters: [], plans: [], consents: [] };
  let index: ResourceIndex;
  try {
    index = new ResourceIndex(input);
  } catch (e) {
    throw new FhirMappingError('FHIR resources', [malformed('', e)]);
  }
  // Without an explicit agency, the one agency Organization (NUCC-typed, NPI-identified) in the input scopes the read.
  // Input that names no agency (or two) is a problem of the input, reported like every other one: a
  // FhirMappingError with a path. A bad `options.agency` is the caller's and stays an IdentityScopeError.
  let ids: IdentifierSystems;
  try {
    const agency = options.agency ?? onlyAgency((index.ofType('Organization') as readonly FhirOrganization[]).filter(isAgency).flatMap(npisOf));
    ids = identifierSystems({ agency, namespace: options.namespace });
  } catch (e) {
    if (options.agency !== undefined || !(e instanceof IdentityScopeError)) throw e;
    throw new FhirMappingError('FHIR resources', [
      { path: 'Organization', code: 'agency_unresolved', message: 'no single agency Organization with a valid NPI: pass options.agency' },
    ]);
  }

  // Input is untrusted JSON: an element of the wrong shape (a string where an array belongs) must become an issue
  // with a path, not a TypeError — and never echo the value.
  function safely<T>(label: string, fallback: T, fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      issues.push(malformed(label, e));
      return fallback;
    }
  }

  function read<R extends Resource>(type: R['resourceType'], keep: (r: R) => boolean, map: (r: R) => unknown, list: unknown[], schema: Parameters<typeof parseRecord>[0], name: string): void {
    const all = index.ofType(type) as readonly unknown[] as readonly R[];
    const kept = all.filter((r, i) => safely(`${type}[${i}]`, false, () => keep(r)));
    kept.forEach((r, i) => {
      const label = `${type}[${i}]`;
      const raw = safely(label, undefined as unknown, () => map(r));
      if (raw === undefined) return;
      const res = parseRecord(schema, raw, name);
      if (res.ok) list.push(res.value);
      else issues.push(...res.issues.map((x) => ({ ...x, path: `${label}${x.path ? (x.path.startsWith('[') ? '' : '.') + x.path : ''}` })));
    });
  }

  read<FhirOrganization>('Organization', isAgency, organizationFromFhir, out.organizations, Organization, 'Organization');
  read<PractitionerRole>('PractitionerRole', (r) => identifierValue(r, ids.practitionerRole) !== undefined, (r) => specialistFromFhir(index, ids, r), out.specialists, PeerSpecialist, 'PeerSpecialist');
  read<Patient>('Patient', (p) => identifierValue(p, ids.participant) !== undefined, (p) => participantFromFhir(index, ids, p), out.participants, Participant, 'Participant');
  read<Encounter>(
    'Encounter',
    (e) => identifierValue(e, ids.encounter) !== undefined || identifierValue(e, ids.groupSession) !== undefined,
    (e) => encounterFromFhir(index, ids, e),
    out.encounters,
    PeerEncounter,
    'PeerEncounter',
  );
  read<CarePlan>('CarePlan', (c) => identifierValue(c, ids.plan) !== undefined, (c) => recoveryPlanFromFhir(index, ids, c), out.plans, RecoveryPlan, 'RecoveryPlan');
  read<Consent>('Consent', (c) => identifierValue(c, ids.consent) !== undefined, (c) => consentFromFhir(index, ids, c), out.consents, ConsentDirective, 'ConsentDirective');

  if (issues.length) throw new FhirMappingError('FHIR resources', issues);
  return out;
}

/** An issue for input whose shape broke the mapping; the message names the error class only, never a value. */
function malformed(path: string, e: unknown): ValidationIssue {
  const kind = e instanceof RangeError ? 'nested too deeply or too large' : 'an element has the wrong JSON type or shape for FHIR R4';
  return { path, code: 'malformed', message: `cannot be read: ${kind}` };
}

function isAgency(o: FhirOrganization): boolean {
  return Array.isArray(o.type) && o.type.some((t) => Array.isArray(t?.coding) && t.coding.some((c) => c?.system === Systems.NUCC));
}

function npisOf(o: FhirOrganization): string[] {
  if (!Array.isArray(o.identifier)) return [];
  return o.identifier.flatMap((i) => (i?.system === Systems.NPI && typeof i.value === 'string' ? [i.value] : []));
}
