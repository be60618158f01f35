import type { Bundle, FhirResource } from 'fhir/r4.js';
import { FhirAbortError, FhirPagingLimitError, FhirPagingLoopError } from '../errors.js';

export interface PageWalkOptions {
  /** The caller's limit: stop quietly after this many pages. */
  maxPages?: number | undefined;
  /** The client's limit, used when the caller gives none: reaching it with pages left is an error. */
  pageLimit: number;
  signal?: AbortSignal | undefined;
}

function nextLink(bundle: Bundle): string | undefined {
  return bundle.link?.find((l) => l.relation === 'next')?.url;
}

/**
 * Yields the first bundle, then follows `next` links until none, `maxPages`, or abort. A `next` link seen before
 * means the server would be followed forever (FhirPagingLoopError); running into the client's page limit with a
 * link left means the results would be incomplete (FhirPagingLimitError).
 */
export async function* walkPages<B extends Bundle>(
  first: () => Promise<B>,
  next: (bundle: B) => Promise<B | undefined>,
  opts: PageWalkOptions,
  url: string,
  template: string,
): AsyncGenerator<B, void, undefined> {
  const maxPages = opts.maxPages ?? opts.pageLimit;
  if (maxPages <= 0) return;
  const seen = new Set<string>();
  let page: B | undefined = await first();
  for (let n = 1; page !== undefined; n++) {
    yield page;
    const link = nextLink(page);
    if (link === undefined) return;
    if (n >= maxPages) {
      if (opts.maxPages !== undefined) return;
      throw new FhirPagingLimitError({ method: 'GET', url, template, pages: maxPages });
    }
    if (seen.has(link)) throw new FhirPagingLoopError({ method: 'GET', url, template, pages: n });
    seen.add(link);
    if (opts.signal?.aborted) throw new FhirAbortError({ method: 'GET', url, template, cause: opts.signal.reason, summary: 'search paging aborted' });
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
