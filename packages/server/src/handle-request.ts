import { allOk, getStatus, isResourceType, normalizeOperationOutcome } from '@medplum/core';
import type { Bundle, BundleEntry, OperationOutcome, Resource } from 'fhir/r4.js';
import { beginWrites, commitWrites, identifierQuery, rollbackWrites, searchTexts, sqliteStoreOf, storedMatches } from './indexed-repository.js';
import { isCreateOnly, processCreates, routeRequest, searchRequestOf, versionsOf } from './medplum/index.js';
import { errorOutcome, issuesOutcome } from './internal/outcome.js';
import { bulkExportRoute } from './bulk-export.js';
import { capabilityStatement } from './capability-statement.js';
import { loadFhirDefinitions } from './definitions.js';
import { addPageLinks, normalizePaging, searchsetBytes, type PageWindow } from './paging.js';
import { memoryRepositoryOf, type FhirTestRepository } from './repository.js';
import { checkSearchQuery } from './search-guard.js';
import { addTargetProvenance, takeRevinclude, withoutRevinclude } from './revinclude.js';
import { validationIssues } from './validate.js';
import { RequestLine } from './request-line.js';

/**
 * A transport-neutral HTTP request: what node:http and msw both turn into.
 * @category Embedded server
 */
export interface FhirHttpRequest {
  method: string;
  /** Absolute URL, including the query string. */
  url: string;
  /** Header names in lower case. */
  headers: Record<string, string | undefined>;
  body?: string;
}

/**
 * A transport-neutral HTTP response.
 * @category Embedded server
 */
export interface FhirHttpResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  /**
   * The body's UTF-8 bytes, when the server has them as bytes already (a search on the SQLite store, its resources
   * copied as stored): a transport sends these rather than encoding `body` again. `body` is always the same text.
   */
  bytes?: Uint8Array;
  /** A file whose content is the body (a Bulk Data output in a data folder), for the transport to stream; `body` is then empty. */
  file?: string;
}

/** A response the server gives instead of processing the request. */
interface Refusal {
  status: number;
  outcome: OperationOutcome;
}

/**
 * What a request is served against.
 * @category Embedded server
 */
export interface FhirRequestContext {
  /** Base URL the server answers under, without a trailing slash. */
  baseUrl: string;
  repository: FhirTestRepository;
  validate: boolean;
  /** Deepest JSON nesting a request body may have (default {@link DEFAULT_MAX_DEPTH}); deeper is answered 400. */
  maxDepth?: number;
  /** Folder for Bulk Data export files (`[dataDir]/exports`); default: kept in memory with the store. */
  exportDir?: string | undefined;
  /** The manifest's `requiresAccessToken`: true when the server checks a bearer token. Default false. */
  requiresAccessToken?: boolean | undefined;
}

/**
 * Deepest JSON nesting of a request body the server reads by default. R4 resources nest a dozen levels or so.
 * @category Embedded server
 */
export const DEFAULT_MAX_DEPTH = 100;

/**
 * True when the JSON text nests objects/arrays deeper than `max`. Checked before parsing: a resource nested thousands
 * of levels deep parses, but then overflows the stack of every recursive walk (storing, serializing, validating).
 */
export function nestsDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    // Most of a FHIR body is string content (keys and values): jumped over with indexOf, not read a character at a time.
    if (c === 0x22) i = closingQuote(text, i);
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}

/** The position of the quote that closes the JSON string opened at `open` (the text's length when none does). */
function closingQuote(text: string, open: number): number {
  let quote = open;
  for (;;) {
    quote = text.indexOf('"', quote + 1);
    if (quote < 0) return text.length;
    // Escaped when an odd number of backslashes precede it (the opening quote stops the walk back).
    let before = quote - 1;
    while (text.charCodeAt(before) === 0x5c) before--;
    if ((quote - 1 - before) % 2 === 0) return quote;
  }
}

const FHIR_JSON = 'application/fhir+json; charset=utf-8';
const lines = new WeakMap<FhirTestRepository, RequestLine<FhirHttpResponse>>();

