import type { Bundle, BundleLink } from 'fhir/r4.js';

/**
 * Page size the embedded server uses when a search gives no `_count` (MemoryRepository would
 * otherwise return every match). See https://hl7.org/fhir/R4/search.html#count
 * @example
 * ```ts
 * const page = await (await fetch(`${server.url}/Patient`)).json(); // at most DEFAULT_PAGE_SIZE entries
 * ```
 * @category Embedded server
 */
export const DEFAULT_PAGE_SIZE = 100;
/**
 * Largest page the embedded server returns; a bigger `_count` is lowered to this.
 * @example
 * ```ts
 * await fetch(`${server.url}/Patient?_count=${MAX_PAGE_SIZE}`);
 * ```
 * @category Embedded server
 */
export const MAX_PAGE_SIZE = 1000;

/** A search query with `_count` and `_offset` made explicit and within limits. */
export interface PageWindow {
  params: URLSearchParams;
  count: number;
  offset: number;
}

/** Apply the default and maximum page size so every search is paged. */
export function normalizePaging(params: URLSearchParams): PageWindow {
  const normalized = new URLSearchParams(params);
  const requested = normalized.get('_count');
  // _summary=count asks for the total only (https://hl7.org/fhir/R4/search.html#summary).
  const count =
    normalized.get('_summary') === 'count'
      ? 0
      : Math.min(requested === null ? DEFAULT_PAGE_SIZE : Number(requested), MAX_PAGE_SIZE);
  const offset = Number(normalized.get('_offset') ?? 0);
  normalized.set('_count', String(count));
  normalized.set('_offset', String(offset));
  return { params: normalized, count, offset };
}

/**
 * The `self`, `next` and `previous` links of a page (https://hl7.org/fhir/R4/http.html#paging): `returned` entries of
 * `total` matches (`undefined`: not counted, a full page then has a next one).
 */
function pageLinks(searchUrl: string, window: PageWindow, returned: number, total: number | undefined): BundleLink[] {
  const { count, offset } = window;
  const pageUrl = (pageOffset: number): string => {
    const params = new URLSearchParams(window.params);
    params.set('_offset', String(pageOffset));
    return `${searchUrl}?${params.toString()}`;
  };
  const links: BundleLink[] = [{ relation: 'self', url: pageUrl(offset) }];
  const hasNext = total !== undefined ? offset + count < total : returned === count;
  if (count > 0 && hasNext) links.push({ relation: 'next', url: pageUrl(offset + count) });
  if (count > 0 && offset > 0) links.push({ relation: 'previous', url: pageUrl(Math.max(0, offset - count)) });
  return links;
}

/**
 * Add `self`, `next` and `previous` links (https://hl7.org/fhir/R4/http.html#paging) and
 * `fullUrl`/`search.mode` to each entry; MemoryRepository 4.5.2 emits none of them.
 */
export function addPageLinks(bundle: Bundle, searchUrl: string, window: PageWindow, baseUrl: string): Bundle {
  const links = pageLinks(searchUrl, window, bundle.entry?.length ?? 0, bundle.total);
  const entry = bundle.entry?.map((e) => ({
    fullUrl: e.resource?.id ? `${baseUrl}/${e.resource.resourceType}/${e.resource.id}` : undefined,
    ...e,
    search: e.search ?? { mode: 'match' as const },
  }));
  return { ...bundle, link: links, ...(entry ? { entry } : {}) };
}

/** A resource of a page as its JSON text's UTF-8 bytes, and its id. */
export interface ResourceJson {
  id: string;
  json: Uint8Array;
}

/**
 * The searchset {@link addPageLinks} makes of a page of `type` (the same members in the same order) as UTF-8 bytes,
 * written around each resource's JSON bytes as stored: nothing is decoded, parsed, serialised or encoded again.
 */
export function searchsetBytes(type: string, page: { total: number; texts: readonly ResourceJson[] }, searchUrl: string, window: PageWindow, baseUrl: string): Buffer {
  const links = pageLinks(searchUrl, window, page.texts.length, page.total);
  const parts: Uint8Array[] = [Buffer.from(`{"resourceType":"Bundle","type":"searchset",${page.texts.length ? '"entry":[' : ''}`)];
  const after = Buffer.from(',"search":{"mode":"match"}}');
  page.texts.forEach((t, i) => {
    const fullUrl = t.id ? `"fullUrl":${JSON.stringify(`${baseUrl}/${type}/${t.id}`)},` : '';
    parts.push(Buffer.from(`${i ? ',' : ''}{${fullUrl}"resource":`), t.json, after);
  });
  parts.push(Buffer.from(`${page.texts.length ? '],' : ''}"total":${JSON.stringify(page.total)},"link":${JSON.stringify(links)}}`));
  return Buffer.concat(parts);
}
