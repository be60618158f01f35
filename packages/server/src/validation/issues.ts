/**
 * What kind of check an issue comes from:
 *
 * - `structure`: the profile's structure (cardinality, fixed and pattern values, slices, types), by @medplum/core;
 * - `invariant`: a constraint of the profile (`key` names it: `pd-1`, `us-core-6`, `provenance-1`), by fhirpath.js;
 * - `reference-target`: a reference resolves to a resource type the profile does not allow;
 * - `extension`: an extension whose value breaks its definition; `extension-unknown`: a peer-fhir or US Core
 *   extension with no definition;
 * - `unchecked`: an element the validator cannot check (reported, never passed silently);
 * - `profile-unknown`: a profile in `meta.profile` with no definition loaded; `profile-missing`: no `meta.profile`.
 *
 * @example
 * ```ts
 * const code: ProfileIssueCode = 'invariant';
 * ```
 * @category Profile validation
 */
export type ProfileIssueCode = 'structure' | 'invariant' | 'reference-target' | 'extension' | 'extension-unknown' | 'unchecked' | 'profile-unknown' | 'profile-missing';

/**
 * One way a resource fails a profile it names: where (the resource's position, the element path) and which rule. Never
 * a value from the resource.
 *
 * @example
 * ```ts
 * const issue: ProfileIssue = {
 *   resource: 'entry[3]', resourceType: 'PractitionerRole', profile: 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-practitionerrole',
 *   path: 'PractitionerRole', code: 'invariant', key: 'pd-1', message: 'SHALL have contact information or a reference to an Endpoint',
 * };
 * ```
 * @category Profile validation
 */
export interface ProfileIssue {
  /** Position of the resource in the input: `entry[3]` of a Bundle, `[3]` of a list, `''` for a single resource. */
  resource: string;
  resourceType: string;
  /** Canonical URL of the profile (or extension definition) broken. */
  profile: string;
  /** FHIRPath of the element the issue is at (`Encounter.subject`, `Patient.extension[0]`). */
  path: string;
  code: ProfileIssueCode;
  /** The constraint key, for `invariant` issues. */
  key?: string;
  /** What the rule requires, from the profile or the validator; never a value of the resource. */
  message: string;
}
