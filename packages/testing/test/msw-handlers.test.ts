import type { Bundle, OperationOutcome, Patient } from 'fhir/r4.js';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createFaultCounter,
  createFhirHandlers,
  createFhirRepository,
  loadFhirDefinitions,
  startFhirServer,
  withFaults,
  type FaultKind,
  type FaultOptions,
} from '../src/index.js';
import { fhir, MRN, patient, patientWithEncounterTransaction } from '../../../test/support/fhir-fetch.js';

const BASE = 'https://ehr.test/fhir';
const repository = createFhirRepository();
const mock = setupServer(...createFhirHandlers({ baseUrl: BASE, repository, validate: true }));

beforeAll(() => {
  loadFhirDefinitions();
  // Requests to the embedded HTTP server (127.0.0.1) pass through; anything else unhandled is an error.
  mock.listen({
    onUnhandledRequest: (request, print) => {
      if (new URL(request.url).hostname !== '127.0.0.1') print.error();
    },
  });
});
afterEach(() => {
  mock.resetHandlers();
  repository.reset();
});
afterAll(() => mock.close());

describe('createFhirHandlers', () => {
  it('creates and reads with the same status codes and headers as the server', async () => {
    const created = await fhir<Patient>(BASE, 'POST', 'Patient', patient('1'));
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe(`${BASE}/Patient/${created.body.id}/_history/${created.body.meta?.versionId}`);
    const read = await fhir<Patient>(BASE, 'GET', `Patient/${created.body.id}`);
    expect(read.headers.get('etag')).toBe(`W/"${created.body.meta?.versionId}"`);
    expect(read.headers.get('content-type')).toContain('application/fhir+json');
  });

  it('honours If-None-Exist and idempotent transactions', async () => {
    await fhir(BASE, 'POST', '', patientWithEncounterTransaction('9'));
    await fhir(BASE, 'POST', '', patientWithEncounterTransaction('9'));
    const again = await fhir<Patient>(BASE, 'POST', 'Patient', patient('9'), { 'if-none-exist': `identifier=${MRN}|9` });
    expect(again.status).toBe(200);
    expect(await repository.search('Patient')).toHaveLength(1);
    expect(await repository.search('Encounter')).toHaveLength(1);
  });

  it('builds paging links on the fake base URL', async () => {
    for (let i = 0; i < 5; i++) await repository.create(patient(String(i)));
    const page = (await fhir<Bundle>(BASE, 'GET', 'Patient?_count=2')).body;
    expect(page.link?.find((l) => l.relation === 'next')?.url).toBe(`${BASE}/Patient?_count=2&_offset=2`);
  });

  it('validates and refuses unsupported searches like the server', async () => {
    const bad = await fhir<OperationOutcome>(BASE, 'POST', 'Encounter', { resourceType: 'Encounter', status: 'bogus' });
    expect(bad.status).toBe(400);
    expect((await fhir(BASE, 'GET', 'Encounter?_include=Encounter:subject')).status).toBe(501);
  });

  it('answers exactly like the HTTP server for the same requests', async () => {
    const server = await startFhirServer({ validate: true });
    try {
      const requests: [string, string, unknown?][] = [
        ['GET', 'metadata'],
        ['POST', 'Patient', patient('1')],
        ['GET', 'Patient?bogus=1'],
        ['GET', 'Encounter?subject=abc'],
        ['POST', 'Encounter', { resourceType: 'Encounter' }],
        ['GET', 'Patient/missing'],
        ['POST', 'Patient', '{oops'],
      ];
      for (const [method, path, body] of requests) {
        const viaHttp = await fhir<OperationOutcome>(server.url, method, path, body);
        const viaMsw = await fhir<OperationOutcome>(BASE, method, path, body);
        expect([path, viaMsw.status, viaMsw.body.resourceType]).toEqual([path, viaHttp.status, viaHttp.body.resourceType]);
        expect(viaMsw.body.issue).toEqual(viaHttp.body.issue);
      }
    } finally {
      await server.close();
    }
  });

  it('shares one store with an embedded server', async () => {
    const server = await startFhirServer({ repository });
    try {
      const created = (await fhir<Patient>(server.url, 'POST', 'Patient', patient('1'))).body;
      expect((await fhir(BASE, 'GET', `Patient/${created.id}`)).status).toBe(200);
    } finally {
      await server.close();
    }
  });
});

describe('fault injection', () => {
  async function outcomes(options: FaultOptions, requests = 30): Promise<string[]> {
    mock.use(...withFaults(createFhirHandlers({ baseUrl: BASE, repository }), options));
    const seen: string[] = [];
    for (let i = 0; i < requests; i++) {
      try {
        const res = await fetch(`${BASE}/Patient?_count=1`);
        seen.push(String(res.status) + (res.headers.get('retry-after') ? `/retry-after=${res.headers.get('retry-after')}` : ''));
      } catch (err) {
        seen.push((err as Error).name);
      }
    }
    return seen;
  }

  it('injects the same faults for the same seed', async () => {
    const kinds: FaultKind[] = ['rate-limit', 'unavailable', 'connection-reset'];
    const first = await outcomes({ rate: 0.5, kinds, seed: 42 });
    const second = await outcomes({ rate: 0.5, kinds, seed: 42 });
    const other = await outcomes({ rate: 0.5, kinds, seed: 7 });
    expect(second).toEqual(first);
    expect(other).not.toEqual(first);
    expect(first).toContain('429/retry-after=1');
    expect(first).toContain('503');
    expect(first).toContain('TypeError');
    expect(first).toContain('200');
  });

  it('counts injected faults by kind', async () => {
    const counter = createFaultCounter();
    const seen = await outcomes({ rate: 0.5, kinds: ['rate-limit', 'unavailable'], seed: 3, counter, retryAfterSeconds: 2 });
    expect(counter.considered).toBe(30);
    expect(counter.injected).toBe(seen.filter((s) => s !== '200').length);
    expect(counter.byKind['rate-limit']).toBe(seen.filter((s) => s === '429/retry-after=2').length);
    expect(counter.byKind.unavailable).toBe(seen.filter((s) => s === '503').length);
    expect(counter.log[0]?.url).toContain(BASE);
  });

  it('only touches the methods and requests it is scoped to', async () => {
    const counter = createFaultCounter();
    const seen = await outcomes({ rate: 1, onlyMethods: ['POST'], counter });
    expect(new Set(seen)).toEqual(new Set(['200']));
    expect(counter.injected).toBe(0);
    const matched = await outcomes({ rate: 1, kinds: ['unavailable'], match: (r) => r.url.includes('_count=1'), counter }, 3);
    expect(matched).toEqual(['503', '503', '503']);
  });

  it('delays slow responses and then answers normally', async () => {
    mock.use(...createFhirHandlers({ baseUrl: BASE, repository, faults: { rate: 1, kinds: ['slow'], delayMs: 150 } }));
    const started = performance.now();
    const res = await fetch(`${BASE}/metadata`);
    expect(res.status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('leaves requests to other hosts to other handlers', async () => {
    const counter = createFaultCounter();
    mock.use(...withFaults(createFhirHandlers({ baseUrl: 'https://other.test/fhir' }), { rate: 1, counter }));
    expect((await fetch(`${BASE}/metadata`)).status).toBe(200);
    expect(counter.considered).toBe(0);
  });
});
