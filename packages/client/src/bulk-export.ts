import type { FhirResource, OperationOutcome } from 'fhir/r4.js';
import type { RequestOptions } from './types.js';

/**
 * Which data a Bulk Data export asks for: every resource (`system`, `[base]/$export`), every patient's compartment
 * (`patient`, `[base]/Patient/$export`), or the compartments of a Group's members (`{ group: id }`,
 * `[base]/Group/{id}/$export`).
 *
 * See https://hl7.org/fhir/uv/bulkdata/STU2/export.html#endpoint---system-level-export.
 * @example
 * ```ts
 * const level: BulkExportLevel = { group: 'peer-program-2025' };
 * ```
 * @category Bulk Data
 */
export type BulkExportLevel = 'system' | 'patient' | { group: string };

/**
 * Where a running export job is, for `onProgress`: how many status polls so far, the server's `X-Progress` text (shown to
 * a person only; never logged by the client) and the time since kick-off.
 * @example
 * ```ts
 * const onProgress = (p: BulkExportProgress) => console.log(`poll ${p.polls}: ${p.progress ?? 'in progress'}`);
 * ```
 * @category Bulk Data
 */
export interface BulkExportProgress {
  polls: number;
  progress: string | undefined;
  elapsedMs: number;
}

/**
 * Options of `PeerFhirClient.bulkExport`. `signal` aborts the polling (the job is then deleted on the server).
 *
 * See https://hl7.org/fhir/uv/bulkdata/STU2/export.html#query-parameters.
 * @example
 * ```ts
 * const opts: BulkExportOptions = { level: 'patient', types: ['Patient', 'Encounter'], since: '2025-01-01T00:00:00Z' };
 * ```
 * @category Bulk Data
 */
export interface BulkExportOptions extends RequestOptions {
  /** Default `system`. */
  level?: BulkExportLevel | undefined;
  /** `_type`: only these resource types. */
  types?: readonly string[] | undefined;
  /** `_since`: only resources changed after this instant (a `transactionTime` of an earlier export). */
  since?: string | Date | undefined;
  /** `_typeFilter`: FHIR search queries like `Encounter?status=finished` (a server may refuse them). */
  typeFilter?: readonly string[] | undefined;
  /** Called after each status poll that finds the job still running. */
  onProgress?: ((progress: BulkExportProgress) => void) | undefined;
  /** Give up (and delete the job) when it is not complete after this long; default 1 hour. */
  pollTimeoutMs?: number | undefined;
  /** Longest wait between polls when the server sends no `Retry-After`; default 30 s (waits start at 1 s and double). */
  maxPollIntervalMs?: number | undefined;
}

/**
 * One file of a completion manifest: its resource type, absolute URL and (optionally) how many resources it holds.
 * @example
 * ```ts
 * const f: BulkExportFile = { type: 'Patient', url: 'https://files.example.org/1/Patient.ndjson', count: 2 };
 * ```
 * @category Bulk Data
 */
export interface BulkExportFile {
  type: string;
  url: string;
  count?: number | undefined;
}

/**
 * The completion manifest of an export (IG "Response - Complete Status").
 *
 * See https://hl7.org/fhir/uv/bulkdata/STU2/export.html#response---complete-status.
 * @example
 * ```ts
 * const m: BulkExportManifest = { transactionTime: '2025-01-01T00:00:00Z', request: 'https://ehr.example/fhir/$export', requiresAccessToken: true, output: [], error: [], deleted: [] };
 * ```
 * @category Bulk Data
 */
export interface BulkExportManifest {
  /** The server's time of the snapshot: pass it as `since` to the next export to get the changes only. */
  transactionTime: string;
  request: string;
  /** Whether the files need the token: only then does the client send it to an `allowedOrigins` file server. */
  requiresAccessToken: boolean;
  output: BulkExportFile[];
  /** Files of OperationOutcome resources: the server's per-resource errors. */
  error: BulkExportFile[];
  /**
   * Files of transaction Bundles whose entries name the resources deleted since `_since` (`request.method` DELETE);
   * empty when the server reports none (or does not report deletions at all: the IG makes them optional).
   */
  deleted: BulkExportFile[];
}

/**
 * A resource the source deleted since `_since`, from the manifest's `deleted` files.
 *
 * See https://hl7.org/fhir/uv/bulkdata/STU2/export.html#response---complete-status (`deleted`).
 * @example
 * ```ts
 * const d: BulkExportDeletion = { resourceType: 'Encounter', id: 'enc-1' };
 * ```
 * @category Bulk Data
 */
export interface BulkExportDeletion {
  resourceType: string;
  id: string;
}

/**
 * A completed export job. Its files are downloaded as they are iterated, a chunk at a time (bounded memory, gzip
 * unpacked). Call {@link BulkExportJob.delete} when done, in a `finally`: the server can then drop the files.
 *
 * @example
 * ```ts
 * const job = await client.bulkExport({ level: 'system', types: ['Patient'] });
 * try {
 *   for await (const patient of job.resources('Patient')) console.log(patient.id);
 * } finally {
 *   await job.delete();
 * }
 * ```
 * @category Bulk Data
 */
export interface BulkExportJob {
  readonly manifest: BulkExportManifest;
  /** The job's status URL (`Content-Location` of the kick-off). */
  readonly statusUrl: string;
  /**
   * The resources of every output file (or of one type), file by file, line by line.
   * @throws NdjsonLineError for a line that is not a resource of the file's type
   * @throws FhirBulkExportExpiredError when a file answers 404/410
   */
  resources(type?: string, opts?: RequestOptions): AsyncGenerator<FhirResource>;
  /** The OperationOutcomes of the manifest's error files. */
  errors(opts?: RequestOptions): AsyncGenerator<OperationOutcome>;
  /**
   * The resources deleted since `_since`, from the manifest's `deleted` files (nothing when it has none).
   * @throws NdjsonLineError (`not-a-deletion`) for a Bundle entry that is not a DELETE of `Type/id`
   */
  deletions(opts?: RequestOptions): AsyncGenerator<BulkExportDeletion>;
  /** `DELETE` the status URL (once; a job already gone counts as deleted). */
  delete(opts?: RequestOptions): Promise<void>;
}
