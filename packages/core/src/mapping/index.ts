/**
 * `@peer-fhir/core/mapping` — the domain schemas and `toFhir`, and nothing else: the entry for EHR front-ends that map
 * records to FHIR in the browser. The same functions, schemas and types as `@peer-fhir/core` (in ESM the two entries
 * share their modules, so `instanceof` and schema identity hold across them; under `require()` each entry is its own
 * copy), at about two thirds of its bundle: it leaves out `fromFhir`, consent evaluation, outcomes, referrals and
 * workforce. Its min+gzip browser bundle is held to 40 KiB by test/e2e/browser-bundle.test.ts.
 * @example
 * ```ts
 * import { toFhir, PeerEncounter } from '@peer-fhir/core/mapping';
 * const bundle = toFhir({ encounters: [PeerEncounter.parse(input)] }, { agency: '1234567893' });
 * ```
 * @packageDocumentation
 */
export {
  isValidNpi,
  Npi,
  IsoDate,
  IsoDateTime,
  PersonName,
  Address,
  DatePeriod,
  Gender,
  StateCode,
  Icd10CmCode,
  PlaceOfServiceCode,
  RecordId,
  PhoneNumber,
  EmailAddress,
  LanguageTag,
} from '../domain/common.js';
export * from '../domain/organization.js';
export * from '../domain/specialist.js';
export * from '../domain/participant.js';
export * from '../domain/encounter.js';
export * from '../domain/recovery-plan.js';
export * from '../domain/consent.js';
export { PeerFhirError, PeerFhirValidationError, FhirMappingError, type PeerFhirErrorOptions, type ValidationIssue } from '../errors.js';
export { IdentityScopeError, type IdentityScope } from '../terminology/identifiers.js';
export { toFhir, type DomainRecords, type CompleteDomainRecords, type MappingOptions } from '../fhir/to-fhir.js';