/**
 * Serve one FHIR REST request. The single implementation behind both the HTTP server and the msw
 * handlers of `@peer-fhir/testing`, so the two cannot diverge. Never throws: failures become an OperationOutcome.
 * The door checks of {@link startFhirServer} (Host, Origin, token, body size, content type) are the transport's;
 * the nesting depth limit is checked here.
 *
 * @param request - the HTTP request: method, path, query, headers, body
 * @param context - the repository and limits to serve it from
 * @returns the HTTP response: status, headers and a FHIR body
 * @example
 * ```ts
 * const repository = createFhirRepository();
 * const res = await handleFhirRequest(
 *   { method: 'GET', url: 'https://ehr.test/fhir/Patient?_count=1', headers: {} },
 *   { baseUrl: 'https://ehr.test/fhir', repository, validate: false },
 * );
 * // res.status === 200, res.body is a searchset Bundle
 * ```
 * @category Embedded server
 */
export async function handleFhirRequest(request: FhirHttpRequest, context: FhirRequestContext): Promise<FhirHttpResponse> {
  // One request at a time per store (request-line.ts): a transaction's rollback must not swallow writes made by a
  // concurrent request. On the SQLite store a request that may write runs in the store's transaction and is answered
  // only after the COMMIT that covers it returned (with the write-ahead log and synchronous=FULL it is then on disk);
  // a failed request or COMMIT answers 500 and keeps nothing of it.
  let line = lines.get(context.repository);
  if (!line) lines.set(context.repository, (line = new RequestLine(internalError)));
  const kind = request.method === 'GET' || request.method === 'HEAD' ? 'read' : 'write';
  const sqlite = kind === 'write' ? sqliteStoreOf(memoryRepositoryOf(context.repository)) : undefined;
  return line.serve(kind, sqlite, () => dispatch(request, context));
}

function internalError(err: unknown): FhirHttpResponse {
  // The class name only: a message may quote a value from the request.
  const kind = err instanceof Error ? err.name : 'error';
  return outcomeResponse(500, errorOutcome('exception', `Internal error in the embedded FHIR server (${kind}); nothing was written`));
}

interface Parsed {
  method: string;
  segments: string[];
  params: URLSearchParams;
  headers: Record<string, string>;
  body: unknown;
}

