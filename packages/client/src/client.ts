import type { Bundle, CapabilityStatement, FhirResource, OperationOutcome } from 'fhir/r4.js';
import { createTokenSource } from './auth/token-source.js';
import { FhirError } from './errors.js';
import { FhirPromise } from './fhir-promise.js';
import { FhirKitAdapter, type RequestPlan } from './internal/fhir-kit-adapter.js';
import { walkPages, walkResources } from './internal/paging.js';
import { toQueryRecord } from './internal/query.js';
import { abortableSleep, isAllConditionalBundle, isRepeatable } from './internal/retry.js';
import { runBulkExport } from './internal/bulk-export-run.js';
import type { BulkExportJob, BulkExportOptions } from './bulk-export.js';
import { Transport, type RawResponse } from './internal/transport.js';
import { globalFetchIsUndici } from './internal/undici-redirect.js';
import { ResourceCache } from './internal/peer-lookup.js';
import { pendingTestHooks } from './internal/test-hooks.js';
import { recordAll, type RecordAllOptions, type RecordAllSummary, type RecordEntries } from './record-all.js';
import type { SearchParamsFor } from './search-params.js';
import type { CreateOptions, PeerFhirClientOptions, SearchAllOptions, SearchPagesOptions, UpdateOptions } from './client-options.js';
import type { FetchLike, FhirResponse, RequestOptions, ResourceFor, ResourceType, Retrieved } from './types.js';

/** Pages followed when neither the call nor the client sets `maxPages`. */
const DEFAULT_PAGE_LIMIT = 10_000;

/**
 * Typed FHIR R4 REST client with retries, auth, paging and idempotent bulk writes.
 *
 * See https://hl7.org/fhir/R4/http.html.
 * @example
 * ```ts
 * const client = new PeerFhirClient({ baseUrl: 'https://fhir.example.org/r4', auth: process.env.FHIR_TOKEN });
 * const enc = await client.read('Encounter', 'e1'); // Retrieved<Encounter>
 * ```
 * @category Client
 */
export class PeerFhirClient {
  readonly #adapter: FhirKitAdapter;
  readonly #transport: Transport;
  readonly #pageLimit: number;
  readonly #sleep: (ms: number, signal?: AbortSignal) => Promise<void>;

