import { randomUUID } from 'node:crypto';
import { isResourceType } from '@medplum/core';
import type { Group, OperationOutcome } from 'fhir/r4.js';
import { removeJobFiles, runExportJob, storedTypes, type ExportJob, type ExportSelection } from './bulk-export-job.js';
import { typeFiltersOf, type TypeFilters } from './bulk-type-filter.js';
import { errorOutcome } from './internal/outcome.js';
import { memoryRepositoryOf, type FhirTestRepository } from './repository.js';

/** What a Bulk Data route needs of the request (https://hl7.org/fhir/uv/bulkdata/STU2/export.html). */
export interface BulkRequest {
  method: string;
  url: string;
  segments: string[];
  params: URLSearchParams;
  headers: Record<string, string>;
}

/** What a Bulk Data route needs of the server. */
export interface BulkContext {
  baseUrl: string;
  repository: FhirTestRepository;
  exportDir?: string | undefined;
  requiresAccessToken?: boolean | undefined;
}

/** A Bulk Data answer: a JSON or NDJSON body, or (`file`) the path of a file the transport streams. */
export interface BulkResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  file?: string;
}

const STATUS = '$export-status';
const FILE = '$export-file';
const NDJSON = 'application/fhir+ndjson';
/** `_outputFormat` values the IG says a server must accept for NDJSON. */
const NDJSON_FORMATS = new Set([NDJSON, 'application/ndjson', 'ndjson']);
/** Kick-off parameters the embedded server implements; any other is refused rather than ignored. */
const KICKOFF_PARAMS = new Set(['_type', '_since', '_outputFormat', '_typeFilter']);
/** FHIR `instant` (https://hl7.org/fhir/R4/datatypes.html#instant): a time zone is required. */
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

const jobsByStore = new WeakMap<FhirTestRepository, Map<string, ExportJob>>();

function jobsOf(repository: FhirTestRepository): Map<string, ExportJob> {
  let jobs = jobsByStore.get(repository);
  if (!jobs) jobsByStore.set(repository, (jobs = new Map()));
  return jobs;
}

function outcome(status: number, body: OperationOutcome): BulkResponse {
  return { status, headers: { 'content-type': 'application/fhir+json; charset=utf-8' }, body: JSON.stringify(body) };
}

function refuse(status: number, code: Parameters<typeof errorOutcome>[0], text: string): BulkResponse {
  return outcome(status, errorOutcome(code, text));
}

function information(status: number, text: string): BulkResponse {
  return outcome(status, { resourceType: 'OperationOutcome', issue: [{ severity: 'information', code: 'informational', diagnostics: text }] });
}

/**
 * The Bulk Data route a request names, or undefined when it is not one: kick-off at `[base]/$export`,
 * `[base]/Patient/$export` and `[base]/Group/{id}/$export`; status and cancel at `[base]/$export-status/{job}`; files
 * at `[base]/$export-file/{job}/{file}`.
 */
export async function bulkExportRoute(request: BulkRequest, context: BulkContext): Promise<BulkResponse | undefined> {
  const s = request.segments;
  if (s[0] === STATUS && s.length === 2) return statusRoute(request.method, s[1] ?? '', context);
  if (s[0] === FILE && s.length === 3) return fileRoute(request.method, s[1] ?? '', s[2] ?? '', context);
  const level = kickOffLevel(s);
  return level === undefined ? undefined : kickOff(request, level, context);
}

type Level = { kind: 'system' } | { kind: 'patient' } | { kind: 'group'; id: string };

function kickOffLevel(s: string[]): Level | undefined {
  if (s.length === 1 && s[0] === '$export') return { kind: 'system' };
  if (s.length === 2 && s[0] === 'Patient' && s[1] === '$export') return { kind: 'patient' };
  if (s.length === 3 && s[0] === 'Group' && s[2] === '$export') return { kind: 'group', id: s[1] ?? '' };
  return undefined;
}

/** The kick-off's refusal (IG "Response - Error": 4xx with an OperationOutcome), or undefined when it is acceptable. */
function kickOffRefusal(request: BulkRequest): BulkResponse | undefined {
  if (request.method !== 'GET') return refuse(405, 'not-supported', 'the embedded server takes a Bulk Data kick-off as GET only');
  if (!/\brespond-async\b/i.test(request.headers['prefer'] ?? '')) return refuse(400, 'required', '$export needs the header Prefer: respond-async');
  for (const name of new Set(request.params.keys())) {
    if (!KICKOFF_PARAMS.has(name)) return refuse(400, 'not-supported', `$export parameter ${name.replace(/[^A-Za-z_]/g, '?')} is not supported by the embedded server`);
  }
  const format = request.params.get('_outputFormat');
  if (format !== null && !NDJSON_FORMATS.has(format)) return refuse(400, 'not-supported', '_outputFormat must be application/fhir+ndjson');
  const since = request.params.getAll('_since');
  if (since.length > 1 || (since[0] !== undefined && !INSTANT.test(since[0]))) return refuse(400, 'invalid', '_since must be one FHIR instant with a time zone');
  const types = requestedTypes(request.params);
  if (types.some((t) => !isResourceType(t))) return refuse(400, 'not-supported', '_type names an unknown resource type');
  const filters = typeFiltersOf(request.params, types.length ? new Set(types) : undefined);
  if ('refusal' in filters) return outcome(400, filters.refusal);
  return undefined;
}