async function dispatch(request: FhirHttpRequest, context: FhirRequestContext): Promise<FhirHttpResponse> {
  loadFhirDefinitions();
  const url = new URL(request.url);
  const basePath = new URL(context.baseUrl).pathname.replace(/\/+$/, '');
  if (url.pathname !== basePath && !url.pathname.startsWith(`${basePath}/`)) {
    return outcomeResponse(404, errorOutcome('not-found', `${url.pathname} is outside the FHIR base ${basePath || '/'}`));
  }
  const rest = url.pathname.slice(basePath.length).replace(/^\/+|\/+$/g, '');
  const segments = rest ? rest.split('/').map((s) => decodeURIComponent(s)) : [];
  const method = request.method.toUpperCase();
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) if (value !== undefined) headers[name.toLowerCase()] = value;
  const parsed: Parsed = { method, segments, params: new URLSearchParams(url.search), headers, body: undefined };

  const bulk = await bulkExportRoute({ method, url: request.url, segments, params: parsed.params, headers }, context);
  if (bulk) return bulk;
  if (segments.some((s) => s.startsWith('$'))) {
    return outcomeResponse(501, errorOutcome('not-supported', `operation ${segments.find((s) => s.startsWith('$'))} is not supported by the embedded server`));
  }
  if (segments.length === 1 && segments[0] === 'metadata') {
    if (method !== 'GET') return methodNotAllowed(method, 'metadata');
    return jsonResponse(200, capabilityStatement(context.baseUrl));
  }
  const [type, second, third] = segments;
  if (type === '_history' || second === '_history' && segments.length === 2) {
    return outcomeResponse(501, errorOutcome('not-supported', 'system and type-level history are not supported by the embedded server; use Type/id/_history'));
  }
  if (type !== undefined && !isResourceType(type)) {
    return outcomeResponse(400, errorOutcome('not-supported', `Unknown resource type '${type}'`));
  }
  if (segments.length === 3 && third !== '_history') {
    return isResourceType(third ?? '')
      ? outcomeResponse(501, errorOutcome('not-supported', `compartment search (${segments.join('/')}) is not supported by the embedded server; search ${third}?patient=${type}/${second} or subject=${type}/${second} instead`))
      : outcomeResponse(404, errorOutcome('not-found', `No route for ${method} ${segments.join('/')}`));
  }

  if (method === 'POST' && segments.length === 2 && second === '_search') {
    // POST [base]/[type]/_search carries the query as a form body (https://hl7.org/fhir/R4/http.html#search).
    for (const [k, v] of new URLSearchParams(request.body ?? '')) parsed.params.append(k, v);
    return search(type ?? '', parsed, context);
  }
  if (method === 'POST' || method === 'PUT' || method === 'PATCH') {
    if (!request.body?.trim()) return outcomeResponse(400, errorOutcome('required', `${method} requires a JSON request body`));
    const maxDepth = context.maxDepth ?? DEFAULT_MAX_DEPTH;
    if (nestsDeeperThan(request.body, maxDepth)) {
      return outcomeResponse(400, errorOutcome('too-costly', `the request body nests deeper than ${maxDepth} levels`));
    }
    try {
      parsed.body = JSON.parse(request.body);
    } catch {
      return outcomeResponse(400, errorOutcome('structure', 'Request body is not valid JSON'));
    }
  }

  if (segments.length === 0) {
    if (method === 'POST') return bundle(parsed, context);
    if (method === 'GET') return outcomeResponse(501, errorOutcome('not-supported', 'system-level search is not supported by the embedded server; search one resource type'));
    return methodNotAllowed(method, '[base]');
  }
  if (segments.length === 1) {
    if (method === 'GET') return search(type ?? '', parsed, context);
    if (method === 'POST') return create(type ?? '', parsed, context);
    // Conditional update / delete / patch: https://hl7.org/fhir/R4/http.html#cond-update
    if ([...parsed.params].length === 0) return outcomeResponse(400, errorOutcome('required', `conditional ${method} needs search parameters`));
    const rejection = checkSearchQuery(type ?? '', parsed.params);
    if (rejection) return outcomeResponse(rejection.status, rejection.outcome);
    if (method === 'PUT' && context.validate) {
      const issues = validationIssues(parsed.body);
      if (issues.length) return outcomeResponse(400, issuesOutcome(issues));
    }
    return forward(parsed, context);
  }
  if (segments.length === 2) {
    if (method === 'PUT') return update(type ?? '', second ?? '', parsed, context);
    return forward(parsed, context);
  }
  if (segments.length === 3 && method === 'GET') return history(type ?? '', second ?? '', context);
  if (segments.length === 4 && third === '_history' && method === 'GET') return forward(parsed, context);
  return outcomeResponse(404, errorOutcome('not-found', `No route for ${method} ${segments.join('/')}`));
}

async function search(type: string, parsed: Parsed, context: FhirRequestContext): Promise<FhirHttpResponse> {
  const rev = takeRevinclude(parsed.params);
  if ('status' in rev) return outcomeResponse(rev.status, rev.outcome);
  const rejection = checkSearchQuery(type, rev.query);
  if (rejection) return outcomeResponse(rejection.status, rejection.outcome);
  const window = normalizePaging(parsed.params); // page links keep _revinclude; the router is asked without it
  if (!rev.provenance) {
    const answered = await textSearch(type, window, context);
    if (answered) return answered;
  }
  const [outcome, result] = await routerCall({ ...parsed, method: 'GET', segments: [type], params: withoutRevinclude(window.params), body: undefined }, context);
  if (!isBundle(result)) return routerResponse(outcome, result, context);
  const page = addPageLinks(result, `${context.baseUrl}/${type}`, window, context.baseUrl);
  return jsonResponse(200, rev.provenance ? await addTargetProvenance(page, (ref) => provenanceOf(ref, context), context.baseUrl) : page);
}

/**
 * A search on the SQLite store answered as the router would (assumption A8: the same request to the same `search`),
 * its resources copied into the response as stored: a page of 1,000 Encounters is ~4 MB of JSON that would otherwise be
 * parsed, then serialised again. `undefined` on the in-memory store.
 */
async function textSearch(type: string, window: PageWindow, context: FhirRequestContext): Promise<FhirHttpResponse | undefined> {
  const repo = memoryRepositoryOf(context.repository);
  if (!sqliteStoreOf(repo)) return undefined;
  try {
    const page = await searchTexts(repo, searchRequestOf(type, withoutRevinclude(window.params)));
    if (!page) return undefined;
    return bytesResponse(200, searchsetBytes(type, page, `${context.baseUrl}/${type}`, window, context.baseUrl));
  } catch (err) {
    return routerResponse(normalizeOperationOutcome(err) as OperationOutcome, undefined, context);
  }
}

