/**
 * `@peer-fhir/server/validation` — check FHIR R4 resources against the profiles they name: US Core 6.1.0 (the profiles
 * peer-fhir names, shipped with this package under CC0-1.0) and peer-fhir's own profiles and extensions, with
 * @medplum/core (structure) and fhirpath.js (invariants). What `peer-fhir validate --profiles` runs. A separate entry
 * point: loading the definitions and the FHIRPath engine costs about a second, which `@peer-fhir/server` itself does
 * not pay.
 *
 * @packageDocumentation
 */
export { validateProfiles, type ProfileInput, type ProfileTypeCount, type ProfileValidationResult, type ValidateProfilesOptions } from './validate-profiles.js';
export type { ProfileIssue, ProfileIssueCode } from './issues.js';
export { readFhirPackage, type FhirPackage, type FhirPackageManifest } from './fhir-package.js';
export { builtInProfileUrls } from './built-in.js';
export { FhirPackageError } from '../errors.js';
