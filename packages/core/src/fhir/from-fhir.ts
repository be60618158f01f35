import type { Bundle, Resource } from 'fhir/r4.js';
import { ConsentDirective } from '../domain/consent.js';
import { PeerEncounter } from '../domain/encounter.js';
import { Organization } from '../domain/organization.js';
import { Participant } from '../domain/participant.js';
import { RecoveryPlan } from '../domain/recovery-plan.js';
import { PeerSpecialist } from '../domain/specialist.js';
import { FhirMappingError, type ValidationIssue } from '../errors.js';
import { identifierSystems } from '../terminology/identifiers.js';
import { Systems } from '../terminology/systems.js';
import { parseRecord } from '../validate.js';
import { consentFromFhir } from './consent.js';
import { encounterFromFhir } from './encounter.js';
import { identifierValue, ResourceIndex } from './internal/resolver.js';
import { organizationFromFhir } from './organization.js';
import { participantFromFhir } from './patient.js';
import { specialistFromFhir } from './practitioner.js';
import { recoveryPlanFromFhir } from './recovery-plan.js';
import type { CompleteDomainRecords, MappingOptions } from './to-fhir.js';

/**
 * Read FHIR resources (a transaction, searchset or collection Bundle, or a list) back into domain records.
 *
 * Reads the resources peer-fhir writes: agencies (Organizations with a NUCC type), peer specialists
 * (PractitionerRoles), participants (Patients with a participant id and their Coverages), encounters, recovery plans
 * and consents. `fromFhir(toFhir(records))` returns the same records. Throws {@link FhirMappingError} listing every
 * problem with its path (`Encounter[2].end`); values are never echoed.
 *
 * @example
 * ```ts
 * const records = fromFhir(bundle, { namespace: 'https://ehr.example.org/ids' });
 * records.encounters[0].attendees[0].participantId;
 * ```
 * @category FHIR mapping
 */
export function fromFhir(input: Bundle | readonly Resource[], options: MappingOptions = {}): CompleteDomainRecords {
  const ids = identifierSystems(options.namespace);
  const index = new ResourceIndex(input);
  const issues: ValidationIssue[] = [];
  const out: CompleteDomainRecords = { organizations: [], specialists: [], participants: [], encounters: [], plans: [], consents: [] };

  function take<T>(list: T[], schema: Parameters<typeof parseRecord>[0], name: string, label: string, raw: unknown): void {
    const r = parseRecord(schema, raw, name);
    if (r.ok) list.push(r.value as T);
    else issues.push(...r.issues.map((x) => ({ ...x, path: `${label}${x.path ? (x.path.startsWith('[') ? '' : '.') + x.path : ''}` })));
  }

  const orgs = index.ofType('Organization').filter((o) => o.type?.some((t) => t.coding?.some((c) => c.system === Systems.NUCC)));
  orgs.forEach((o, i) => take(out.organizations, Organization, 'Organization', `Organization[${i}]`, organizationFromFhir(o)));
  const roles = index.ofType('PractitionerRole').filter((r) => identifierValue(r, ids.practitionerRole) !== undefined);
  roles.forEach((r, i) => take(out.specialists, PeerSpecialist, 'PeerSpecialist', `PractitionerRole[${i}]`, specialistFromFhir(index, ids, r)));
  const patients = index.ofType('Patient').filter((p) => identifierValue(p, ids.participant) !== undefined);
  patients.forEach((p, i) => take(out.participants, Participant, 'Participant', `Patient[${i}]`, participantFromFhir(index, ids, p)));
  const encounters = index
    .ofType('Encounter')
    .filter((e) => identifierValue(e, ids.encounter) !== undefined || identifierValue(e, ids.groupSession) !== undefined);
  encounters.forEach((e, i) => take(out.encounters, PeerEncounter, 'PeerEncounter', `Encounter[${i}]`, encounterFromFhir(index, ids, e)));
  const plans = index.ofType('CarePlan').filter((c) => identifierValue(c, ids.plan) !== undefined);
  plans.forEach((c, i) => take(out.plans, RecoveryPlan, 'RecoveryPlan', `CarePlan[${i}]`, recoveryPlanFromFhir(index, ids, c)));
  const consents = index.ofType('Consent').filter((c) => identifierValue(c, ids.consent) !== undefined);
  consents.forEach((c, i) => take(out.consents, ConsentDirective, 'ConsentDirective', `Consent[${i}]`, consentFromFhir(index, ids, c)));

  if (issues.length) throw new FhirMappingError('FHIR resources', issues);
  return out;
}