async function provenanceOf(reference: string, context: FhirRequestContext): Promise<Resource[]> {
  const params = new URLSearchParams({ target: reference, _count: '1000' });
  const [, result] = await routerCall({ method: 'GET', segments: ['Provenance'], params, headers: {}, body: undefined }, context);
  return isBundle(result) ? (result.entry ?? []).flatMap((e) => (e.resource ? [e.resource] : [])) : [];
}

async function create(type: string, parsed: Parsed, context: FhirRequestContext): Promise<FhirHttpResponse> {
  const resource = parsed.body;
  if (context.validate) {
    const issues = validationIssues(resource);
    if (issues.length) return outcomeResponse(400, issuesOutcome(issues));
  }
  stripServerAssigned(resource);
  const ifNoneExist = parsed.headers['if-none-exist'];
  if (ifNoneExist !== undefined) {
    const checked = await checkConditionalCreate(type, ifNoneExist, context);
    if ('status' in checked) return outcomeResponse(checked.status, checked.outcome);
  }
  return forward(parsed, context);
}

async function update(type: string, id: string, parsed: Parsed, context: FhirRequestContext): Promise<FhirHttpResponse> {
  if (context.validate) {
    const issues = validationIssues(parsed.body);
    if (issues.length) return outcomeResponse(400, issuesOutcome(issues));
  }
  const existed = (await context.repository.read(type as never, id)) !== undefined;
  const ifMatch = parsed.headers['if-match'];
  // Medplum only reads a quoted version; a bare `If-Match: 3` would silently skip the check.
  if (ifMatch !== undefined && !ifMatch.includes('"')) parsed.headers['if-match'] = `W/"${ifMatch}"`;
  const response = await forward(parsed, context);
  // Update-as-create answers 201 (https://hl7.org/fhir/R4/http.html#upsert); Medplum says 200.
  if (!existed && response.status === 200) return withCreatedStatus(response, context);
  return response;
}

function withCreatedStatus(response: FhirHttpResponse, context: FhirRequestContext): FhirHttpResponse {
  const resource = JSON.parse(response.body) as Resource;
  return resourceResponse(201, resource, context);
}

async function history(type: string, id: string, context: FhirRequestContext): Promise<FhirHttpResponse> {
  const current = await context.repository.read(type as never, id);
  if (!current) return outcomeResponse(404, errorOutcome('not-found', `${type}/${id} not found`));
  const versions = versionsOf(memoryRepositoryOf(context.repository), type, id).reverse();
  const result: Bundle = {
    resourceType: 'Bundle',
    type: 'history',
    total: versions.length,
    entry: versions.map((resource, index) => ({
      fullUrl: `${context.baseUrl}/${type}/${id}`,
      resource,
      request: { method: index === versions.length - 1 ? 'POST' : 'PUT', url: index === versions.length - 1 ? type : `${type}/${id}` },
      response: { status: index === versions.length - 1 ? '201' : '200', ...versionHeaders(resource) },
    })),
  };
  return jsonResponse(200, result);
}

/** What the pre-flight pass over a bundle's entries found: value-free issues, and each entry's If-None-Exist matches. */
interface Preflight {
  readonly issues: OperationOutcome['issue'];
  /** Each entry's If-None-Exist matches, looked up for the 412 check and reused by `processCreates`. */
  readonly known: (Resource[] | undefined)[];
}

/**
 * One entry before anything is written: method and url present, the resource valid (when the server validates), server
 * assigned fields stripped from a create, and a conditional create or search query the server can answer. Returns the
 * response that refuses the whole bundle, if any.
 */
