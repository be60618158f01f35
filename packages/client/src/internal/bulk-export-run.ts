// Bulk Data Access IG v2 client flow (https://hl7.org/fhir/uv/bulkdata/STU2/export.html): kick-off, status polling,
// completion manifest, file download, delete. Every request goes through the transport, so the origin rules, token
// handling, retries and value-free errors are the same as for any other request.
import type { Bundle, FhirResource, OperationOutcome } from 'fhir/r4.js';
import { FhirBulkExportExpiredError, FhirBulkExportFailedError, NdjsonLineError } from '../bulk-errors.js';
import type { BulkExportDeletion, BulkExportFile, BulkExportJob, BulkExportLevel, BulkExportManifest, BulkExportOptions } from '../bulk-export.js';
import { FhirAbortError, FhirError, FhirGoneError, FhirNotFoundError, FhirTooManyRequestsError, type FhirErrorInit } from '../errors.js';
import { readNdjson } from '../ndjson.js';
import type { RequestOptions } from '../types.js';
import type { RequestPlan } from './fhir-kit-adapter.js';
import { parseRetryAfter } from './retry.js';
import type { RawResponse, SendOptions } from './transport.js';

/** What the export flow needs of the client. */
export interface BulkIo {
  baseUrl: string;
  send(plan: RequestPlan, opts: SendOptions): Promise<RawResponse>;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

const STATUS_TEMPLATE = '(bulk export status)';
const FILE_TEMPLATE = '(bulk export file)';
const FIRST_POLL_MS = 1_000;
const DEFAULT_MAX_POLL_MS = 30_000;
const DEFAULT_POLL_TIMEOUT_MS = 60 * 60 * 1000;

function get(url: string, template: string, headers: Record<string, string> = {}): RequestPlan {
  return { method: 'GET', url, headers, body: undefined, template };
}

function kickOffPath(level: BulkExportLevel): { path: string; template: string } {
  if (level === 'system') return { path: '$export', template: '$export' };
  if (level === 'patient') return { path: 'Patient/$export', template: 'Patient/$export' };
  return { path: `Group/${encodeURIComponent(level.group)}/$export`, template: 'Group/{id}/$export' };
}

/** The kick-off request (IG "Bulk Data Kick-off Request"). */
export function kickOffPlan(baseUrl: string, opts: BulkExportOptions): RequestPlan {
  const { path, template } = kickOffPath(opts.level ?? 'system');
  const query = new URLSearchParams();
  if (opts.types?.length) query.set('_type', opts.types.join(','));
  if (opts.since !== undefined) query.set('_since', typeof opts.since === 'string' ? opts.since : opts.since.toISOString());
  for (const filter of opts.typeFilter ?? []) query.append('_typeFilter', filter);
  const q = query.toString();
  return { ...get(`${baseUrl}/${path}${q ? `?${q}` : ''}`, template, { accept: 'application/fhir+json', prefer: 'respond-async' }) };
}

function failed(plan: RequestPlan, reason: FhirBulkExportFailedError['reason'], from?: FhirError | RawResponse): FhirBulkExportFailedError {
  const init: FhirErrorInit & { reason: FhirBulkExportFailedError['reason'] } = { method: plan.method, url: plan.url, template: plan.template, reason, status: from?.status };
  if (from instanceof FhirError) return new FhirBulkExportFailedError({ ...init, operationOutcome: from.operationOutcome, headers: from.headers, cause: from });
  return new FhirBulkExportFailedError({ ...init, headers: from?.headers });
}

async function kickOff(io: BulkIo, opts: BulkExportOptions): Promise<string> {
  const plan = kickOffPlan(io.baseUrl, opts);
  // A kick-off error (4xx/5xx with an OperationOutcome) is thrown by the transport as the matching FhirError.
  const res = await io.send(plan, { ...requestOptions(opts), repeatable: true });
  const location = res.headers.get('content-location');
  if (res.status !== 202 || !location) throw failed(plan, 'no-status-url', res);
  try {
    return new URL(location, `${io.baseUrl}/`).toString();
  } catch {
    throw failed(plan, 'no-status-url', res);
  }
}

function requestOptions(opts: RequestOptions): RequestOptions {
  const { signal, timeoutMs, maxRetries, headers } = opts;
  return { signal, timeoutMs, maxRetries, headers };
}

function isFile(value: unknown): value is BulkExportFile {
  const f = value as Partial<BulkExportFile> | null;
  return typeof f === 'object' && f !== null && typeof f.type === 'string' && typeof f.url === 'string' && (f.count === undefined || typeof f.count === 'number');
}

/** The manifest, checked field by field; undefined when a required field is missing or mistyped. */
export function readManifest(body: unknown): BulkExportManifest | undefined {
  const m = body as Partial<Record<keyof BulkExportManifest, unknown>> | null;
  if (typeof m !== 'object' || m === null) return undefined;
  if (typeof m.transactionTime !== 'string' || Number.isNaN(Date.parse(m.transactionTime)) || typeof m.request !== 'string') return undefined;
  if (typeof m.requiresAccessToken !== 'boolean' || !Array.isArray(m.output) || !m.output.every(isFile)) return undefined;
  const errors = m.error ?? [];
  if (!Array.isArray(errors) || !errors.every(isFile)) return undefined;
  const deleted = m.deleted ?? [];
  if (!Array.isArray(deleted) || !deleted.every(isFile)) return undefined;
  return { transactionTime: m.transactionTime, request: m.request, requiresAccessToken: m.requiresAccessToken, output: m.output, error: errors, deleted };
}

/** One status poll: the manifest when complete, or how long to wait (undefined: the caller's backoff). */
async function pollOnce(io: BulkIo, statusUrl: string, opts: BulkExportOptions): Promise<{ manifest: BulkExportManifest } | { waitMs: number | undefined; progress: string | undefined; throttled?: true }> {
  const plan = get(statusUrl, STATUS_TEMPLATE);
  let res: RawResponse;
  try {
    res = await io.send(plan, { ...requestOptions(opts), repeatable: true });
  } catch (err) {
    // 429 while polling means "slow down", not failure (IG: clients SHALL honour Retry-After on the status endpoint).
    if (err instanceof FhirTooManyRequestsError) return { waitMs: parseRetryAfter(err.headers?.get('retry-after') ?? null, Date.now()), progress: undefined, throttled: true };
    if (err instanceof FhirNotFoundError || err instanceof FhirGoneError) throw expired(plan, err);
    if (err instanceof FhirError && err.status !== undefined) throw failed(plan, 'job-failed', err);
    throw err;
  }
  if (res.status === 200) {
    const manifest = readManifest(res.body);
    if (!manifest) throw failed(plan, 'manifest-invalid', res);
    return { manifest };
  }
  return { waitMs: parseRetryAfter(res.headers.get('retry-after'), Date.now()), progress: res.headers.get('x-progress') ?? undefined };
}

function expired(plan: RequestPlan, err: FhirError): FhirBulkExportExpiredError {
  return new FhirBulkExportExpiredError({ method: plan.method, url: plan.url, template: plan.template, status: err.status, operationOutcome: err.operationOutcome, headers: err.headers, cause: err });
}

/** Poll until the manifest arrives, honouring Retry-After, else backing off from 1 s to `maxPollIntervalMs`. */
async function poll(io: BulkIo, statusUrl: string, opts: BulkExportOptions): Promise<BulkExportManifest> {
  const started = Date.now();
  const deadline = started + (opts.pollTimeoutMs ?? DEFAULT_POLL_TIMEOUT_MS);
  let backoff = FIRST_POLL_MS;
  for (let polls = 1; ; polls++) {
    const answer = await pollOnce(io, statusUrl, opts);
    if ('manifest' in answer) return answer.manifest;
    if (!answer.throttled) opts.onProgress?.({ polls, progress: answer.progress, elapsedMs: Date.now() - started });
    const wait = answer.waitMs ?? backoff;
    backoff = Math.min(backoff * 2, opts.maxPollIntervalMs ?? DEFAULT_MAX_POLL_MS);
    if (Date.now() + wait > deadline) throw failed(get(statusUrl, STATUS_TEMPLATE), 'poll-timeout');
    await sleepOrAbort(io, wait, statusUrl, opts.signal);
  }
}

async function sleepOrAbort(io: BulkIo, ms: number, url: string, signal: AbortSignal | undefined): Promise<void> {
  try {
    await io.sleep(ms, signal);
  } catch (reason) {
    throw new FhirAbortError({ method: 'GET', url, template: STATUS_TEMPLATE, cause: reason, summary: `GET ${STATUS_TEMPLATE} aborted` });
  }
}

/** DELETE the job; one already gone (404/410) counts as deleted. Never throws for a job the server forgot. */
async function deleteJob(io: BulkIo, statusUrl: string, opts: RequestOptions): Promise<void> {
  try {
    await io.send({ method: 'DELETE', url: statusUrl, headers: {}, body: undefined, template: STATUS_TEMPLATE }, { ...requestOptions(opts), repeatable: true });
  } catch (err) {
    if (err instanceof FhirNotFoundError || err instanceof FhirGoneError) return;
    throw err;
  }
}

/**
 * Kick off an export and poll it to completion. On abort, failure or timeout after the kick-off the job is deleted
 * (best effort, without the caller's signal) before the error is thrown.
 */
export async function runBulkExport(io: BulkIo, opts: BulkExportOptions): Promise<BulkExportJob> {
  const statusUrl = await kickOff(io, opts);
  try {
    return completedJob(io, statusUrl, await poll(io, statusUrl, opts));
  } catch (err) {
    if (!(err instanceof FhirBulkExportExpiredError)) await deleteJob(io, statusUrl, { maxRetries: 0 }).catch(() => undefined);
    throw err;
  }
}

async function* download(io: BulkIo, manifest: BulkExportManifest, file: BulkExportFile, opts: RequestOptions): AsyncGenerator<FhirResource> {
  const plan = get(file.url, FILE_TEMPLATE, { accept: 'application/fhir+ndjson' });
  let res: RawResponse;
  try {
    // Off the base origin only to an allowedOrigins entry, and the token goes along only when the manifest asks.
    res = await io.send(plan, { ...requestOptions(opts), repeatable: true, stream: true, tokenToAllowed: manifest.requiresAccessToken });
  } catch (err) {
    if (err instanceof FhirNotFoundError || err instanceof FhirGoneError) throw expired(plan, err);
    throw err;
  }
  const body = (res.body as Response).body;
  if (body === null) return;
  yield* readNdjson(body, { source: file.type, resourceType: file.type, signal: opts.signal });
}

/** `Type/id` of a DELETE entry's `request.url` (relative, or absolute on the source). */
const DELETED_URL = /(?:^|\/)([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})$/;

/** The deletions of one `deleted` file: each line a transaction Bundle, each entry a DELETE of `Type/id`. */
async function* deletionsOf(io: BulkIo, manifest: BulkExportManifest, file: BulkExportFile, opts: RequestOptions): AsyncGenerator<BulkExportDeletion> {
  let line = 0;
  for await (const bundle of download(io, manifest, { ...file, type: 'Bundle' }, opts)) {
    line++;
    for (const entry of (bundle as Bundle).entry ?? []) {
      const match = entry.request?.method === 'DELETE' ? DELETED_URL.exec(entry.request.url) : null;
      // A deletion we cannot read is one we would silently miss: stop, naming the line only.
      const [, resourceType, id] = match ?? [];
      if (resourceType === undefined || id === undefined) throw new NdjsonLineError(line, 'deleted', 'not-a-deletion');
      yield { resourceType, id };
    }
  }
}

function completedJob(io: BulkIo, statusUrl: string, manifest: BulkExportManifest): BulkExportJob {
  let deleted: Promise<void> | undefined;
  return {
    manifest,
    statusUrl,
    async *resources(type, opts = {}) {
      for (const file of manifest.output) if (type === undefined || file.type === type) yield* download(io, manifest, file, opts);
    },
    async *errors(opts = {}) {
      for (const file of manifest.error) yield* download(io, manifest, { ...file, type: 'OperationOutcome' }, opts) as AsyncGenerator<OperationOutcome>;
    },
    async *deletions(opts = {}) {
      for (const file of manifest.deleted) yield* deletionsOf(io, manifest, file, opts);
    },
    delete(opts = {}) {
      deleted ??= deleteJob(io, statusUrl, opts);
      return deleted;
    },
  };
}
