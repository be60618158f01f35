/**
 * @peer-fhir/core — the peer-support domain model (zod), its FHIR R4 mapping, terminology,
 * 42 CFR Part 2 labelling and consent decisions. Pure and browser-safe: no I/O.
 * @packageDocumentation
 */
export * from './terminology/systems.js';
export * from './terminology/codes.js';
export { ExchangeExtensions, ExchangeProfiles } from './terminology/exchange-profiles.js';
export * from './terminology/identifiers.js';
export * from './terminology/sync.js';
// The domain schemas, the errors and toFhir: also the browser entry `@peer-fhir/core/mapping`.
export * from './mapping/index.js';
export { npiCheckDigit } from './domain/common.js';
export * from './domain/organization.js';
export * from './domain/specialist.js';
export * from './domain/participant.js';
export * from './domain/encounter.js';
export * from './domain/recovery-plan.js';
export * from './domain/consent.js';
export { PeerFhirError, PeerFhirValidationError, FhirMappingError, type PeerFhirErrorOptions, type ValidationIssue } from './errors.js';
export * from './validate.js';
export { toFhir, type DomainRecords, type CompleteDomainRecords, type MappingOptions } from './fhir/to-fhir.js';
export { fromFhir } from './fhir/from-fhir.js';
export { encounterClass } from './fhir/encounter.js';
export { ConsentPolicies } from './fhir/consent.js';
export * from './security/part2-labels.js';
export { PART2_REDISCLOSURE_NOTICE, REDISCLOSURE_NOTICE_EXTENSION, buildDisclosureBundle, type DisclosureBundleOptions, type PartyIdentity } from './security/redisclosure-notice.js';
export {
  DisclosureAudit,
  buildDisclosureAuditEvent,
  readDisclosureAuditEvent,
  type DisclosureAuditOptions,
  type DisclosureAccountingEntry,
  type DisclosureChannel,
} from './security/disclosure-audit.js';
export { consentStateAt, type ConsentState } from './consent/evaluate-status.js';
export {
  canDisclose,
  filterDisclosable,
  isTpoPurpose,
  describeMissingConsent,
  type PurposeKey,
  type DisclosureRecipient,
  type DisclosureRequest,
  type DecisionReasonCode,
  type DecisionReason,
  type MissingConsent,
  type DisclosureDecision,
  type DeniedResource,
} from './consent/can-disclose.js';
export { ConsentRequiredError } from './consent/consent-required-error.js';
export { ownPatientLink, resourceParts, patientReferencesIn, type PatientLink, type ResourcePart } from './consent/patient-of.js';
export { recordKeys, type RecordKeys } from './fhir/keys.js';
export type { RecordKey } from './fhir/keys.js';
export type { ResourceFor, ResourceOf, ResourceType, Retrieved, Stored } from './fhir/types.js';
export * from './outcomes/index.js';
export * from './referrals/index.js';
export * from './workforce/index.js';
export { markdownCell } from './markdown.js';