async function preflightEntry(entry: BundleEntry | undefined, index: number, context: FhirRequestContext, pre: Preflight): Promise<FhirHttpResponse | undefined> {
  const request = entry?.request;
  if (!entry || !request?.method || !request.url) {
    pre.issues.push({ severity: 'error', code: 'required', diagnostics: 'entry.request.method and entry.request.url are required', expression: [`Bundle.entry[${index}].request`] });
    return undefined;
  }
  const { entryType, query } = splitRequestUrl(request.url);
  if (request.method === 'POST' || request.method === 'PUT') {
    if (context.validate) pre.issues.push(...validationIssues(entry.resource, `Bundle.entry[${index}].resource`));
    if (request.method === 'POST') stripServerAssigned(entry.resource);
  }
  let refused: Refusal | undefined;
  if (request.ifNoneExist !== undefined) {
    const checked = await checkConditionalCreate(entryType, request.ifNoneExist, context);
    if ('status' in checked) refused = checked;
    else pre.known[index] = checked.matches;
  }
  const rejection = refused ?? (query !== undefined && isResourceType(entryType) ? checkSearchQuery(entryType, new URLSearchParams(query)) : undefined);
  if (!rejection) return undefined;
  return outcomeResponse(rejection.status, {
    ...rejection.outcome,
    issue: (rejection.outcome.issue ?? []).map((i) => ({ ...i, expression: [`Bundle.entry[${index}].request`] })),
  });
}

/**
 * Run the entries: a create-only bundle through `processCreates` (Medplum's batch semantics without its copies, see
 * medplum/batch-creates.ts), anything else through Medplum's router. Medplum 4.5.2 refuses transactions of more than 8 entries
 * when any entry is conditional ("requires strict isolation"), a guard for its database-backed server; here the write
 * journal gives all-or-nothing, so a transaction's entries go through the router as a batch (same urn:uuid
 * resolution) and the response is reported as a transaction's. A throw rolls a transaction back.
 */
async function runEntries(parsed: Parsed, input: Bundle, known: (Resource[] | undefined)[], context: FhirRequestContext): Promise<[OperationOutcome, Resource | undefined]> {
  const store = memoryRepositoryOf(context.repository);
  const entries = input.entry ?? [];
  const transaction = input.type === 'transaction';
  // Requests to one store are serialized (see `dispatch`), so one write journal at a time is enough.
  if (transaction) beginWrites(store);
  try {
    if (isCreateOnly(entries)) {
      const matches = (type: string, criteria: string): Promise<Resource[]> => storedMatches(store, type, criteria);
      const options = { keepsObjects: sqliteStoreOf(store) === undefined, versionsOnly: prefersMinimal(parsed) };
      const created = await processCreates(store, entries, known, matches, options);
      const response: Bundle = { resourceType: 'Bundle', type: 'batch-response', entry: created };
      return [allOk as OperationOutcome, response];
    }
    return await routerCall(transaction ? { ...parsed, body: { ...input, type: 'batch' as const } } : parsed, context);
  } catch (err) {
    if (transaction) rollbackWrites(store);
    throw err;
  }
}

/**
 * Transactions are all-or-nothing (https://hl7.org/fhir/R4/http.html#trules); Medplum 4.5.2 commits the entries
 * before a failing one, so undo them and report the failure. Returns the refusal, or undefined once committed.
 */
function settleTransaction(result: Bundle, context: FhirRequestContext): FhirHttpResponse | undefined {
  const store = memoryRepositoryOf(context.repository);
  const failedAt = (result.entry ?? []).findIndex((e) => Number.parseInt(e.response?.status ?? '500', 10) >= 400);
  if (failedAt >= 0) {
    rollbackWrites(store);
    const failed = result.entry?.[failedAt]?.response;
    const entryOutcome = (failed?.outcome as OperationOutcome | undefined) ?? errorOutcome('processing', 'entry failed');
    return rolledBack(Number.parseInt(failed?.status ?? '400', 10), entryOutcome, failedAt);
  }
  commitWrites(store);
  return undefined;
}