function requestedTypes(params: URLSearchParams): string[] {
  return params.getAll('_type').flatMap((v) => v.split(',')).map((t) => t.trim()).filter((t) => t !== '');
}

async function patientsOf(level: Level, context: BulkContext): Promise<Set<string> | undefined | 'no-group'> {
  if (level.kind !== 'group') return level.kind === 'patient' ? new Set() : undefined;
  const group = (await context.repository.read('Group', level.id)) as Group | undefined;
  if (!group) return 'no-group';
  // Group-level export: the compartments of the group's Patient members (https://hl7.org/fhir/uv/bulkdata/STU2/export.html#endpoint---group-of-patients).
  return new Set((group.member ?? []).map((m) => m.entity.reference ?? '').filter((r) => r.startsWith('Patient/')));
}

function filtersOf(params: URLSearchParams, asked: string[]): TypeFilters {
  const parsed = typeFiltersOf(params, asked.length ? new Set(asked) : undefined);
  return 'filters' in parsed ? parsed.filters : new Map();
}

async function kickOff(request: BulkRequest, level: Level, context: BulkContext): Promise<BulkResponse> {
  const refused = kickOffRefusal(request);
  if (refused) return refused;
  const patients = await patientsOf(level, context);
  if (patients === 'no-group') return refuse(404, 'not-found', 'the Group of this export does not exist');
  const repo = memoryRepositoryOf(context.repository);
  const asked = requestedTypes(request.params);
  const since = request.params.get('_since');
  const selection: ExportSelection = {
    types: asked.length ? [...new Set(asked)] : storedTypes(repo),
    askedTypes: asked.length ? new Set(asked) : undefined,
    typeFilters: filtersOf(request.params, asked),
    sinceMs: since === null ? undefined : Date.parse(since),
    patients,
    anyPatient: level.kind === 'patient',
  };
  const transactionTime = new Date().toISOString();
  const job = runExportJob(repo, { id: randomUUID(), request: request.url, transactionTime }, selection, context.exportDir);
  jobsOf(context.repository).set(job.id, job);
  // A write right after this one must carry a later meta.lastUpdated than transactionTime, or a `_since` export
  // from this transactionTime would miss it: the request queue is held until the clock has moved on.
  await new Promise((resolve) => setTimeout(resolve, 2));
  return { ...information(202, 'export accepted; poll the Content-Location URL'), headers: { 'content-type': 'application/fhir+json; charset=utf-8', 'content-location': `${context.baseUrl}/${STATUS}/${job.id}` } };
}

/** The completion manifest (https://hl7.org/fhir/uv/bulkdata/STU2/export.html#response---complete-status). */
function manifest(job: ExportJob, context: BulkContext): Record<string, unknown> {
  return {
    transactionTime: job.transactionTime,
    request: job.request,
    requiresAccessToken: context.requiresAccessToken ?? false,
    output: job.outputs.map((o) => ({ type: o.type, url: `${context.baseUrl}/${FILE}/${job.id}/${o.name}`, count: o.count })),
    error: [],
    ...(job.deleted.length ? { deleted: job.deleted.map((o) => ({ type: o.type, url: `${context.baseUrl}/${FILE}/${job.id}/${o.name}`, count: o.count })) } : {}),
  };
}

function statusRoute(method: string, id: string, context: BulkContext): BulkResponse {
  const jobs = jobsOf(context.repository);
  const job = jobs.get(id);
  if (!job) return refuse(404, 'not-found', 'no export job with this id (finished and deleted, or never started)');
  if (method === 'DELETE') {
    jobs.delete(id);
    removeJobFiles(job);
    return information(202, 'export job deleted');
  }
  if (method !== 'GET') return refuse(405, 'not-supported', `${method} is not allowed on an export status URL`);
  return { status: 200, headers: { 'content-type': 'application/json; charset=utf-8', expires: new Date(Date.now() + 3_600_000).toUTCString() }, body: JSON.stringify(manifest(job, context)) };
}

function fileRoute(method: string, id: string, name: string, context: BulkContext): BulkResponse {
  if (method !== 'GET') return refuse(405, 'not-supported', `${method} is not allowed on an export file`);
  const job = jobsOf(context.repository).get(id);
  const output = job?.outputs.find((o) => o.name === name) ?? job?.deleted.find((o) => o.name === name);
  if (!job || !output) return refuse(404, 'not-found', 'no such export file (the job was deleted, or the name is wrong)');
  const headers = { 'content-type': NDJSON };
  if ('dir' in job.files) return { status: 200, headers, body: '', file: `${job.files.dir}/${output.name}` };
  return { status: 200, headers, body: job.files.texts.get(output.name) ?? '' };
}
