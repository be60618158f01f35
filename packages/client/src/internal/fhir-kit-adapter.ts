/**
 * The only module that imports fhir-kit-client. Nothing from it leaves this file.
 *
 * fhir-kit-client 2.0.3 calls the *global* `fetch` and offers no way to inject one. Every
 * I/O path in it funnels through one method, `HttpClient#request(method, url, options, body)`.
 * We replace that method on our private instance with a planner that returns a
 * {@link RequestPlan} instead of doing I/O. So fhir-kit-client still builds every request
 * (paths, resourceType validation, search-parameter encoding, content-type, next/prev link
 * lookup) and our transport executes the plan with the injected fetch, retries and auth.
 * Side effect: fhir-kit-client's `debug` logging (which prints error bodies) never runs.
 * `test/fhir-kit-assumptions.test.ts` fails when an upgrade changes the version, the method or its routing.
 */
import { Client } from 'fhir-kit-client';
import type { Bundle } from 'fhir/r4.js';
import { FhirError } from '../errors.js';
import { errorFromResponse } from './error-factory.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';

/** A request fhir-kit-client has built and our transport will send. */
export interface RequestPlan {
  method: HttpMethod;
  url: string;
  headers: Record<string, string>;
  body: string | undefined;
  /**
   * What is asked for, without values (`Patient/{id}`, `Encounter?…`, `(next page link)`): the only form of the
   * request that error messages and log lines show. Built from the operation, never from the URL.
   */
  template?: string | undefined;
}

type QueryRecord = Record<string, string[]>;

interface PlannerTarget {
  request: (method: string, url: string, options?: { headers?: Record<string, string> }, body?: unknown) => Promise<unknown>;
  expandUrl: (url?: string) => string;
}

export class FhirKitAdapter {
  readonly #client: Client;
  readonly #base: string;

  constructor(baseUrl: string) {
    this.#base = baseUrl.replace(/\/+$/, '');
    this.#client = new Client({ baseUrl: this.#base });
    const http = this.#client.httpClient as unknown as PlannerTarget;
    if (typeof http?.request !== 'function' || typeof http.expandUrl !== 'function') {
      // Fail loudly if an upgrade moves the I/O choke point instead of silently using global fetch.
      throw new Error('fhir-kit-client internals changed: HttpClient#request not found (adapter pinned to 2.0.3)');
    }
    http.request = async (method, url, options, body) => {
      const plan: RequestPlan = {
        method: method.toUpperCase() as HttpMethod,
        url: this.#normalize(http.expandUrl(url)),
        headers: lowerCaseKeys(options?.headers),
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      };
      return plan;
    };
  }

  /** `[base]` with no trailing slash. */
  get baseUrl(): string {
    return this.#base;
  }

  read(type: string, id: string): Promise<RequestPlan> {
    return this.#plan(() => this.#client.read({ resourceType: type, id: encodeURIComponent(id) }), `${type}/{id}`);
  }

  vread(type: string, id: string, versionId: string): Promise<RequestPlan> {
    return this.#plan(() => this.#client.vread({ resourceType: type, id: encodeURIComponent(id), version: encodeURIComponent(versionId) }), `${type}/{id}/_history/{vid}`);
  }

  create(type: string, body: object): Promise<RequestPlan> {
    return this.#plan(() => this.#client.create({ resourceType: type, body: body as never }), type);
  }

  update(type: string, id: string, body: object): Promise<RequestPlan> {
    return this.#plan(() => this.#client.update({ resourceType: type, id: encodeURIComponent(id), body: body as never }), `${type}/{id}`);
  }

  delete(type: string, id: string): Promise<RequestPlan> {
    return this.#plan(() => this.#client.delete({ resourceType: type, id: encodeURIComponent(id) }), `${type}/{id}`);
  }

  search(type: string, query: QueryRecord): Promise<RequestPlan> {
    return this.#plan(() => this.#client.search({ resourceType: type, searchParams: query }), Object.keys(query).length ? `${type}?…` : type);
  }

  transaction(bundle: Bundle): Promise<RequestPlan> {
    return this.#plan(() => this.#client.transaction({ body: bundle as never }), '[base] (transaction)');
  }

  batch(bundle: Bundle): Promise<RequestPlan> {
    return this.#plan(() => this.#client.batch({ body: bundle as never }), '[base] (batch)');
  }

  history(type: string, id?: string): Promise<RequestPlan> {
    return this.#plan(() =>
      id === undefined ? this.#client.history({ resourceType: type }) : this.#client.history({ resourceType: type, id: encodeURIComponent(id) }),
      id === undefined ? `${type}/_history` : `${type}/{id}/_history`,
    );
  }

  capabilities(): Promise<RequestPlan> {
    return this.#plan(() => this.#client.capabilityStatement(), 'metadata');
  }

  /** Plan for the bundle's `next` link, or undefined when there is none (always a Promise). */
  async nextPage(bundle: Bundle): Promise<RequestPlan | undefined> {
    const link = bundle.link?.find((l) => l.relation === 'next')?.url;
    // fhir-kit-client's expandUrl treats anything not starting with "http" as relative (`file:///x` becomes
    // `[base]/file:///x`): an absolute link of any scheme is kept as it is, for the transport's origin check to refuse.
    if (link !== undefined && /^[a-z][a-z0-9+.-]*:/i.test(link) && !/^https?:/i.test(link)) {
      return { method: 'GET', url: link, headers: {}, body: undefined, template: '(next page link)' };
    }
    const pending = this.#client.nextPage({ bundle: bundle as never });
    return pending === undefined ? undefined : this.#plan(() => pending, '(next page link)');
  }

  async #plan(build: () => Promise<unknown> | undefined, template: string): Promise<RequestPlan> {
    try {
      return { ...((await build()) as RequestPlan), template };
    } catch (thrown) {
      throw fromFhirKitError(thrown);
    }
  }

  // fhir-kit-client posts transactions/batches to `[base]/`; FHIR says `POST [base]`.
  #normalize(url: string): string {
    return url === `${this.#base}/` ? this.#base : url;
  }
}

/**
 * Converts what fhir-kit-client throws into our errors: its HTTP failures are objects shaped
 * `{ response: { status, data }, config: { method, url, headers } }` (not always `Error`s);
 * input validation failures (`Invalid resourceType`) become `TypeError`s.
 */
export function fromFhirKitError(thrown: unknown): Error {
  if (thrown instanceof FhirError) return thrown;
  if (typeof thrown === 'object' && thrown !== null && 'response' in thrown) {
    const { response, config } = thrown as {
      response?: { status?: unknown; data?: unknown };
      config?: { method?: unknown; url?: unknown; headers?: unknown };
    };
    if (typeof response?.status === 'number') {
      return errorFromResponse({
        status: response.status,
        method: typeof config?.method === 'string' ? config.method : 'GET',
        url: typeof config?.url === 'string' ? config.url : '',
        body: response.data,
        headers: config?.headers instanceof Headers ? config.headers : undefined,
      });
    }
  }
  const message = thrown instanceof Error ? thrown.message : 'invalid request';
  return new TypeError(message, { cause: thrown });
}

function lowerCaseKeys(headers: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers ?? {})) out[k.toLowerCase()] = v;
  return out;
}