async function bundle(parsed: Parsed, context: FhirRequestContext): Promise<FhirHttpResponse> {
  const input = parsed.body as Bundle;
  if (input?.resourceType !== 'Bundle' || (input.type !== 'transaction' && input.type !== 'batch')) {
    return outcomeResponse(400, errorOutcome('invalid', 'POST [base] takes a Bundle of type transaction or batch'));
  }
  const entries = input.entry ?? [];
  const pre: Preflight = { issues: [], known: [] };
  // Index loop rather than entries(): this runs for every entry of every bundle, and the iterator results were a
  // measurable share of a bulk write's allocations.
  for (let index = 0; index < entries.length; index++) {
    const refusal = await preflightEntry(entries[index], index, context, pre);
    if (refusal) return refusal;
  }
  if (pre.issues?.length) return outcomeResponse(400, issuesOutcome(pre.issues));
  const transaction = input.type === 'transaction';
  const [outcome, result] = await runEntries(parsed, input, pre.known, context);
  if (!isBundle(result)) {
    if (!transaction) return routerResponse(outcome, result, context);
    rollbackWrites(memoryRepositoryOf(context.repository));
    return rolledBack(getStatus(outcome as never), outcome);
  }
  const refused = transaction ? settleTransaction(result, context) : undefined;
  if (refused) return refused;
  // `Prefer: return=minimal` (https://hl7.org/fhir/R4/http.html#ops) asks for no resource bodies: each entry keeps
  // its status, location and version headers, which is all a bulk writer reads.
  const minimal = prefersMinimal(parsed);
  const type = transaction ? ('transaction-response' as const) : result.type;
  return jsonResponse(200, { ...result, type, entry: result.entry?.map((e) => tidyResponseEntry(e, minimal)) });
}

/** `Prefer: return=minimal` (https://hl7.org/fhir/R4/http.html#ops): no resource bodies in the answer. */
function prefersMinimal(parsed: Parsed): boolean {
  return /\breturn=minimal\b/i.test(parsed.headers['prefer'] ?? '');
}

/** `Type/...?query`: what `url.split('?')` then `split('/')[0]` gave (the query stops at a second '?'). */
function splitRequestUrl(url: string): { entryType: string; query: string | undefined } {
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  const slash = path.indexOf('/');
  const next = q < 0 ? -1 : url.indexOf('?', q + 1);
  return {
    entryType: slash < 0 ? path : path.slice(0, slash),
    query: q < 0 ? undefined : url.slice(q + 1, next < 0 ? undefined : next),
  };
}

function rolledBack(status: number, outcome: OperationOutcome, entryIndex?: number): FhirHttpResponse {
  const where = entryIndex === undefined ? '' : ` at entry ${entryIndex}`;
  return outcomeResponse(status >= 400 ? status : 500, {
    resourceType: 'OperationOutcome',
    issue: (outcome.issue ?? []).map((i) => ({
      ...i,
      diagnostics: `transaction rolled back${where}: ${i.diagnostics ?? i.details?.text ?? 'failed'}`,
      ...(entryIndex === undefined ? {} : { expression: [`Bundle.entry[${entryIndex}]`] }),
    })),
  });
}

function tidyResponseEntry(entry: BundleEntry, minimal = false): BundleEntry {
  // Built by copying rather than `delete`: deleting a property turns an object into a slow dictionary, and these
  // objects are serialized right away (one per entry of every bundle).
  const { outcome, ...given }: Partial<NonNullable<BundleEntry['response']>> = entry.response ?? {};
  const response: NonNullable<BundleEntry['response']> = { ...given, status: given.status ?? '200' };
  const resource = entry.resource;
  if (resource?.id && resource.meta?.versionId) {
    const { etag, lastModified } = versionHeaders(resource);
    if (etag !== undefined) response.etag = etag;
    if (lastModified !== undefined) response.lastModified = lastModified;
    if (response.location) response.location = `${resource.resourceType}/${resource.id}/_history/${resource.meta.versionId}`;
  }
  if (outcome !== undefined && Number.parseInt(response.status, 10) >= 400) response.outcome = outcome;
  const { resource: _resource, response: _response, ...rest } = entry;
  return minimal || resource === undefined ? { ...rest, response } : { ...rest, response, resource };
}

/** A refusal, or the resources the criteria matches now (the store's own objects: read only). */
async function checkConditionalCreate(type: string, query: string, context: FhirRequestContext): Promise<Refusal | { matches: Resource[] }> {
  const bare = query.startsWith('?') ? query.slice(1) : query;
  // The usual `identifier=system|value` is already decoded (and remembered) by the index: no URLSearchParams needed.
  const identifier = identifierQuery(bare);
  const rejection = checkSearchQuery(type, identifier ? [['identifier', identifier.value]] : new URLSearchParams(bare));
  if (rejection) return rejection;
  // Only the count matters here, so the stored objects are looked at rather than copied out through a search.
  const matches = await storedMatches(memoryRepositoryOf(context.repository), type, query);
  if (matches.length > 1) {
    // https://hl7.org/fhir/R4/http.html#ccreate: multiple matches => 412. Medplum 4.5.2 returns the first.
    return { status: 412, outcome: errorOutcome('multiple-matches', `If-None-Exist '${query}' matches ${matches.length} ${type} resources`) };
  }
  return { matches };
}

