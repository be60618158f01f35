/**
 * Test tooling for peer-fhir: msw handlers that behave like the embedded FHIR R4 server (re-exported here from
 * `@peer-fhir/server`), fault injection for testing retries, and deterministic synthetic data.
 *
 * @packageDocumentation
 */
export {
  DEFAULT_PAGE_SIZE,
  MAX_PAGE_SIZE,
  createFhirRepository,
  loadFhirDefinitions,
  servedResourceTypes,
  startFhirServer,
  type EmbeddedFhirServer,
  type FhirServerOptions,
  type FhirTestRepository,
  type ResourceOf,
  type ResourceType,
  type Stored,
} from '@peer-fhir/server';
export { createFhirHandlers, type FhirHandlersOptions } from './msw/handlers.js';
export {
  createFaultCounter,
  withFaults,
  type FaultCounter,
  type FaultKind,
  type FaultOptions,
} from './msw/faults.js';

/**
 * The npm package name.
 * @example
 * ```ts
 * console.log(PACKAGE_NAME); // '@peer-fhir/testing'
 * ```
 * @category Package
 */
export const PACKAGE_NAME = '@peer-fhir/testing';
export * from './synthetic/index.js';
export { answer270, type Answer270Options, type InquiredMember, type SyntheticEligibilityAnswer } from './x12/answer-270.js';
export { answer276, type Answer276Options, type InquiredClaim, type SyntheticClaimStatus } from './x12/answer-276.js';
