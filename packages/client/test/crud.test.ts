import type { Bundle, Encounter, Patient } from 'fhir/r4.js';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { BASE, fhirJson, patient, testClient, useMswServer } from './helpers.js';

const server = useMswServer();

describe('read and vread', () => {
  it('GETs [base]/[type]/[id] with an application/fhir+json Accept header', async () => {
    let seen: Request | undefined;
    server.use(
      http.get(`${BASE}/Encounter/e1`, ({ request }) => {
        seen = request;
        return HttpResponse.json({ resourceType: 'Encounter', id: 'e1', status: 'finished', class: { code: 'AMB' }, meta: { versionId: '3' } }, { headers: { etag: 'W/"3"' } });
      }),
    );
    const { client } = testClient({ userAgent: 'peer-fhir-test/1', headers: { 'x-tenant': 't1' } });
    const { data, etag, status } = await client.read('Encounter', 'e1').withResponse();
    expect(data.id).toBe('e1');
    expect(data.meta.versionId).toBe('3');
    expect(etag).toBe('W/"3"');
    expect(status).toBe(200);
    expect(seen?.headers.get('accept')).toBe('application/fhir+json');
    expect(seen?.headers.get('user-agent')).toBe('peer-fhir-test/1');
    expect(seen?.headers.get('x-tenant')).toBe('t1');
    expect(seen?.headers.get('authorization')).toBeNull();
  });

  it('GETs [base]/[type]/[id]/_history/[vid] for vread', async () => {
    server.use(http.get(`${BASE}/CarePlan/cp1/_history/2`, () => HttpResponse.json({ resourceType: 'CarePlan', id: 'cp1', meta: { versionId: '2' } })));
    const { client } = testClient();
    expect((await client.vread('CarePlan', 'cp1', '2')).meta.versionId).toBe('2');
  });

  it('escapes ids so they cannot change the path', async () => {
    let url = '';
    server.use(http.get(`${BASE}/*`, ({ request }) => ((url = request.url), HttpResponse.json({ resourceType: 'Patient', id: 'x' }))));
    const { client } = testClient();
    await client.read('Patient', '../metadata');
    expect(url).toBe(`${BASE}/Patient/..%2Fmetadata`);
  });

  it('returns a real Promise that works with Promise.all and .catch', async () => {
    server.use(http.get(`${BASE}/Patient/p1`, () => HttpResponse.json({ resourceType: 'Patient', id: 'p1', meta: { versionId: '1' } })));
    const { client } = testClient();
    const p = client.read('Patient', 'p1');
    expect(p).toBeInstanceOf(Promise);
    const [a] = await Promise.all([p]);
    expect(a.id).toBe('p1');
  });
});

describe('create', () => {
  it('POSTs the resource as application/fhir+json and exposes Location and ETag', async () => {
    let body: unknown;
    let contentType: string | null = null;
    server.use(
      http.post(`${BASE}/Patient`, async ({ request }) => {
        body = await request.json();
        contentType = request.headers.get('content-type');
        return HttpResponse.json({ ...(body as Patient), id: 'new1', meta: { versionId: '1' } }, { status: 201, headers: { location: `${BASE}/Patient/new1/_history/1`, etag: 'W/"1"' } });
      }),
    );
    const { client } = testClient();
    const res = await client.create(patient()).withResponse();
    expect(res.status).toBe(201);
    expect(res.location).toBe(`${BASE}/Patient/new1/_history/1`);
    expect(res.etag).toBe('W/"1"');
    expect(res.data.id).toBe('new1');
    expect(body).toEqual(patient());
    expect(contentType).toBe('application/fhir+json');
  });

  it('sends If-None-Exist verbatim for a string and form-encoded for a record', async () => {
    const seen: (string | null)[] = [];
    server.use(http.post(`${BASE}/Patient`, ({ request }) => (seen.push(request.headers.get('if-none-exist')), HttpResponse.json({ resourceType: 'Patient', id: 'p', meta: { versionId: '1' } }, { status: 200 }))));
    const { client } = testClient();
    await client.create(patient(), { ifNoneExist: 'identifier=urn:example:mrn|1' });
    await client.create(patient(), { ifNoneExist: { identifier: 'urn:example:mrn|1' } });
    expect(seen).toEqual(['identifier=urn:example:mrn|1', 'identifier=urn%3Aexample%3Amrn%7C1']);
  });

  it('reads the Location when the server answers without a body', async () => {
    server.use(
      http.post(`${BASE}/Patient`, () => new HttpResponse(null, { status: 201, headers: { location: 'Patient/p9/_history/1' } })),
      http.get(`${BASE}/Patient/p9/_history/1`, () => HttpResponse.json({ resourceType: 'Patient', id: 'p9', meta: { versionId: '1' } })),
    );
    const { client } = testClient();
    const res = await client.create(patient()).withResponse();
    expect(res.status).toBe(201);
    expect(res.data.id).toBe('p9');
  });
});