function stripServerAssigned(resource: unknown): void {
  // The server assigns id and version on create (https://hl7.org/fhir/R4/http.html#create);
  // MemoryRepository 4.5.2 would keep a client-supplied id and could overwrite another resource.
  if (typeof resource !== 'object' || resource === null) return;
  const r = resource as Resource;
  delete r.id;
  if (r.meta) {
    delete r.meta.versionId;
    delete r.meta.lastUpdated;
  }
}

async function forward(parsed: Parsed, context: FhirRequestContext): Promise<FhirHttpResponse> {
  const [outcome, result] = await routerCall(parsed, context);
  return routerResponse(outcome, result, context);
}

async function routerCall(parsed: Parsed, context: FhirRequestContext): Promise<[OperationOutcome, Resource | undefined]> {
  const query = parsed.params.toString();
  const url = parsed.segments.map(encodeURIComponent).join('/') + (query ? `?${query}` : '');
  return routeRequest({ method: parsed.method, url, headers: parsed.headers, body: parsed.body }, memoryRepositoryOf(context.repository));
}

function routerResponse(outcome: OperationOutcome, resource: Resource | undefined, context: FhirRequestContext): FhirHttpResponse {
  const status = getStatus(outcome as never);
  if (status >= 400 || !resource) return outcomeResponse(status, outcome);
  return resourceResponse(status, resource, context);
}

function resourceResponse(status: number, resource: Resource, context: FhirRequestContext): FhirHttpResponse {
  const response = jsonResponse(status, resource);
  const { etag, lastModified } = versionHeaders(resource);
  if (etag) response.headers['etag'] = etag;
  if (lastModified) response.headers['last-modified'] = lastModified;
  if (status === 201 && resource.id) {
    const versionPath = resource.meta?.versionId ? `/_history/${resource.meta.versionId}` : '';
    response.headers['location'] = `${context.baseUrl}/${resource.resourceType}/${resource.id}${versionPath}`;
  }
  return response;
}

function versionHeaders(resource: Resource): { etag?: string; lastModified?: string } {
  if (resource.resourceType === 'Bundle' || resource.resourceType === 'OperationOutcome') return {};
  const headers: { etag?: string; lastModified?: string } = {};
  if (resource.meta?.versionId) headers.etag = `W/"${resource.meta.versionId}"`;
  if (resource.meta?.lastUpdated) headers.lastModified = httpDate(resource.meta.lastUpdated);
  return headers;
}

// The entries of one bundle are stored within a few milliseconds of each other, so most share `lastUpdated`:
// the last conversion is kept rather than parsing and formatting a Date for every entry.
let lastInstant = '';
let lastHttpDate = '';
function httpDate(instant: string): string {
  if (instant !== lastInstant) {
    lastHttpDate = new Date(instant).toUTCString();
    lastInstant = instant;
  }
  return lastHttpDate;
}

function isBundle(resource: Resource | undefined): resource is Bundle {
  return resource?.resourceType === 'Bundle';
}

function methodNotAllowed(method: string, path: string): FhirHttpResponse {
  return outcomeResponse(405, errorOutcome('not-supported', `${method} is not allowed on ${path}`));
}

function outcomeResponse(status: number, outcome: OperationOutcome): FhirHttpResponse {
  return jsonResponse(status, outcome);
}

/** A JSON response given as its UTF-8 bytes: the transport sends them as they are; `body` decodes them when read. */
function bytesResponse(status: number, bytes: Buffer): FhirHttpResponse {
  let body: string | undefined;
  return {
    status,
    headers: { 'content-type': FHIR_JSON },
    bytes,
    get body(): string {
      return (body ??= bytes.toString('utf8'));
    },
  };
}

function jsonResponse<T extends Resource>(status: number, body: T): FhirHttpResponse {
  return { status, headers: { 'content-type': FHIR_JSON }, body: JSON.stringify(body) };
}
