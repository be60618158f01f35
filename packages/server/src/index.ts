/**
 * The embedded FHIR R4 server of peer-fhir: Medplum's fhir-router over a repository kept in memory (tests) or in a
 * SQLite database (`peer-fhir serve`), with request limits, optional bearer-token auth and a single writer per data
 * folder.
 *
 * @packageDocumentation
 */
export { loadFhirDefinitions } from './definitions.js';
export { startFhirServer, type EmbeddedFhirServer, type FhirServerOptions } from './http-server.js';
export { servedResourceTypes } from './capability-statement.js';
export {
  createFhirRepository,
  type FhirRepositoryOptions,
  type FhirTestRepository,
  type ResourceOf,
  type ResourceType,
  type Stored,
} from './repository.js';
export { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from './paging.js';
export { DEFAULT_MAX_DEPTH, handleFhirRequest, type FhirHttpRequest, type FhirHttpResponse, type FhirRequestContext } from './handle-request.js';
export { DEFAULT_MAX_BODY_BYTES } from './http-server.js';
export { FhirPackageError, ServerConfigError, ServerDataError, ServerLockedError, ServerSchemaVersionError } from './errors.js';
export { SCHEMA_VERSION } from './schema.js';
export { DATABASE_FILE, LEGACY_SNAPSHOT_FILE, LOCK_FILE, lockHolder, type LockHolder } from './data-folder.js';
export { exportNdjson, type ExportResult } from './export.js';
export { watchHeap, type HeapBudget, type HeapBudgetOptions } from './heap.js';

/**
 * The npm package name.
 * @example
 * ```ts
 * console.log(PACKAGE_NAME); // '@peer-fhir/server'
 * ```
 * @category Package
 */
export const PACKAGE_NAME = '@peer-fhir/server';
