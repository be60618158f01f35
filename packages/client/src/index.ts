/**
 * `@peer-fhir/client`: typed, reliable FHIR R4 REST client for peer support services.
 *
 * @packageDocumentation
 */
export { PeerFhirClient } from './client.js';
export type { CreateOptions, PeerFhirClientOptions, SearchAllOptions, SearchPagesOptions, UpdateOptions } from './client-options.js';
export { FhirPromise } from './fhir-promise.js';
export type { FetchLike, FhirResponse, Logger, RequestOptions, ResourceFor, ResourceType, Retrieved } from './types.js';
export type {
  CarePlanSearchParams,
  ClaimResponseSearchParams,
  ClaimSearchParams,
  CommonSearchParams,
  ConsentSearchParams,
  CoverageSearchParams,
  EncounterSearchParams,
  GoalSearchParams,
  OrganizationSearchParams,
  PatientSearchParams,
  PractitionerRoleSearchParams,
  PractitionerSearchParams,
  ProvenanceSearchParams,
  QuestionnaireResponseSearchParams,
  RawSearchParams,
  SearchParamsFor,
  SearchValue,
  ServiceRequestSearchParams,
  TaskSearchParams,
  TypedSearchParams,
} from './search-params.js';
export type { AuthOption, ClientCredentialsAuth, SmartBackendAuth } from './auth/options.js';
export type { RecordAllOptions, RecordAllProgress, RecordAllSummary, RecordConflict, RecordEntries, RecordOutcome } from './record-all.js';
export {
  FhirAbortError,
  FhirBadRequestError,
  FhirConflictError,
  FhirConnectionError,
  FhirError,
  FhirForbiddenError,
  FhirGoneError,
  FhirNotFoundError,
  FhirOriginRefusedError,
  FhirPagingLimitError,
  FhirPagingLoopError,
  FhirPreconditionFailedError,
  FhirResponseTooLargeError,
  FhirServerError,
  FhirTimeoutError,
  FhirTokenRedirectError,
  FhirTooManyRedirectsError,
  FhirTooManyRequestsError,
  FhirUnauthorizedError,
  FhirUnprocessableEntityError,
  isFhirError,
} from './errors.js';
export type { FhirErrorInit, OriginRefusal } from './errors.js';
export type { BulkExportDeletion, BulkExportFile, BulkExportJob, BulkExportLevel, BulkExportManifest, BulkExportOptions, BulkExportProgress } from './bulk-export.js';
export { FhirBulkExportExpiredError, FhirBulkExportFailedError, NdjsonLineError } from './bulk-errors.js';
export type { BulkExportFailure, NdjsonLineProblem } from './bulk-errors.js';
export { ndjsonLines, readNdjson } from './ndjson.js';
export { ingestNdjson, ingestResources } from './ingest.js';
export type { IngestBatchOptions, IngestOptions, IngestReject, IngestResourcesOptions, IngestResult } from './ingest.js';
export { readSyncCheckpoint, syncBulkData } from './bulk-sync.js';
export type { BulkSyncCounts, BulkSyncOptions, BulkSyncProblem, BulkSyncSummary } from './bulk-sync.js';
export type { NdjsonLine, NdjsonSource, ReadNdjsonOptions } from './ndjson.js';
export { PeerClient } from './peer/peer-client.js';
export { PeerRecordNotFoundError } from './peer/errors.js';
export type { ParticipantRecords, ParticipantRecordsOptions } from './peer/participant-records.js';
export type { AmendEncounterOptions, CorrectionOptions, CorrectionOutcome } from './peer/correction-options.js';
export { DEFAULT_MAX_BUNDLE_ENTRIES } from './peer/options.js';
export type {
  AccountingOptions,
  DiscloseOptions,
  DisclosureResult,
  DisclosureTarget,
  EncounterEntry,
  EncounterQuery,
  FindEncounterParticipantsOptions,
  FindEncountersOptions,
  GoalProgressInput,
  GoalProgressResult,
  GrantConsentOptions,
  ParticipantSummary,
  ParticipantSummaryOptions,
  PeerClientOptions,
  RecordedEncounter,
  RecordEncounterOptions,
  RecordEncountersOptions,
  RecordEncountersSummary,
  RosterOutcome,
  ReferencedRecords,
  RevokeConsentOptions,
  StoredConsent,
  UpsertRecoveryPlanOptions,
  UpsertRecoveryPlanResult,
  WrittenResource,
} from './peer/options.js';

export { ReferralClient } from './peer/referrals.js';
export type { StoredReferral, UpdateReferralStatusOptions, ReferralFulfilment } from './peer/referrals.js';

/** Package name, for diagnostics. @category Client */
export const PACKAGE_NAME = '@peer-fhir/client';