describe('update', () => {
  const retrieved: Encounter & { id: string } = { resourceType: 'Encounter', id: 'e1', status: 'finished', class: { code: 'AMB' }, meta: { versionId: '7' } };

  it('PUTs to [base]/[type]/[id] with If-Match W/"versionId" taken from meta', async () => {
    let ifMatch: string | null = null;
    server.use(http.put(`${BASE}/Encounter/e1`, ({ request }) => ((ifMatch = request.headers.get('if-match')), HttpResponse.json({ ...retrieved, meta: { versionId: '8' } }, { headers: { etag: 'W/"8"' } }))));
    const { client } = testClient();
    const { data, etag } = await client.update(retrieved).withResponse();
    expect(ifMatch).toBe('W/"7"');
    expect(data.meta.versionId).toBe('8');
    expect(etag).toBe('W/"8"');
  });

  it('sends no If-Match when ifMatch is false, and the given one otherwise', async () => {
    const seen: (string | null)[] = [];
    server.use(http.put(`${BASE}/Encounter/e1`, ({ request }) => (seen.push(request.headers.get('if-match')), HttpResponse.json(retrieved))));
    const { client } = testClient();
    await client.update(retrieved, { ifMatch: false });
    await client.update(retrieved, { ifMatch: '2' });
    expect(seen).toEqual([null, 'W/"2"']);
  });

  it('rejects a resource without an id', () => {
    const { client } = testClient();
    expect(() => client.update(patient())).toThrow(TypeError);
  });
});

describe('delete, history, capabilities', () => {
  it('DELETEs [base]/[type]/[id]', async () => {
    server.use(http.delete(`${BASE}/Task/t1`, () => new HttpResponse(null, { status: 204 })));
    const { client } = testClient();
    expect(await client.delete('Task', 't1')).toBeUndefined();
  });

  it('GETs instance and type history', async () => {
    const bundle: Bundle = { resourceType: 'Bundle', type: 'history', entry: [] };
    server.use(http.get(`${BASE}/CarePlan/cp1/_history`, () => HttpResponse.json(bundle)), http.get(`${BASE}/CarePlan/_history`, () => HttpResponse.json({ ...bundle, total: 0 })));
    const { client } = testClient();
    expect((await client.history('CarePlan', 'cp1')).type).toBe('history');
    expect((await client.history('CarePlan')).total).toBe(0);
  });

  it('GETs [base]/metadata', async () => {
    server.use(http.get(`${BASE}/metadata`, () => HttpResponse.json({ resourceType: 'CapabilityStatement', fhirVersion: '4.0.1', status: 'active', date: '2024', kind: 'instance', format: ['json'] })));
    const { client } = testClient();
    expect((await client.capabilities()).fhirVersion).toBe('4.0.1');
  });
});

describe('search', () => {
  it('encodes typed parameters, repeating arrays (AND)', async () => {
    let url = '';
    server.use(http.get(`${BASE}/Encounter`, ({ request }) => ((url = request.url), HttpResponse.json({ resourceType: 'Bundle', type: 'searchset', entry: [] }, { headers: fhirJson }))));
    const { client } = testClient();
    await client.search('Encounter', { identifier: 'urn:example:peer-session|s1', date: ['ge2024-01-01', 'lt2024-02-01'], 'part-of': 'Encounter/g1', _count: 50 });
    const q = new URL(url).searchParams;
    expect(q.get('identifier')).toBe('urn:example:peer-session|s1');
    expect(q.getAll('date')).toEqual(['ge2024-01-01', 'lt2024-02-01']);
    expect(q.get('part-of')).toBe('Encounter/g1');
    expect(q.get('_count')).toBe('50');
    expect(url).toContain('identifier=urn%3Aexample%3Apeer-session%7Cs1');
  });

  it('accepts raw URLSearchParams, strings and (for other types) records', async () => {
    const urls: string[] = [];
    server.use(http.get(`${BASE}/:type`, ({ request }) => (urls.push(new URL(request.url).search), HttpResponse.json({ resourceType: 'Bundle', type: 'searchset' }))));
    const { client } = testClient();
    await client.search('Patient', new URLSearchParams([['name', 'a'], ['name', 'b']]));
    await client.search('Goal', '?patient=Patient/1&_count=5');
    await client.search('Observation', { code: ['x', 'y'] });
    await client.search('Consent');
    expect(urls).toEqual(['?name=a&name=b', '?patient=Patient%2F1&_count=5', '?code=x&code=y', '']);
  });
});

describe('transaction and batch', () => {
  it('POSTs the Bundle to [base] with its type forced', async () => {
    const seen: { url: string; type: unknown }[] = [];
    server.use(http.post(BASE, async ({ request }) => {
      const b = (await request.json()) as Bundle;
      seen.push({ url: request.url, type: b.type });
      return HttpResponse.json({ resourceType: 'Bundle', type: `${b.type}-response`, entry: [] });
    }));
    const { client } = testClient();
    const tx = await client.transaction({ resourceType: 'Bundle', type: 'transaction', entry: [] });
    const batch = await client.batch({ resourceType: 'Bundle', type: 'batch', entry: [] });
    expect(tx.type).toBe('transaction-response');
    expect(batch.type).toBe('batch-response');
    expect(seen.map((s) => s.url)).toEqual([BASE, BASE]);
  });
});
