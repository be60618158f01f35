import type { Bundle, Encounter, OperationOutcome, Patient } from 'fhir/r4.js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFhirServer, type EmbeddedFhirServer } from '../src/index.js';
import { encounter, fhir, MRN, patient, patientWithEncounterTransaction } from '../../../test/support/fhir-fetch.js';

let server: EmbeddedFhirServer;
beforeAll(async () => {
  server = await startFhirServer();
});
afterAll(() => server.close());
beforeEach(() => server.reset());

describe('conditional create (If-None-Exist)', () => {
  it('creates once and returns the existing resource with 200 the second time', async () => {
    const headers = { 'if-none-exist': `identifier=${MRN}|7` };
    const first = await fhir<Patient>(server.url, 'POST', 'Patient', patient('7'), headers);
    const second = await fhir<Patient>(server.url, 'POST', 'Patient', patient('7'), headers);
    expect(first.status).toBe(201);
    expect(second.status).toBe(200);
    expect(second.body.id).toBe(first.body.id);
    expect(await server.repository.search('Patient', `identifier=${MRN}|7`)).toHaveLength(1);
  });

  it('answers 412 when the condition matches more than one resource', async () => {
    await server.repository.create(patient('7'));
    await server.repository.create(patient('7'));
    const res = await fhir<OperationOutcome>(server.url, 'POST', 'Patient', patient('7'), { 'if-none-exist': `identifier=${MRN}|7` });
    expect(res.status).toBe(412);
  });

  it('refuses a condition it cannot evaluate instead of always creating', async () => {
    const res = await fhir(server.url, 'POST', 'Patient', patient('7'), { 'if-none-exist': 'mrn=7' });
    expect(res.status).toBe(400);
  });
});

describe('transaction bundles', () => {
  it('creates each resource exactly once when the same transaction is posted twice', async () => {
    const first = await fhir<Bundle>(server.url, 'POST', '', patientWithEncounterTransaction('100'));
    const second = await fhir<Bundle>(server.url, 'POST', '', patientWithEncounterTransaction('100'));
    expect(first.status).toBe(200);
    expect(first.body.type).toBe('transaction-response');
    expect(first.body.entry?.map((e) => e.response?.status)).toEqual(['201', '201']);
    expect(second.body.entry?.map((e) => e.response?.status)).toEqual(['200', '200']);
    expect(first.body.entry?.[0]?.response?.location).toMatch(/^Patient\/[^/]+\/_history\/[^/]+$/);
    expect(first.body.entry?.[0]?.response?.etag).toMatch(/^W\/"/);

    const patients = await server.repository.search('Patient', `identifier=${MRN}|100`);
    const encounters = await server.repository.search('Encounter', 'identifier=urn:peer-fhir:encounter|enc-100');
    expect(patients).toHaveLength(1);
    expect(encounters).toHaveLength(1);
    expect(encounters[0]?.subject?.reference).toBe(`Patient/${patients[0]?.id}`);
  });

  it('rolls back every entry when one entry of a transaction fails', async () => {
    const bundle = patientWithEncounterTransaction('200');
    bundle.entry?.push({ request: { method: 'DELETE', url: 'Patient/does-not-exist' } });
    const res = await fhir<OperationOutcome>(server.url, 'POST', '', bundle);
    expect(res.status).toBe(404);
    expect(res.body.issue?.[0]?.diagnostics).toMatch(/rolled back/);
    expect(await server.repository.search('Patient', `identifier=${MRN}|200`)).toHaveLength(0);
    expect(await server.repository.search('Encounter')).toHaveLength(0);
  });

  it('processes batch entries independently with their own status', async () => {
    const res = await fhir<Bundle>(server.url, 'POST', '', {
      resourceType: 'Bundle',
      type: 'batch',
      entry: [
        { request: { method: 'GET', url: 'Patient/nope' } },
        { resource: patient('300'), request: { method: 'POST', url: 'Patient' } },
      ],
    });
    expect(res.body.type).toBe('batch-response');
    expect(res.body.entry?.map((e) => e.response?.status)).toEqual(['404', '201']);
    expect(await server.repository.search('Patient', `identifier=${MRN}|300`)).toHaveLength(1);
  });
});

describe('optimistic locking (If-Match)', () => {
  it('updates when the version matches and answers 412 when it does not', async () => {
    const created = (await fhir<Patient>(server.url, 'POST', 'Patient', patient('1'))).body;
    const etag = `W/"${created.meta?.versionId}"`;
    const ok = await fhir<Patient>(server.url, 'PUT', `Patient/${created.id}`, { ...created, active: true }, { 'if-match': etag });
    expect(ok.status).toBe(200);
    const stale = await fhir(server.url, 'PUT', `Patient/${created.id}`, { ...created, active: false }, { 'if-match': etag });
    expect(stale.status).toBe(412);
    const bare = await fhir(server.url, 'PUT', `Patient/${created.id}`, { ...created, active: false }, { 'if-match': String(created.meta?.versionId) });
    expect(bare.status).toBe(412);
    expect((await server.repository.read('Patient', created.id ?? ''))?.active).toBe(true);
  });
});

describe('validate-on-write', () => {
  let strict: EmbeddedFhirServer;
  beforeAll(async () => {
    strict = await startFhirServer({ validate: true });
  });
  afterAll(() => strict.close());

  it('rejects an invalid resource with 400 listing every problem', async () => {
    const bad = { resourceType: 'Encounter', status: 'bogus', subject: { reference: 'Patient/1' }, foo: 1 };
    const res = await fhir<OperationOutcome>(strict.url, 'POST', 'Encounter', bad);
    expect(res.status).toBe(400);
    const text = JSON.stringify(res.body.issue);
    expect(text).toContain('Encounter.class');
    expect(text).toContain('foo');
    expect(text).toContain('bogus');
    expect(await strict.repository.search('Encounter')).toHaveLength(0);
  });

  it('accepts a valid resource', async () => {
    const res = await fhir<Encounter>(strict.url, 'POST', 'Encounter', encounter('Patient/1', '2024-01-01T10:00:00Z'));
    expect(res.status).toBe(201);
  });

  it('rejects a transaction with one invalid entry before writing anything', async () => {
    const bundle = patientWithEncounterTransaction('500');
    (bundle.entry?.[1]?.resource as Encounter).status = 'bogus' as Encounter['status'];
    const res = await fhir<OperationOutcome>(strict.url, 'POST', '', bundle);
    expect(res.status).toBe(400);
    expect(res.body.issue?.[0]?.expression?.[0]).toMatch(/^Bundle\.entry\[1\]\.resource/);
    expect(await strict.repository.search('Patient', `identifier=${MRN}|500`)).toHaveLength(0);
  });

  it('accepts invalid resources when validation is off', async () => {
    const res = await fhir(server.url, 'POST', 'Encounter', { resourceType: 'Encounter', status: 'bogus' });
    expect(res.status).toBe(201);
  });
});
