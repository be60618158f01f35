import type { Bundle, Encounter, OperationOutcome, Patient } from 'fhir/r4.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFhirServer, type EmbeddedFhirServer } from '../src/index.js';
import { encounter, fhir, MRN, patient } from '../../../test/support/fhir-fetch.js';

const ACT_CODE = 'http://terminology.hl7.org/CodeSystem/v3-ActCode';
let server: EmbeddedFhirServer;
let alice: Patient;
let bob: Patient;
let group: Encounter;

beforeAll(async () => {
  server = await startFhirServer();
  alice = await server.repository.create(patient('1'));
  bob = await server.repository.create(patient('2'));
  group = await server.repository.create(encounter('Group/g1', '2024-02-10T10:00:00Z'));
  const partOf = { reference: `Encounter/${group.id}` };
  await server.repository.create(encounter(`Patient/${alice.id}`, '2024-01-10T10:00:00Z'));
  await server.repository.create(encounter(`Patient/${alice.id}`, '2024-02-10T10:00:00Z', { partOf }));
  await server.repository.create(
    encounter(`Patient/${alice.id}`, '2024-03-10T10:00:00Z', {
      meta: { security: [{ system: ACT_CODE, code: 'R' }, { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: '42CFRPart2' }] },
    }),
  );
  await server.repository.create(encounter(`Patient/${bob.id}`, '2024-02-10T10:00:00Z', { partOf }));
});
afterAll(() => server.close());

const ids = (bundle: Bundle): string[] => (bundle.entry ?? []).map((e) => e.resource?.id ?? '');
const search = (query: string) => fhir<Bundle<Encounter>>(server.url, 'GET', query);

describe('supported searches', () => {
  it('finds by identifier system|value', async () => {
    const res = await fhir<Bundle<Patient>>(server.url, 'GET', `Patient?identifier=${encodeURIComponent(`${MRN}|2`)}`);
    expect(ids(res.body)).toEqual([bob.id]);
  });

  it('finds every resource with an identifier in a system by identifier=system| (empty value = any value, FHIR R4 search 3.1.1.5.10)', async () => {
    const res = await fhir<Bundle<Patient>>(server.url, 'GET', `Patient?identifier=${encodeURIComponent(`${MRN}|`)}`);
    expect(ids(res.body).sort()).toEqual([alice.id, bob.id].sort());
    const none = await fhir<Bundle<Patient>>(server.url, 'GET', `Patient?identifier=${encodeURIComponent('urn:other|')}`);
    expect(ids(none.body)).toEqual([]);
  });

  it('finds by subject=Patient/id and by patient=Patient/id', async () => {
    expect((await search(`Encounter?subject=Patient/${alice.id}`)).body.total).toBe(3);
    expect((await search(`Encounter?patient=Patient/${alice.id}`)).body.total).toBe(3);
    expect((await search(`Encounter?subject:Patient=Patient/${bob.id}`)).body.total).toBe(1);
  });

  it('finds by a date range given as ge and lt', async () => {
    const res = await search(`Encounter?subject=Patient/${alice.id}&date=ge2024-02-01&date=lt2024-03-01`);
    expect(res.body.total).toBe(1);
    expect(res.body.entry?.[0]?.resource?.period?.start).toBe('2024-02-10T10:00:00Z');
  });

  it('finds the children of a group session by part-of', async () => {
    expect((await search(`Encounter?part-of=Encounter/${group.id}`)).body.total).toBe(2);
  });

  it('finds by security label with and without a system', async () => {
    expect((await search(`Encounter?_security=${encodeURIComponent(`${ACT_CODE}|R`)}`)).body.total).toBe(1);
    expect((await search('Encounter?_security=42CFRPart2')).body.total).toBe(1);
    expect((await search('Encounter?_security:not=R')).body.total).toBe(4);
  });

  it('sorts newest first with _sort=-date', async () => {
    const res = await search(`Encounter?subject=Patient/${alice.id}&_sort=-date`);
    expect(res.body.entry?.map((e) => e.resource?.period?.start?.slice(0, 7))).toEqual(['2024-03', '2024-02', '2024-01']);
  });

  it('counts without entries for _summary=count', async () => {
    const res = await search('Encounter?_summary=count');
    expect(res.body.total).toBe(5);
    expect(res.body.entry).toBeUndefined();
  });

  it('supports _id, _lastUpdated, string :contains and POST _search', async () => {
    expect(ids((await search(`Encounter?_id=${group.id}`)).body)).toEqual([group.id]);
    expect((await search('Encounter?_lastUpdated=gt2000-01-01')).body.total).toBe(5);
    expect((await fhir<Bundle>(server.url, 'GET', 'Patient?name:contains=est1')).body.total).toBe(1);
    const res = await fetch(`${server.url}/Encounter/_search`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `subject=Patient/${bob.id}`,
    });
    expect(((await res.json()) as Bundle).total).toBe(1);
  });

  it('gives entries a fullUrl and search mode', async () => {
    const entry = (await search(`Encounter?_id=${group.id}`)).body.entry?.[0];
    expect(entry?.fullUrl).toBe(`${server.url}/Encounter/${group.id}`);
    expect(entry?.search?.mode).toBe('match');
  });
});

