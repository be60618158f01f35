import type { Bundle, FhirResource } from 'fhir/r4.js';
import { FhirAbortError } from '../errors.js';

export interface PageWalkOptions {
  maxPages?: number | undefined;
  signal?: AbortSignal | undefined;
}

/** Yields the first bundle, then follows `next` links until none, `maxPages`, or abort. */
export async function* walkPages<B extends Bundle>(
  first: () => Promise<B>,
  next: (bundle: B) => Promise<B | undefined>,
  opts: PageWalkOptions,
  url: string,
): AsyncGenerator<B, void, undefined> {
  const maxPages = opts.maxPages ?? Number.POSITIVE_INFINITY;
  if (maxPages <= 0) return;
  let page: B | undefined = await first();
  for (let n = 1; page !== undefined; n++) {
    yield page;
    if (n >= maxPages) return;
    if (opts.signal?.aborted) throw new FhirAbortError({ method: 'GET', url, cause: opts.signal.reason, summary: 'search paging aborted' });
    page = await next(page);
  }
}

/** Yields matched resources of `type` (skipping `_include`s and outcomes) up to `maxResources`. */
export async function* walkResources<R extends FhirResource>(
  pages: AsyncGenerator<Bundle<R>, void, undefined>,
  type: string,
  maxResources: number | undefined,
): AsyncGenerator<R, void, undefined> {
  const limit = maxResources ?? Number.POSITIVE_INFINITY;
  if (limit <= 0) return;
  let count = 0;
  for await (const page of pages) {
    for (const entry of page.entry ?? []) {
      const resource = entry.resource;
      if (!resource || resource.resourceType !== type) continue;
      if (entry.search?.mode !== undefined && entry.search.mode !== 'match') continue;
      yield resource;
      if (++count >= limit) return;
    }
  }
}
