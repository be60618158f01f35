import type { Bundle, Encounter } from 'fhir/r4.js';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { FhirAbortError, FhirOriginRefusedError, FhirPagingLimitError } from '../src/index.js';
import { BASE, testClient, useMswServer } from './helpers.js';

const server = useMswServer();
const OTHER = 'https://pages.other.test';

function encounterPage(page: number, pages: number, perPage: number, nextBase = BASE): Bundle<Encounter> {
  const entry = Array.from({ length: perPage }, (_, i) => ({
    resource: { resourceType: 'Encounter' as const, id: `e${page}-${i}`, status: 'finished' as const, class: { code: 'AMB' }, meta: { versionId: '1' } },
    search: { mode: 'match' as const },
  }));
  const link = page + 1 < pages ? [{ relation: 'next', url: `${nextBase}/Encounter?_page=${page + 1}` }] : [];
  return {
    resourceType: 'Bundle',
    type: 'searchset',
    link,
    entry: [...entry, { resource: { resourceType: 'Encounter', id: `inc${page}`, status: 'finished', class: {} }, search: { mode: 'include' } }],
  };
}

/** Serves `pages` pages of `perPage` matches; counts requests. */
function servePages(pages: number, perPage: number, nextBase = BASE): { requests: Request[] } {
  const requests: Request[] = [];
  const handler = ({ request }: { request: Request }): Response => {
    requests.push(request);
    const page = Number(new URL(request.url).searchParams.get('_page') ?? '0');
    return HttpResponse.json(encounterPage(page, pages, perPage, nextBase));
  };
  server.use(http.get(`${BASE}/Encounter`, handler), http.get(`${OTHER}/Encounter`, handler));
  return { requests };
}

describe('nextPage', () => {
  it('always returns a Promise, resolving undefined on the last page', async () => {
    servePages(1, 1);
    const { client } = testClient();
    const first = await client.search('Encounter');
    const next = client.nextPage(first);
    expect(next).toBeInstanceOf(Promise);
    expect(await next).toBeUndefined();
  });
});

describe('searchPages', () => {
  it('fails with FhirPagingLimitError at the client page limit when pages remain, instead of returning part of the results', async () => {
    const { requests } = servePages(5, 1);
    const { client } = testClient({ maxPages: 3 });
    const seen: Bundle[] = [];
    const err = await (async () => {
      for await (const page of client.searchPages('Encounter')) seen.push(page);
    })().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FhirPagingLimitError);
    expect((err as FhirPagingLimitError).code).toBe('client.paging-limit');
    expect(seen).toHaveLength(3);
    expect(requests).toHaveLength(3);
  });

  it('stops quietly at a maxPages the caller passed, and ends normally when the last page is within the limit', async () => {
    servePages(5, 1);
    const { client } = testClient({ maxPages: 5 });
    const pages: Bundle[] = [];
    for await (const page of client.searchPages('Encounter', {}, { maxPages: 2 })) pages.push(page);
    expect(pages).toHaveLength(2);
    const all: Bundle[] = [];
    for await (const page of client.searchPages('Encounter')) all.push(page);
    expect(all).toHaveLength(5);
  });

  it('follows next links until the end', async () => {
    const { requests } = servePages(4, 2);
    const { client } = testClient();
    const pages: Bundle[] = [];
    for await (const page of client.searchPages('Encounter', { _count: 2 })) pages.push(page);
    expect(pages).toHaveLength(4);
    expect(requests).toHaveLength(4);
  });

  it('stops after maxPages', async () => {
    const { requests } = servePages(10, 2);
    const { client } = testClient();
    let n = 0;
    for await (const _ of client.searchPages('Encounter', {}, { maxPages: 3 })) n++;
    expect(n).toBe(3);
    expect(requests).toHaveLength(3);
  });
});

describe('searchAll', () => {
  it('yields only matches of the searched type across pages', async () => {
    servePages(3, 2);
    const { client } = testClient();
    const ids: string[] = [];
    for await (const e of client.searchAll('Encounter', { patient: 'Patient/1' })) ids.push(e.id);
    expect(ids).toEqual(['e0-0', 'e0-1', 'e1-0', 'e1-1', 'e2-0', 'e2-1']);
  });

  it('stops after maxResources without fetching further pages', async () => {
    const { requests } = servePages(10, 3);
    const { client } = testClient();
    const ids: string[] = [];
    for await (const e of client.searchAll('Encounter', {}, { maxResources: 4 })) ids.push(e.id);
    expect(ids).toHaveLength(4);
    expect(requests).toHaveLength(2);
  });

  it('respects maxPages', async () => {
    servePages(10, 3);
    const { client } = testClient();
    let n = 0;
    for await (const _ of client.searchAll('Encounter', {}, { maxPages: 2 })) n++;
    expect(n).toBe(6);
  });

  it('stops with FhirAbortError when the signal fires between pages', async () => {
    const { requests } = servePages(10, 1);
    const { client } = testClient();
    const ac = new AbortController();
    const seen: string[] = [];
    const run = async (): Promise<void> => {
      for await (const e of client.searchAll('Encounter', {}, { signal: ac.signal })) {
        seen.push(e.id);
        if (seen.length === 2) ac.abort();
      }
    };
    await expect(run()).rejects.toBeInstanceOf(FhirAbortError);
    expect(seen).toHaveLength(2);
    expect(requests.length).toBeLessThanOrEqual(3);
  });
});

describe('Authorization and paging links', () => {
  it('sends the token to the base origin and refuses a next link on another origin before connecting', async () => {
    const { requests } = servePages(3, 1, OTHER);
    const { client } = testClient({ auth: 'secret-token-abc', headers: { authorization: 'Bearer smuggled' } });
    const pages: Bundle[] = [];
    const err = await (async () => {
      for await (const page of client.searchPages('Encounter')) pages.push(page);
    })().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FhirOriginRefusedError);
    expect((err as FhirOriginRefusedError).reason).toBe('cross-origin');
    expect(pages).toHaveLength(1);
    expect(requests.map((r) => new URL(r.url).origin)).toEqual([new URL(BASE).origin]);
    expect(requests[0]?.headers.get('authorization')).toBe('Bearer secret-token-abc');
  });

  it('follows a next link to an allowedOrigins entry with neither token nor custom headers', async () => {
    const { requests } = servePages(3, 1, OTHER);
    const { client } = testClient({ auth: 'secret-token-abc', headers: { 'x-api-key': 'k-123' }, allowedOrigins: [OTHER] });
    const pages: Bundle[] = [];
    for await (const page of client.searchPages('Encounter')) pages.push(page);
    expect(requests.map((r) => new URL(r.url).origin)).toEqual([new URL(BASE).origin, OTHER, OTHER]);
    expect(requests[0]?.headers.get('x-api-key')).toBe('k-123');
    for (const r of requests.slice(1)) {
      expect(r.headers.get('authorization')).toBeNull();
      expect(r.headers.get('x-api-key')).toBeNull();
    }
  });
});
