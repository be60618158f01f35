import type { Bundle } from 'fhir/r4.js';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { FhirAbortError, FhirConnectionError, FhirServerError, FhirTimeoutError, PeerFhirClient } from '../src/index.js';
import { backoffDelay, MAX_RETRY_AFTER_MS, parseRetryAfter } from '../src/internal/retry.js';
import { BASE, outcome, patient, testClient, useMswServer } from './helpers.js';

const server = useMswServer();

/** Fails `failures` times with `fail()` then answers `ok()`; counts calls. */
function flaky(failures: number, fail: () => Response, ok: () => Response): { calls: () => number; resolver: () => Response } {
  let n = 0;
  return { calls: () => n, resolver: () => (++n <= failures ? fail() : ok()) };
}

const okPatient = (): Response => HttpResponse.json({ resourceType: 'Patient', id: 'p1', meta: { versionId: '1' } });

describe('retry policy', () => {
  it('retries 503 with exponential backoff and full jitter, counting attempts', async () => {
    const f = flaky(2, () => HttpResponse.json(outcome('transient'), { status: 503 }), okPatient);
    server.use(http.get(`${BASE}/Patient/p1`, f.resolver));
    const { client, delays } = testClient();
    expect((await client.read('Patient', 'p1')).id).toBe('p1');
    expect(f.calls()).toBe(3);
    expect(delays).toEqual([250, 500]); // random 0.5 × 500·2^n
  });

  it('gives up after maxRetries and throws the last error', async () => {
    const f = flaky(10, () => new HttpResponse(null, { status: 500 }), okPatient);
    server.use(http.get(`${BASE}/Patient/p1`, f.resolver));
    const { client } = testClient({ maxRetries: 3 });
    await expect(client.read('Patient', 'p1')).rejects.toBeInstanceOf(FhirServerError);
    expect(f.calls()).toBe(4);
  });

  it('honours per-request maxRetries over the client default', async () => {
    const f = flaky(10, () => new HttpResponse(null, { status: 500 }), okPatient);
    server.use(http.get(`${BASE}/Patient/p1`, f.resolver));
    const { client } = testClient({ maxRetries: 5 });
    await expect(client.read('Patient', 'p1', { maxRetries: 0 })).rejects.toBeInstanceOf(FhirServerError);
    expect(f.calls()).toBe(1);
  });

  it('honours Retry-After in seconds', async () => {
    const f = flaky(1, () => new HttpResponse(null, { status: 429, headers: { 'retry-after': '3' } }), okPatient);
    server.use(http.get(`${BASE}/Patient/p1`, f.resolver));
    const { client, delays } = testClient();
    await client.read('Patient', 'p1');
    expect(delays).toEqual([3000]);
  });

  it('honours Retry-After as an HTTP date', async () => {
    const when = new Date(Date.now() + 10_000).toUTCString();
    const f = flaky(1, () => new HttpResponse(null, { status: 503, headers: { 'retry-after': when } }), okPatient);
    server.use(http.get(`${BASE}/Patient/p1`, f.resolver));
    const { client, delays } = testClient();
    await client.read('Patient', 'p1');
    expect(delays[0]).toBeGreaterThan(8_000);
    expect(delays[0]).toBeLessThanOrEqual(10_000);
  });

  it('caps Retry-After at 60 s and ignores junk', () => {
    expect(parseRetryAfter('86400', 0)).toBe(MAX_RETRY_AFTER_MS);
    expect(parseRetryAfter('soon', 0)).toBeUndefined();
    expect(parseRetryAfter(new Date(0).toUTCString(), 5_000)).toBe(0);
    expect(backoffDelay(10, () => 0.999)).toBeLessThan(8_000);
  });

  it('retries 408 and network errors on GET', async () => {
    let n = 0;
    server.use(http.get(`${BASE}/Patient/p1`, () => (++n === 1 ? new HttpResponse(null, { status: 408 }) : n === 2 ? HttpResponse.error() : okPatient())));
    const { client } = testClient();
    await client.read('Patient', 'p1');
    expect(n).toBe(3);
  });

  it('does not retry 4xx such as 400 or 404', async () => {
    const f = flaky(10, () => HttpResponse.json(outcome('not-found'), { status: 404 }), okPatient);
    server.use(http.get(`${BASE}/Patient/p1`, f.resolver));
    const { client } = testClient();
    await expect(client.read('Patient', 'p1')).rejects.toThrow();
    expect(f.calls()).toBe(1);
  });

  it('surfaces a network failure as FhirConnectionError after retries', async () => {
    server.use(http.get(`${BASE}/Patient/p1`, () => HttpResponse.error()));
    const { client } = testClient({ maxRetries: 1 });
    await expect(client.read('Patient', 'p1')).rejects.toBeInstanceOf(FhirConnectionError);
  });
});

