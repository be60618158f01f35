/**
 * Whose record is this? The patient a resource is about, read from its own `subject` / `patient` / `beneficiary` /
 * `for` reference, for every resource nested in it too (a nested resource without a patient of its own belongs to the
 * patient of the resource it sits in). Consent decisions are made against the consents of that patient only.
 * @module
 */
import { nestedResources } from '../security/part2-labels.js';

/**
 * The patient link of one resource: a `Patient/{id}` reference, none at all, or a reference that names no Patient
 * we can identify (a Group, a contained or `urn:uuid:` reference, a malformed one).
 * @see https://hl7.org/fhir/R4/references.html
 * @example
 * ```ts
 * const link: PatientLink = ownPatientLink({ resourceType: 'Encounter', subject: { reference: 'Patient/7' } });
 * // { kind: 'patient', reference: 'Patient/7' }
 * ```
 * @category Consent
 */
export type PatientLink = { kind: 'none' } | { kind: 'patient'; reference: string } | { kind: 'unresolvable' };

const PATIENT_FIELDS = ['subject', 'patient', 'beneficiary', 'for'] as const;
// `Patient/{id}`, optionally absolute and with `_history`; the id grammar of FHIR R4 (1-64 of [A-Za-z0-9\-.]).
const PATIENT_REF = /(?:^|\/)Patient\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[A-Za-z0-9\-.]{1,64})?$/;

/**
 * The patient one resource is about (not looking into resources nested in it): a Patient is about itself; any
 * other resource by its `subject`, `patient`, `beneficiary` or `for` reference. A reference that is not to a Patient
 * with an id (a Group, `#contained`, `urn:uuid:`) is `unresolvable`.
 * @param resource - a FHIR resource
 * @returns its own patient reference, none, or unresolvable
 * @see https://hl7.org/fhir/R4/compartmentdefinition-patient.html
 * @example
 * ```ts
 * ownPatientLink({ resourceType: 'Claim', patient: { reference: 'https://ehr.example/fhir/Patient/7/_history/2' } });
 * // { kind: 'patient', reference: 'Patient/7' }
 * ```
 * @category Consent
 */
export function ownPatientLink(resource: { resourceType: string; id?: string } & Record<string, unknown>): PatientLink {
  if (resource.resourceType === 'Patient') {
    return typeof resource.id === 'string' && resource.id !== '' ? { kind: 'patient', reference: `Patient/${resource.id}` } : { kind: 'unresolvable' };
  }
  const found: string[] = [];
  let unresolvable = false;
  for (const field of PATIENT_FIELDS) {
    const value = resource[field];
    if (value === undefined || value === null) continue;
    const reference = typeof value === 'object' ? (value as { reference?: unknown }).reference : undefined;
    const match = typeof reference === 'string' ? PATIENT_REF.exec(reference.trim()) : null;
    if (match?.[1] === undefined) unresolvable = true;
    else found.push(`Patient/${match[1]}`);
  }
  const distinct = [...new Set(found)];
  if (unresolvable || distinct.length > 1) return { kind: 'unresolvable' };
  return distinct[0] === undefined ? { kind: 'none' } : { kind: 'patient', reference: distinct[0] };
}

/**
 * A resource and every resource nested in it, each with its position and the patient it is about (its own
 * reference, else that of the resource it sits in; `none` when neither has one).
 * @see https://hl7.org/fhir/R4/compartmentdefinition-patient.html
 * @example
 * ```ts
 * for (const part of resourceParts(bundle)) console.log(part.position, part.patient.kind);
 * ```
 * @category Consent
 */
export interface ResourcePart {
  position: string;
  resourceType: string;
  patient: PatientLink;
  /** Any security label of this part (not counting nested ones). */
  labelled: boolean;
}

/**
 * Split a resource into the parts consent decides on (see {@link ResourcePart}).
 * @param resource - a resource (nested resources included)
 * @returns each part with its position and its patient link
 * @see https://hl7.org/fhir/R4/bundle.html
 * @example
 * ```ts
 * resourceParts({ resourceType: 'Bundle', type: 'collection', entry: [{ resource: encounter }] }).length; // 2
 * ```
 * @category Consent
 */
export function resourceParts(resource: object): ResourcePart[] {
  const nested = nestedResources(resource);
  const parts: ResourcePart[] = [];
  for (const { path, resource: r } of nested) {
    // The parent is the nearest earlier part whose path is a prefix of this one (depth-first order).
    let parent: ResourcePart | undefined;
    for (let i = parts.length - 1; i >= 0; i--) {
      const p = parts[i] as ResourcePart;
      if (p.position === '' || path.startsWith(`${p.position}.`)) {
        parent = p;
        break;
      }
    }
    const own = ownPatientLink(r as { resourceType: string } & Record<string, unknown>);
    const meta = r.meta as { security?: unknown[]; tag?: unknown[] } | undefined;
    parts.push({
      position: path,
      resourceType: String(r.resourceType),
      patient: own.kind === 'none' && parent !== undefined ? parent.patient : own,
      labelled: (meta?.security?.length ?? 0) > 0 || (meta?.tag?.length ?? 0) > 0,
    });
  }
  return parts;
}

/**
 * Every distinct `Patient/{id}` reference of a resource and of the resources nested in it: what a client resolves
 * to participant ids before asking {@link canDisclose}.
 * @param resource - a resource (nested resources included)
 * @returns the distinct `Patient/{id}` references
 * @see https://hl7.org/fhir/R4/compartmentdefinition-patient.html
 * @example
 * ```ts
 * const refs = patientReferencesIn(bundle); // ['Patient/7', 'Patient/9']
 * ```
 * @category Consent
 */
export function patientReferencesIn(resource: object): string[] {
  const refs = new Set<string>();
  for (const part of resourceParts(resource)) if (part.patient.kind === 'patient') refs.add(part.patient.reference);
  return [...refs];
}
