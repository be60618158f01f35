import { PeerFhirError } from '@peer-fhir/core';
import { FhirError, type FhirErrorInit } from './errors.js';

/**
 * The Bulk Data export job is gone: its status URL answered 404 or 410 (expired, deleted by someone else, or never
 * known to this server). Nothing was downloaded from it after that point; start a new export.
 *
 * See https://hl7.org/fhir/uv/bulkdata/STU2/export.html#bulk-data-status-request.
 * @example
 * ```ts
 * try { await client.bulkExport({ level: 'system' }); }
 * catch (e) { if (e instanceof FhirBulkExportExpiredError) console.error(e.code, e.status); }
 * ```
 * @category Bulk Data
 */
export class FhirBulkExportExpiredError extends FhirError {
  constructor(init: FhirErrorInit, code = 'client.bulk-export.expired') {
    super(init, code);
  }
}

/**
 * Why a Bulk Data export failed, as {@link FhirBulkExportFailedError.reason}:
 * - `job-failed`: the status URL answered an error (IG "Response - Error Status"), its OperationOutcome on the error;
 * - `no-status-url`: the kick-off answered without a `Content-Location`, or not 202;
 * - `manifest-invalid`: the completion manifest lacks a required field (transactionTime, request, requiresAccessToken,
 *   output);
 * - `poll-timeout`: the job was still running when `pollTimeoutMs` ran out (the job is deleted).
 *
 * @example
 * ```ts
 * const reason: BulkExportFailure = 'manifest-invalid';
 * ```
 * @category Bulk Data
 */
export type BulkExportFailure = 'job-failed' | 'no-status-url' | 'manifest-invalid' | 'poll-timeout';

/**
 * A Bulk Data export could not be completed; `reason` says which step (see {@link BulkExportFailure}). The message
 * holds the step and the status only, never a value from the server.
 *
 * @example
 * ```ts
 * try { await client.bulkExport({ level: 'patient' }); }
 * catch (e) { if (e instanceof FhirBulkExportFailedError) console.error(e.reason, e.status); }
 * ```
 * @category Bulk Data
 */
export class FhirBulkExportFailedError extends FhirError {
  /** Which step failed. */
  readonly reason: BulkExportFailure;
  constructor(init: FhirErrorInit & { reason: BulkExportFailure }, code = 'client.bulk-export.failed') {
    super({ ...init, summary: init.summary ?? `${init.method} ${init.template ?? '(request)'}: bulk export ${init.reason}${init.status === undefined ? '' : ` (HTTP ${init.status})`}` }, code);
    this.reason = init.reason;
    Object.defineProperty(this, 'details', { value: { ...this.details, reason: init.reason }, enumerable: true });
  }
}

/**
 * A line of an NDJSON stream is not a FHIR resource (not JSON, not an object with a `resourceType`, or longer than
 * the line limit). Details name the line number and the source (a resource type or file label), never the text.
 *
 * See https://hl7.org/fhir/R4/nd-json.html.
 * @example
 * ```ts
 * catch (e) { if (e instanceof NdjsonLineError) console.error(`line ${e.line} of ${e.source}: ${e.problem}`); }
 * ```
 * @category Bulk Data
 */
export class NdjsonLineError extends PeerFhirError {
  /** 1-based line number. */
  readonly line: number;
  /** What was read (an output's resource type, or the label the caller gave). */
  readonly source: string;
  /** `not-json`, `not-a-resource`, `type-mismatch` or `too-long`. */
  readonly problem: NdjsonLineProblem;
  constructor(line: number, source: string, problem: NdjsonLineProblem) {
    super(`NDJSON line ${line}: ${problem}`, { code: 'client.ndjson.line-invalid', details: { line, problem } });
    this.line = line;
    this.source = source;
    this.problem = problem;
  }
}

/**
 * What is wrong with an NDJSON line (see {@link NdjsonLineError}).
 * @example
 * ```ts
 * const p: NdjsonLineProblem = 'not-json';
 * ```
 * @category Bulk Data
 */
export type NdjsonLineProblem = 'not-json' | 'not-a-resource' | 'type-mismatch' | 'too-long' | 'not-a-deletion';
