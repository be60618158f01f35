import type { Bundle, CapabilityStatement, OperationOutcome, Patient } from 'fhir/r4.js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFhirServer, type EmbeddedFhirServer } from '../src/index.js';
import { fhir, patient } from '../../../test/support/fhir-fetch.js';

let server: EmbeddedFhirServer;
beforeAll(async () => {
  server = await startFhirServer();
});
afterAll(() => server.close());
beforeEach(() => server.reset());

describe('startFhirServer', () => {
  it('listens on a random local port and reports a /fhir base URL', () => {
    expect(server.port).toBeGreaterThan(0);
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/fhir`);
  });

  it('serves a CapabilityStatement at metadata', async () => {
    const res = await fhir<CapabilityStatement>(server.url, 'GET', 'metadata');
    expect(res.status).toBe(200);
    expect(res.body.resourceType).toBe('CapabilityStatement');
    expect(res.body.fhirVersion).toBe('4.0.1');
    const encounter = res.body.rest?.[0]?.resource?.find((r) => r.type === 'Encounter');
    expect(encounter?.searchParam?.map((p) => p.name)).toContain('subject');
  });

  it('serves two servers on different ports with separate data', async () => {
    const other = await startFhirServer({ baseUrlPath: 'r4' });
    try {
      expect(other.url).toMatch(/\/r4$/);
      await fhir(other.url, 'POST', 'Patient', patient('1'));
      expect((await fhir<Bundle>(server.url, 'GET', 'Patient')).body.total).toBe(0);
      expect((await fhir<Bundle>(other.url, 'GET', 'Patient')).body.total).toBe(1);
    } finally {
      await other.close();
    }
  });
});

describe('create, read, update, delete', () => {
  it('creates with 201, Location, ETag, Last-Modified and a FHIR JSON content type', async () => {
    const res = await fhir<Patient>(server.url, 'POST', 'Patient', patient('1'));
    expect(res.status).toBe(201);
    expect(res.headers.get('content-type')).toContain('application/fhir+json');
    const { id, meta } = res.body;
    expect(res.headers.get('location')).toBe(`${server.url}/Patient/${id}/_history/${meta?.versionId}`);
    expect(res.headers.get('etag')).toBe(`W/"${meta?.versionId}"`);
    expect(new Date(res.headers.get('last-modified') ?? '').toString()).not.toBe('Invalid Date');
  });

  it('ignores a client-supplied id on create instead of overwriting that resource', async () => {
    const first = await fhir<Patient>(server.url, 'PUT', 'Patient/fixed', { ...patient('1'), id: 'fixed' });
    const second = await fhir<Patient>(server.url, 'POST', 'Patient', { ...patient('2'), id: 'fixed' });
    expect(first.status).toBe(201);
    expect(second.body.id).not.toBe('fixed');
    expect((await server.repository.read('Patient', 'fixed'))?.identifier?.[0]?.value).toBe('1');
  });

  it('reads, updates with a new version, keeps history newest first, and deletes', async () => {
    const created = (await fhir<Patient>(server.url, 'POST', 'Patient', patient('1'))).body;
    const read = await fhir<Patient>(server.url, 'GET', `Patient/${created.id}`);
    expect(read.status).toBe(200);
    expect(read.headers.get('etag')).toBe(`W/"${created.meta?.versionId}"`);

    const updated = await fhir<Patient>(server.url, 'PUT', `Patient/${created.id}`, { ...read.body, active: true });
    expect(updated.status).toBe(200);
    expect(updated.body.meta?.versionId).not.toBe(created.meta?.versionId);

    for (let i = 0; i < 2; i++) {
      const history = await fhir<Bundle<Patient>>(server.url, 'GET', `Patient/${created.id}/_history`);
      expect(history.body.type).toBe('history');
      expect(history.body.entry?.map((e) => e.resource?.meta?.versionId)).toEqual([updated.body.meta?.versionId, created.meta?.versionId]);
    }
    const vread = await fhir<Patient>(server.url, 'GET', `Patient/${created.id}/_history/${created.meta?.versionId}`);
    expect(vread.body.active).toBeUndefined();

    expect((await fhir(server.url, 'DELETE', `Patient/${created.id}`)).status).toBe(200);
    expect((await fhir(server.url, 'GET', `Patient/${created.id}`)).status).toBe(404);
  });

  it('answers 201 when an update creates the resource', async () => {
    const res = await fhir<Patient>(server.url, 'PUT', 'Patient/new-one', { ...patient('1'), id: 'new-one' });
    expect(res.status).toBe(201);
    expect(res.headers.get('location')).toContain('/Patient/new-one/_history/');
  });

  it('returns 404 with an OperationOutcome for a missing resource', async () => {
    const res = await fhir<OperationOutcome>(server.url, 'GET', 'Patient/does-not-exist');
    expect(res.status).toBe(404);
    expect(res.body.resourceType).toBe('OperationOutcome');
  });

  it('rejects a body that is not JSON with 400', async () => {
    const res = await fhir<OperationOutcome>(server.url, 'POST', 'Patient', '{not json');
    expect(res.status).toBe(400);
    expect(res.body.issue?.[0]?.diagnostics).toMatch(/not valid JSON/);
  });

  it('rejects an unknown resource type with 400 rather than an empty search', async () => {
    const res = await fhir<OperationOutcome>(server.url, 'GET', 'Foo?x=1');
    expect(res.status).toBe(400);
  });

  it('turns a failure inside the handler into a 500 OperationOutcome and keeps serving', async () => {
    const res = await fhir<OperationOutcome>(server.url, 'POST', 'Patient', 'null');
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.body.resourceType).toBe('OperationOutcome');
    expect((await fhir(server.url, 'GET', 'metadata')).status).toBe(200);
  });

  it('lets tests seed and inspect data through the repository', async () => {
    const seeded = await server.repository.create(patient('42'));
    const res = await fhir<Patient>(server.url, 'GET', `Patient/${seeded.id}`);
    expect(res.body.identifier?.[0]?.value).toBe('42');
    server.reset();
    expect(await server.repository.read('Patient', seeded.id)).toBeUndefined();
  });
});