describe('POST is retried only when the server can deduplicate it', () => {
  it('does NOT retry a plain (non-conditional) create', async () => {
    const f = flaky(1, () => new HttpResponse(null, { status: 503 }), okPatient);
    server.use(http.post(`${BASE}/Patient`, f.resolver));
    const { client } = testClient();
    await expect(client.create(patient())).rejects.toBeInstanceOf(FhirServerError);
    expect(f.calls()).toBe(1);
  });

  it('does NOT retry a plain create after a connection reset', async () => {
    let n = 0;
    server.use(http.post(`${BASE}/Patient`, () => (n++, HttpResponse.error())));
    const { client } = testClient();
    await expect(client.create(patient())).rejects.toBeInstanceOf(FhirConnectionError);
    expect(n).toBe(1);
  });

  it('retries a conditional create (If-None-Exist)', async () => {
    const f = flaky(2, () => new HttpResponse(null, { status: 503 }), () => HttpResponse.json({ resourceType: 'Patient', id: 'p1', meta: { versionId: '1' } }, { status: 201 }));
    server.use(http.post(`${BASE}/Patient`, f.resolver));
    const { client } = testClient();
    await client.create(patient(), { ifNoneExist: 'identifier=urn:mrn|1' });
    expect(f.calls()).toBe(3);
  });

  const bundle = (conditional: boolean): Bundle => ({
    resourceType: 'Bundle',
    type: 'transaction',
    entry: [
      { resource: patient(), request: { method: 'POST', url: 'Patient', ...(conditional ? { ifNoneExist: 'identifier=urn:mrn|1' } : {}) } },
      { resource: patient({ id: 'p2' }), request: { method: 'PUT', url: 'Patient/p2' } },
      { request: { method: 'DELETE', url: 'Task/t1' } },
      { request: { method: 'GET', url: 'Patient/p3' } },
    ],
  });
  const txOk = (): Response => HttpResponse.json({ resourceType: 'Bundle', type: 'transaction-response', entry: [] });

  it('retries a transaction whose entries are all conditional or idempotent', async () => {
    const f = flaky(2, () => new HttpResponse(null, { status: 502 }), txOk);
    server.use(http.post(BASE, f.resolver));
    const { client } = testClient();
    await client.transaction(bundle(true));
    expect(f.calls()).toBe(3);
  });

  it('does NOT retry a transaction with a plain POST entry', async () => {
    const f = flaky(2, () => new HttpResponse(null, { status: 502 }), txOk);
    server.use(http.post(BASE, f.resolver));
    const { client } = testClient();
    await expect(client.transaction(bundle(false))).rejects.toBeInstanceOf(FhirServerError);
    expect(f.calls()).toBe(1);
  });

  // A pooled socket the server closes just as the request goes out (ECONNRESET): the server may or may not have
  // processed the transaction, so it is sent again only when repeating it cannot create anything twice.
  it('re-sends a conditional transaction whose connection was reset', async () => {
    const f = flaky(1, () => HttpResponse.error(), txOk);
    server.use(http.post(BASE, f.resolver));
    const { client } = testClient();
    await client.transaction(bundle(true));
    expect(f.calls()).toBe(2);
  });

  it('does NOT re-send a transaction with a plain POST entry whose connection was reset', async () => {
    const f = flaky(1, () => HttpResponse.error(), txOk);
    server.use(http.post(BASE, f.resolver));
    const { client } = testClient();
    await expect(client.transaction(bundle(false))).rejects.toBeInstanceOf(FhirConnectionError);
    expect(f.calls()).toBe(1);
  });
});

describe('abort and timeout', () => {
  it('rejects with FhirAbortError when the signal is already aborted, without a request', async () => {
    let n = 0;
    server.use(http.get(`${BASE}/Patient/p1`, () => (n++, okPatient())));
    const { client } = testClient();
    const ac = new AbortController();
    ac.abort();
    await expect(client.read('Patient', 'p1', { signal: ac.signal })).rejects.toBeInstanceOf(FhirAbortError);
    expect(n).toBe(0);
  });

  it('rejects with FhirAbortError when aborted mid-flight', async () => {
    server.use(http.get(`${BASE}/Patient/p1`, async () => (await new Promise((r) => setTimeout(r, 2_000)), okPatient())));
    const { client } = testClient();
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 20);
    await expect(client.read('Patient', 'p1', { signal: ac.signal })).rejects.toBeInstanceOf(FhirAbortError);
  });

  it('rejects with FhirTimeoutError after timeoutMs (and retries timeouts on GET)', async () => {
    let n = 0;
    server.use(http.get(`${BASE}/Patient/p1`, async () => (n++, await new Promise((r) => setTimeout(r, 2_000)), okPatient())));
    const { client } = testClient({ timeoutMs: 30, maxRetries: 1 });
    await expect(client.read('Patient', 'p1')).rejects.toBeInstanceOf(FhirTimeoutError);
    expect(n).toBe(2);
  });

  it('aborts a pending backoff sleep', async () => {
    server.use(http.get(`${BASE}/Patient/p1`, () => new HttpResponse(null, { status: 503, headers: { 'retry-after': '30' } })));
    const client = new PeerFhirClient({ baseUrl: BASE });
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 50);
    const started = Date.now();
    await expect(client.read('Patient', 'p1', { signal: ac.signal })).rejects.toBeInstanceOf(FhirAbortError);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});

describe('injected fetch', () => {
  it('uses the injected fetch and never the global one', async () => {
    const calls: string[] = [];
    const client = new PeerFhirClient({
      baseUrl: 'http://in-memory.invalid/fhir',
      fetch: async (url) => (calls.push(url), new Response(JSON.stringify({ resourceType: 'Patient', id: 'm1', meta: { versionId: '1' } }), { status: 200 })),
    });
    // msw has no handler for this origin: a global fetch call would fail the test.
    expect((await client.read('Patient', 'm1')).id).toBe('m1');
    expect(calls).toEqual(['http://in-memory.invalid/fhir/Patient/m1']);
  });
});
