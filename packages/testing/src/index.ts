/**
 * Test tooling for peer-fhir: an embedded FHIR R4 server, msw handlers that behave like it, and
 * fault injection for testing retries. (Deterministic synthetic data will live in `src/synthetic/`.)
 *
 * @packageDocumentation
 */
export { loadFhirDefinitions } from './server/definitions.js';
export { startFhirServer, type EmbeddedFhirServer, type FhirServerOptions } from './server/http-server.js';
export { servedResourceTypes } from './server/capability-statement.js';
export {
  createFhirRepository,
  type FhirTestRepository,
  type ResourceOf,
  type ResourceType,
  type Stored,
} from './server/repository.js';
export { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from './server/paging.js';
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
