import type { FhirResponse } from './types.js';

/**
 * The promise every request method returns: await it for the data, or call
 * `withResponse()` for status, `ETag`, `Location` and headers too (openai-node's APIPromise shape).
 *
 * See https://hl7.org/fhir/R4/http.html#create (Location) and #versioning (ETag).
 * @example
 * ```ts
 * const patient = await client.create(p);                       // data only
 * const { data, etag, location } = await client.create(p).withResponse();
 * ```
 * @category Client
 */
export class FhirPromise<T> extends Promise<T> {
  readonly #response: Promise<FhirResponse<T>>;

  /** @internal */
  constructor(response: Promise<FhirResponse<T>>) {
    // The base promise is never used: `then` is routed to `#response`.
    super((resolve) => resolve(undefined as T));
    this.#response = response;
  }

  // Derived promises (`.then(...)` results) are plain Promises.
  static override get [Symbol.species](): PromiseConstructor {
    return Promise;
  }

  /** The data together with status and HTTP headers. */
  withResponse(): Promise<FhirResponse<T>> {
    return this.#response;
  }

  override then<R1 = T, R2 = never>(
    onfulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    return this.#response.then((r) => r.data).then(onfulfilled, onrejected);
  }
}