describe('searches the embedded server refuses instead of answering wrongly', () => {
  const cases: [string, string, number][] = [
    ['an unknown search parameter', 'Encounter?bogus=1', 400],
    ['a misspelled parameter', 'Encounter?subjects=Patient/1', 400],
    ['sorting by an unknown parameter', 'Encounter?_sort=bogus', 400],
    ['_include', 'Encounter?_include=Encounter:subject', 501],
    ['_revinclude', 'Patient?_revinclude=Encounter:subject', 501],
    ['a chained parameter', 'Encounter?subject.identifier=urn:x|1', 501],
    ['a typed chained parameter', 'Encounter?subject:Patient.identifier=urn:x|1', 501],
    ['_has', 'Patient?_has:Encounter:subject:status=finished', 501],
    ['a reference given as a bare id', 'Encounter?subject=abc', 501],
    ['a reference given as a bare id with a type modifier', 'Encounter?subject:Patient=abc', 501],
    ['a reference given as an absolute URL', 'Encounter?subject=http://other/fhir/Patient/1', 501],
    ['the :identifier modifier', 'Encounter?subject:identifier=urn:x|1', 501],
    ['the :text modifier', 'Encounter?status:text=fin', 501],
    ['_elements', 'Encounter?_elements=status', 501],
    ['_summary=true', 'Encounter?_summary=true', 501],
    ['_filter', 'Encounter?_filter=status eq finished', 501],
    ['a compartment search', 'Patient/abc/Encounter', 501],
    ['$everything', 'Patient/abc/$everything', 501],
    ['a system-level search', '?_type=Patient', 501],
    ['type-level history', 'Patient/_history', 501],
    ['a malformed _count', 'Encounter?_count=ten', 400],
  ];
  it.each(cases)('refuses %s with an explaining OperationOutcome', async (_label, query, status) => {
    const res = await fhir<OperationOutcome>(server.url, 'GET', query);
    expect(res.status).toBe(status);
    expect(res.body.resourceType).toBe('OperationOutcome');
    expect(res.body.issue?.[0]?.diagnostics?.length).toBeGreaterThan(10);
  });

  it('refuses the same searches through the repository API', async () => {
    await expect(server.repository.search('Encounter', 'subject=abc')).rejects.toThrow(/Type\/id/);
  });
});

describe('paging', () => {
  let paged: EmbeddedFhirServer;
  beforeAll(async () => {
    paged = await startFhirServer();
    const entry = Array.from({ length: 250 }, (_, i) => ({
      resource: patient(`p${i}`),
      request: { method: 'POST' as const, url: 'Patient' },
    }));
    const res = await fhir(paged.url, 'POST', '', { resourceType: 'Bundle', type: 'transaction', entry });
    expect(res.status).toBe(200);
  });
  afterAll(() => paged.close());

  it('visits all 250 resources exactly once by following next links', async () => {
    const seen: string[] = [];
    let url: string | undefined = `${paged.url}/Patient?_count=40`;
    let pages = 0;
    while (url) {
      const page: Bundle = (await fhir<Bundle>(paged.url, 'GET', url)).body;
      seen.push(...ids(page));
      url = page.link?.find((l) => l.relation === 'next')?.url;
      pages += 1;
    }
    expect(pages).toBe(7);
    expect(seen).toHaveLength(250);
    expect(new Set(seen).size).toBe(250);
  });

  it('links self, next and previous', async () => {
    const page = (await fhir<Bundle>(paged.url, 'GET', 'Patient?_count=50&_offset=100')).body;
    const link = Object.fromEntries((page.link ?? []).map((l) => [l.relation, new URL(l.url).searchParams.get('_offset')]));
    expect(link).toEqual({ self: '100', next: '150', previous: '50' });
  });

  it('pages by 100 when no _count is given', async () => {
    const page = (await fhir<Bundle>(paged.url, 'GET', 'Patient')).body;
    expect(page.total).toBe(250);
    expect(page.entry).toHaveLength(100);
    expect(page.link?.find((l) => l.relation === 'next')?.url).toContain('_count=100');
  });

  it('caps _count at 1000', async () => {
    const page = (await fhir<Bundle>(paged.url, 'GET', 'Patient?_count=5000')).body;
    expect(page.entry).toHaveLength(250);
    expect(page.link?.[0]?.url).toContain('_count=1000');
  });
});