  constructor(options: PeerFhirClientOptions) {
    if (!options?.baseUrl) throw new TypeError('PeerFhirClient: baseUrl is required');
    const hooks = pendingTestHooks.get(options) ?? {};
    this.#adapter = new FhirKitAdapter(options.baseUrl);
    const fetchImpl: FetchLike = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.#transport = new Transport({
      baseUrl: this.#adapter.baseUrl,
      fetch: fetchImpl,
      tokenSource: options.auth === undefined ? undefined : createTokenSource(options.auth, fetchImpl),
      maxRetries: options.maxRetries ?? 2,
      timeoutMs: options.timeoutMs ?? 60_000,
      logger: options.logger,
      userAgent: options.userAgent,
      headers: options.headers,
      allowedOrigins: options.allowedOrigins,
      maxResponseBytes: options.maxResponseBytes,
      undiciFetch: options.fetch === undefined && globalFetchIsUndici(),
      sleep: hooks.sleep,
      random: hooks.random,
    });
    this.#pageLimit = options.maxPages ?? DEFAULT_PAGE_LIMIT;
    this.#sleep = hooks.sleep ?? abortableSleep;
  }

  /** The base URL, without a trailing slash. */
  get baseUrl(): string {
    return this.#adapter.baseUrl;
  }

  /**
   * Reads the current version of a resource: `GET [base]/[type]/[id]`.
   *
   * See https://hl7.org/fhir/R4/http.html#read.
   * @example
   * ```ts
   * const enc = await client.read('Encounter', 'e1'); // enc.id: string
   * ```
   * @category Read
   */
  read<K extends ResourceType>(type: K, id: string, opts: RequestOptions = {}): FhirPromise<Retrieved<ResourceFor<K>>> {
    return this.#run(this.#adapter.read(type, id), opts, true);
  }

  /**
   * Reads one version of a resource: `GET [base]/[type]/[id]/_history/[vid]`.
   *
   * See https://hl7.org/fhir/R4/http.html#vread.
   * @example
   * ```ts
   * const v1 = await client.vread('CarePlan', 'cp1', '1');
   * ```
   * @category Read
   */
  vread<K extends ResourceType>(type: K, id: string, versionId: string, opts: RequestOptions = {}): FhirPromise<Retrieved<ResourceFor<K>>> {
    return this.#run(this.#adapter.vread(type, id, versionId), opts, true);
  }

  /**
   * Creates a resource: `POST [base]/[type]`, conditional with `ifNoneExist`.
   *
   * Plain creates are never retried (a repeat could duplicate); conditional creates are.
   * A 200 answer to a conditional create means the resource already existed.
   * See https://hl7.org/fhir/R4/http.html#create and https://hl7.org/fhir/R4/http.html#ccreate.
   * @example
   * ```ts
   * const { data, status, location } = await client
   *   .create(patient, { ifNoneExist: { identifier: 'urn:example:mrn|123' } })
   *   .withResponse(); // status 201 created, 200 existing
   * ```
   * @category Write
   */
  create<T extends FhirResource>(resource: T, opts: CreateOptions = {}): FhirPromise<Retrieved<T>> {
    const { ifNoneExist, ...rest } = opts;
    // A string is sent verbatim; a record or URLSearchParams is form-encoded.
    const criteria = ifNoneExist === undefined || typeof ifNoneExist === 'string' ? ifNoneExist : new URLSearchParams(flattenQuery(ifNoneExist)).toString();
    const headers: Record<string, string> = { prefer: 'return=representation', ...rest.headers };
    if (criteria) headers['if-none-exist'] = criteria;
    const repeatable = isRepeatable('POST', { ifNoneExist: criteria });
    return this.#run(this.#adapter.create(resource.resourceType, resource), { ...rest, headers }, repeatable);
  }

  /**
   * Updates a resource by id: `PUT [base]/[type]/[id]`, with `If-Match` from `meta.versionId`.
   *
   * See https://hl7.org/fhir/R4/http.html#update and https://hl7.org/fhir/R4/http.html#concurrency.
   * @example
   * ```ts
   * const goal = await client.read('Goal', 'g1');
   * await client.update({ ...goal, lifecycleStatus: 'completed' }); // If-Match: W/"<versionId>"
   * ```
   * @category Write
   */
  update<T extends FhirResource>(resource: T, opts: UpdateOptions = {}): FhirPromise<Retrieved<T>> {
    const { ifMatch, ...rest } = opts;
    if (!resource.id) throw new TypeError('update() needs a resource with an id');
    const headers: Record<string, string> = { prefer: 'return=representation', ...rest.headers };
    const version = ifMatch === false ? undefined : (ifMatch ?? resource.meta?.versionId);
    if (version) headers['if-match'] = /^(W\/)?"/.test(version) ? version : `W/"${version}"`;
    return this.#run(this.#adapter.update(resource.resourceType, resource.id, resource), { ...rest, headers }, true);
  }

  /**
   * Deletes a resource: `DELETE [base]/[type]/[id]`; resolves with the OperationOutcome, if any.
   *
   * See https://hl7.org/fhir/R4/http.html#delete.
   * @example
   * ```ts
   * await client.delete('Task', 't1');
   * ```
   * @category Write
   */
  delete<K extends ResourceType>(type: K, id: string, opts: RequestOptions = {}): FhirPromise<OperationOutcome | undefined> {
    return this.#run(this.#adapter.delete(type, id), opts, true);
  }

  /**
   * Searches one resource type: `GET [base]/[type]?params`; returns one page (a searchset Bundle).
   *
   * See https://hl7.org/fhir/R4/http.html#search and https://hl7.org/fhir/R4/search.html.
   * @example
   * ```ts
   * const page = await client.search('Encounter', { patient: 'Patient/1', date: ['ge2024-01-01', 'lt2024-02-01'], _count: 50 });
   * ```
   * @category Search
   */
  search<K extends ResourceType>(type: K, params?: SearchParamsFor<K>, opts: RequestOptions = {}): FhirPromise<Bundle<Retrieved<ResourceFor<K>>>> {
    return this.#run(this.#planSearch(type, params), opts, true);
  }

  /**
   * Fetches the page after `bundle` (its `next` link); resolves `undefined` on the last page.
   * A link off the base URL's origin is refused with `FhirOriginRefusedError` before anything is sent, unless its
   * origin is in `allowedOrigins` (then it is fetched without custom headers or token).
   *
   * See https://hl7.org/fhir/R4/http.html#paging.
   * @example
   * ```ts
   * let page: Bundle | undefined = await client.search('Goal', { _count: 20 });
   * while (page) page = await client.nextPage(page);
   * ```
   * @category Search
   */
  async nextPage<B extends Bundle>(bundle: B, opts: RequestOptions = {}): Promise<B | undefined> {
    const plan = await this.#adapter.nextPage(bundle);
    if (plan === undefined) return undefined;
    const res = await this.#transport.send(plan, { ...opts, repeatable: true });
    return res.body as B;
  }

  /**
   * Iterates search result pages, following `next` links.
   *
   * See https://hl7.org/fhir/R4/http.html#paging.
   * @example
   * ```ts
   * for await (const page of client.searchPages('Encounter', { _count: 100 }, { maxPages: 5 })) save(page);
   * ```
   * @category Search
   */
  searchPages<K extends ResourceType>(
    type: K,
    params?: SearchParamsFor<K>,
    opts: SearchPagesOptions = {},
  ): AsyncGenerator<Bundle<Retrieved<ResourceFor<K>>>, void, undefined> {
    const { maxPages, ...request } = opts;
    return walkPages(
      () => this.search(type, params, request),
      (bundle) => this.nextPage(bundle, request),
      { maxPages, pageLimit: this.#pageLimit, signal: request.signal },
      `${this.baseUrl}/${type}`,
      `${type}?…`,
    );
  }

  /**
   * Iterates every matching resource across pages (skips `_include`d resources and outcomes).
   *
   * See https://hl7.org/fhir/R4/http.html#paging.
   * @example
   * ```ts
   * for await (const goal of client.searchAll('Goal', { patient: 'Patient/1' }, { maxResources: 1000 })) console.log(goal.id);
   * ```
   * @category Search
   */
  searchAll<K extends ResourceType>(
    type: K,
    params?: SearchParamsFor<K>,
    opts: SearchAllOptions = {},
  ): AsyncGenerator<Retrieved<ResourceFor<K>>, void, undefined> {
    const { maxResources, ...pageOpts } = opts;
    return walkResources(this.searchPages(type, params, pageOpts), type, maxResources);
  }

  /**
   * Runs a transaction Bundle: `POST [base]`. Retried only if every entry is conditional or idempotent.
   *
   * See https://hl7.org/fhir/R4/http.html#transaction.
   * @example
   * ```ts
   * const res = await client.transaction({ resourceType: 'Bundle', type: 'transaction', entry: [
   *   { resource: patient, request: { method: 'POST', url: 'Patient', ifNoneExist: 'identifier=urn:example:mrn|1' } },
   * ] });
   * ```
   * @category Bundles
   */
  transaction(bundle: Bundle, opts: RequestOptions = {}): FhirPromise<Bundle> {
    return this.#run(this.#adapter.transaction({ ...bundle, type: 'transaction' }), opts, isAllConditionalBundle(bundle));
  }

  /**
   * Runs a batch Bundle: `POST [base]`; each entry succeeds or fails on its own.
   *
   * See https://hl7.org/fhir/R4/http.html#transaction.
   * @example
   * ```ts
   * const res = await client.batch({ resourceType: 'Bundle', type: 'batch', entry: [{ request: { method: 'GET', url: 'Patient/1' } }] });
   * ```
   * @category Bundles
   */
  batch(bundle: Bundle, opts: RequestOptions = {}): FhirPromise<Bundle> {
    return this.#run(this.#adapter.batch({ ...bundle, type: 'batch' }), opts, isAllConditionalBundle(bundle));
  }

  /**
   * Reads history: `GET [base]/[type]/[id]/_history`, or `[base]/[type]/_history` without an id.
   *
   * See https://hl7.org/fhir/R4/http.html#history.
   * @example
   * ```ts
   * const versions = await client.history('CarePlan', 'cp1');
   * ```
   * @category Read
   */
  history<K extends ResourceType>(type: K, id?: string, opts: RequestOptions = {}): FhirPromise<Bundle<Retrieved<ResourceFor<K>>>> {
    return this.#run(this.#adapter.history(type, id), opts, true);
  }

  /**
   * Reads the server's CapabilityStatement: `GET [base]/metadata`.
   *
   * See https://hl7.org/fhir/R4/http.html#capabilities.
   * @example
   * ```ts
   * const cs = await client.capabilities(); console.log(cs.fhirVersion);
   * ```
   * @category Read
   */
  capabilities(opts: RequestOptions = {}): FhirPromise<CapabilityStatement> {
    return this.#run(this.#adapter.capabilities(), opts, true);
  }

  /**
   * Writes many records idempotently in transaction bundles, with bounded concurrency,
   * retries and a per-record outcome. Each record is an array of conditional Bundle entries
   * that must land together. Re-running the same input creates nothing new. Transactions are sent with
   * `Prefer: return=minimal`, since only each entry's status and location are read (pass your own `prefer` in
   * `headers` to override).
   *
   * See https://hl7.org/fhir/R4/http.html#transaction and https://hl7.org/fhir/R4/http.html#ccreate.
   * @example
   * ```ts
   * const summary = await client.recordAll(records, { bundleSize: 100, concurrency: 4, onProgress: (p) => console.log(p.done, '/', p.total) });
   * ```
   * @category Bundles
   */
  recordAll(records: readonly RecordEntries[], opts: RecordAllOptions = {}): Promise<RecordAllSummary> {
    // Stored resources behind a conditional create that answered 200 are read back (by `_id`, chunked) and compared.
    return recordAll((bundle, reqOpts) => this.transaction(bundle, reqOpts), records, opts, (refs, reqOpts) => new ResourceCache(this).getAll(refs, reqOpts, true));
  }

  /**
   * Runs a FHIR Bulk Data export: kick-off with `Prefer: respond-async`, status polling that honours `Retry-After`
   * (429 included) and reports `X-Progress` to `onProgress`, then the completion manifest. The returned job streams
   * each NDJSON file as you iterate it (bounded memory, gzip unpacked). Files on the base origin are fetched as usual;
   * a file on another origin only when that origin is in `allowedOrigins`, and the token goes there only when the
   * manifest says `requiresAccessToken: true`. Abort (`signal`), failure or timeout while polling deletes the job;
   * call `job.delete()` when done.
   *
   * See https://hl7.org/fhir/uv/bulkdata/STU2/export.html.
   * @throws FhirError subclasses for a refused kick-off (the server's OperationOutcome on the error)
   * @throws FhirBulkExportExpiredError when the status URL answers 404/410
   * @throws FhirBulkExportFailedError when the job fails, the manifest is invalid or polling times out
   * @example
   * ```ts
   * const job = await client.bulkExport({ level: 'patient', types: ['Patient', 'Encounter'], since: '2025-01-01T00:00:00Z' });
   * try {
   *   for await (const resource of job.resources()) console.log(resource.resourceType);
   * } finally {
   *   await job.delete();
   * }
   * ```
   * @category Bulk Data
   */
  bulkExport(opts: BulkExportOptions = {}): Promise<BulkExportJob> {
    return runBulkExport({ baseUrl: this.baseUrl, send: (plan, sendOpts) => this.#transport.send(plan, sendOpts), sleep: this.#sleep }, opts);
  }

  #planSearch(type: string, params: unknown): Promise<RequestPlan> {
    return this.#adapter.search(type, toQueryRecord(params));
  }

  #run<T>(plan: Promise<RequestPlan>, opts: RequestOptions, repeatable: boolean): FhirPromise<T> {
    return new FhirPromise<T>(
      plan.then(async (p) => {
        const res = await this.#transport.send(p, { ...opts, repeatable });
        return this.#toResponse<T>(p, await this.#followLocation(p, res, opts));
      }),
    );
  }

  // A server answering `Prefer: return=minimal` style (no body) still gets us the resource.
  async #followLocation(plan: RequestPlan, res: RawResponse, opts: RequestOptions): Promise<RawResponse> {
    if (res.body !== undefined || (plan.method !== 'POST' && plan.method !== 'PUT') || plan.url === this.baseUrl) return res;
    const location = res.headers.get('location') ?? res.headers.get('content-location');
    if (!location) return res;
    let url: string;
    try {
      url = new URL(location, `${this.baseUrl}/`).toString();
    } catch {
      return res; // not a URL: nothing to follow
    }
    // The transport refuses a Location off the base origin (FhirOriginRefusedError) before connecting.
    const read = await this.#transport.send({ method: 'GET', url, headers: {}, body: undefined, template: `(Location of ${plan.template ?? 'a write'})` }, { ...opts, repeatable: true });
    return { ...read, status: res.status, headers: res.headers };
  }

  #toResponse<T>(plan: RequestPlan, res: RawResponse): FhirResponse<T> {
    if (res.body !== undefined && (typeof res.body !== 'object' || res.body === null)) {
      const template = plan.template ?? '(request)';
      throw new FhirError({ status: res.status, method: plan.method, url: plan.url, template, summary: `${plan.method} ${template} returned a body that is not a JSON object` });
    }
    return {
      data: res.body as T,
      status: res.status,
      etag: res.headers.get('etag') ?? undefined,
      location: res.headers.get('location') ?? res.headers.get('content-location') ?? undefined,
      lastModified: res.headers.get('last-modified') ?? undefined,
      headers: res.headers,
    };
  }
}

function flattenQuery(q: Record<string, string | string[]> | URLSearchParams): [string, string][] {
  if (q instanceof URLSearchParams) return [...q];
  return Object.entries(q).flatMap(([k, v]) => (Array.isArray(v) ? v.map((x): [string, string] => [k, x]) : [[k, v] as [string, string]]));
}
