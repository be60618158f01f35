import type { Bundle, BundleEntry, Condition, Encounter, OperationOutcome, Patient, Resource } from 'fhir/r4.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFhirServer, type EmbeddedFhirServer } from '../src/index.js';
import { fhir } from '../../../test/support/fhir-fetch.js';

// Bundles made only of creates take the embedded server's own path (src/medplum/batch-creates.ts) instead of Medplum's
// BatchProcessor. These tests pin that it answers and stores exactly what Medplum's path does: the same bundle is
// sent to a second server with one harmless read appended, which sends it through Medplum.

const SYS = 'urn:test:cb';
const urn = (n: number) => `urn:uuid:00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const cond = (value: string) => `identifier=${encodeURIComponent(SYS)}|${encodeURIComponent(value)}`;

function createBundle(type: 'transaction' | 'batch', tag: string): Bundle {
  const patient: Patient = {
    resourceType: 'Patient',
    identifier: [{ system: SYS, value: `p-${tag}` }],
    // Empty values are dropped on write, as Medplum's stringify drops them; an emptied array element becomes null.
    name: [{ family: 'Create', given: [] }, {}],
    extension: [],
    gender: 'unknown',
  };
  const encounter: Encounter = {
    resourceType: 'Encounter',
    identifier: [{ system: SYS, value: `e-${tag}` }],
    status: 'finished',
    class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB' },
    subject: { reference: urn(1) },
    // Medplum rewrites a local reference anywhere in a string, URL-encoded colons included.
    text: { status: 'generated', div: `<div xmlns="http://www.w3.org/1999/xhtml">for ${urn(1)}</div>` },
    reasonReference: [{ reference: urn(3) }],
  };
  const condition: Condition = {
    resourceType: 'Condition',
    identifier: [{ system: SYS, value: `c-${tag}` }],
    // An emptied key before a rewritten one in the same object.
    subject: { display: '', reference: urn(1) },
    encounter: { reference: urn(2) },
    note: [{ text: `encoded ${urn(2).replaceAll(':', '%3A')}` }],
  };
  const plain: Patient = { resourceType: 'Patient', name: [{ family: 'Plain' }], link: [{ other: { reference: urn(1) }, type: 'seealso' }] };
  const entries: BundleEntry[] = [
    { fullUrl: urn(1), resource: patient, request: { method: 'POST', url: 'Patient', ifNoneExist: cond(`p-${tag}`) } },
    { fullUrl: urn(2), resource: encounter, request: { method: 'POST', url: 'Encounter', ifNoneExist: cond(`e-${tag}`) } },
    { fullUrl: urn(3), resource: condition, request: { method: 'POST', url: 'Condition', ifNoneExist: cond(`c-${tag}`) } },
    // The same condition twice in one bundle: created once, then found (200) by the second entry.
    { fullUrl: urn(4), resource: { ...condition, note: [] }, request: { method: 'POST', url: 'Condition', ifNoneExist: cond(`c-${tag}`) } },
    // A plain (unconditional) create.
    { fullUrl: urn(5), resource: plain, request: { method: 'POST', url: 'Patient' } },
  ];
  return { resourceType: 'Bundle', type, entry: entries };
}

/** The same bundle, sent through Medplum's BatchProcessor: a read is not a create. */
function viaMedplum(bundle: Bundle): Bundle {
  return { ...bundle, entry: [...(bundle.entry ?? []), { request: { method: 'GET', url: 'Patient?identifier=urn:test:none|0' } }] };
}

/** Everything stored, ids replaced by a stable name (identifier value or family) so two servers compare equal. */
async function storedContent(server: EmbeddedFhirServer): Promise<unknown[]> {
  const all: Resource[] = [];
  for (const type of ['Patient', 'Encounter', 'Condition'] as const) all.push(...(await server.repository.search(type)));
  const names = new Map<string, string>();
  for (const r of all) {
    const named = r as { identifier?: { value?: string }[]; name?: { family?: string }[] };
    names.set(`${r.resourceType}/${r.id}`, named.identifier?.[0]?.value ?? named.name?.[0]?.family ?? '?');
  }
  let text = JSON.stringify(all.map(({ id: _id, meta: _meta, ...rest }) => rest));
  for (const [ref, name] of names) text = text.replaceAll(ref, `<${name}>`);
  return (JSON.parse(text) as unknown[]).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
}

const statuses = (b: Bundle) => (b.entry ?? []).map((e) => e.response?.status);

let fast: EmbeddedFhirServer;
let medplum: EmbeddedFhirServer;
beforeEach(async () => {
  [fast, medplum] = await Promise.all([startFhirServer(), startFhirServer()]);
});
afterEach(async () => {
  await Promise.all([fast.close(), medplum.close()]);
});

describe('bundles of creates', () => {
  for (const type of ['transaction', 'batch'] as const) {
    it(`answer and store what Medplum's batch processing does (${type})`, async () => {
      const a = await fhir<Bundle>(fast.url, 'POST', '', createBundle(type, '1'));
      const b = await fhir<Bundle>(medplum.url, 'POST', '', viaMedplum(createBundle(type, '1')));
      expect(a.status).toBe(200);
      expect(b.status).toBe(200);
      expect(a.body.type).toBe(`${type}-response`);
      expect(statuses(a.body)).toEqual(['201', '201', '201', '200', '201']);
      expect(statuses(a.body)).toEqual(statuses(b.body).slice(0, 5));
      // Same response shape: location with version, etag, lastModified, the resource, no outcome on success.
      const shape = (e: BundleEntry | undefined) => [Object.keys(e ?? {}).sort(), Object.keys(e?.response ?? {}).sort()];
      expect(a.body.entry?.map(shape)).toEqual(b.body.entry?.slice(0, 5).map(shape));
      expect(a.body.entry?.[3]?.response?.location).toBe(a.body.entry?.[2]?.response?.location);
      expect(await storedContent(fast)).toEqual(await storedContent(medplum));

      // Posted again: everything conditional is found (200), the plain create creates again.
      const again = await fhir<Bundle>(fast.url, 'POST', '', createBundle(type, '1'));
      expect(statuses(again.body)).toEqual(['200', '200', '200', '200', '201']);
      expect(again.body.entry?.slice(0, 3).map((e) => e.response?.location)).toEqual(a.body.entry?.slice(0, 3).map((e) => e.response?.location));
    });
  }

  it('stores id, meta.versionId, meta.lastUpdated and a first history version', async () => {
    const res = await fhir<Bundle>(fast.url, 'POST', '', createBundle('transaction', '2'));
    const location = res.body.entry?.[1]?.response?.location ?? '';
    const [type, id, , versionId] = location.split('/');
    const stored = await fast.repository.read('Encounter', id ?? '');
    expect(type).toBe('Encounter');
    // RFC 9562 UUIDs: version 7 (time-ordered, see src/random-id.ts).
    const v7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    expect(id).toMatch(v7);
    expect(versionId).toMatch(v7);
    expect(stored?.meta.versionId).toBe(versionId);
    expect(stored?.meta.lastUpdated).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(res.body.entry?.[1]?.response?.etag).toBe(`W/"${versionId}"`);
    const patientRef = res.body.entry?.[0]?.response?.location?.replace(/\/_history\/.*$/, '');
    expect(stored?.subject?.reference).toBe(patientRef);
    const history = await fhir<Bundle>(fast.url, 'GET', `Encounter/${id}/_history`);
    expect(history.body.entry).toHaveLength(1);
  });

  it('leave the caller no handle on what is stored', async () => {
    const res = await fhir<Bundle>(fast.url, 'POST', '', createBundle('transaction', '3'));
    const returned = res.body.entry?.[0]?.resource as Patient;
    const id = returned.id ?? '';
    const read = await fast.repository.read('Patient', id);
    (read as Patient).gender = 'male';
    expect((await fast.repository.read('Patient', id))?.gender).toBe('unknown');
  });

  it('answer Prefer: return=minimal with status, location and version headers but no resources', async () => {
    const res = await fhir<Bundle>(fast.url, 'POST', '', createBundle('transaction', '4'), { prefer: 'return=minimal' });
    expect(res.status).toBe(200);
    for (const e of res.body.entry ?? []) {
      expect(e.resource).toBeUndefined();
      expect(e.response?.location).toMatch(/^[A-Za-z]+\/[^/]+\/_history\/[^/]+$/);
      expect(e.response?.etag).toMatch(/^W\/"/);
      expect(e.response?.lastModified).toBeTruthy();
    }
    // Medplum's path honours it too.
    const viaRouter = await fhir<Bundle>(medplum.url, 'POST', '', viaMedplum(createBundle('transaction', '4')), { prefer: 'return=minimal' });
    expect(viaRouter.body.entry?.every((e) => e.resource === undefined)).toBe(true);
  });

  it('answer Prefer: return=minimal with the stored version of each entry, created or found, as the full answer names it', async () => {
    // https://hl7.org/fhir/R4/http.html#ops: minimal leaves the bodies out, nothing else. On the SQLite store each
    // entry's resource is let go of once stored: its answer must still name the version that was stored.
    const expected = [
      ['201', '201', '201', '200', '201'],
      ['200', '200', '200', '200', '201'],
    ];
    for (const statusesOfPost of expected) {
      const res = await fhir<Bundle>(fast.url, 'POST', '', createBundle('transaction', 'm'), { prefer: 'return=minimal' });
      expect(statuses(res.body)).toEqual(statusesOfPost);
      for (const e of res.body.entry ?? []) {
        expect(e.resource).toBeUndefined();
        const [type, id, , version] = (e.response?.location ?? '').split('/');
        const stored = await fhir<Resource>(fast.url, 'GET', `${type}/${id}`);
        expect(stored.body.meta?.versionId).toBe(version);
        expect(e.response?.etag).toBe(`W/"${version}"`);
        expect(e.response?.lastModified).toBe(new Date(stored.body.meta?.lastUpdated ?? '').toUTCString());
      }
    }
  });

  it('roll a transaction back when an entry matches more than one resource while it runs', async () => {
    await fast.repository.create({ resourceType: 'Patient', identifier: [{ system: SYS, value: 'dup' }] });
    const withValue = (value: string): Patient => ({ resourceType: 'Patient', identifier: [{ system: SYS, value }] });
    const bundle: Bundle = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        { fullUrl: urn(10), resource: withValue('other'), request: { method: 'POST', url: 'Patient', ifNoneExist: cond('other') } },
        // Unconditional: adds a second 'dup', so the next entry's condition matches two resources when it runs.
        { fullUrl: urn(11), resource: withValue('dup'), request: { method: 'POST', url: 'Patient' } },
        { fullUrl: urn(12), resource: withValue('dup'), request: { method: 'POST', url: 'Patient', ifNoneExist: cond('dup') } },
      ],
    };
    const res = await fhir<OperationOutcome>(fast.url, 'POST', '', bundle);
    expect(res.status).toBe(412);
    expect(res.body.issue?.[0]?.diagnostics).toMatch(/rolled back at entry 2/);
    expect(await fast.repository.search('Patient', `identifier=${SYS}|other`)).toHaveLength(0);
    expect(await fast.repository.search('Patient', `identifier=${SYS}|dup`)).toHaveLength(1);

    // As a batch, the other entries stand and the failing one answers 412 in place.
    const batch = await fhir<Bundle>(fast.url, 'POST', '', { ...bundle, type: 'batch' });
    expect(statuses(batch.body)).toEqual(['201', '201', '412']);
  });

  it('refuse the whole bundle with 412 when a condition already matches more than one resource', async () => {
    await fast.repository.create({ resourceType: 'Patient', identifier: [{ system: SYS, value: 'p-5' }] });
    await fast.repository.create({ resourceType: 'Patient', identifier: [{ system: SYS, value: 'p-5' }] });
    const res = await fhir<OperationOutcome>(fast.url, 'POST', '', createBundle('batch', '5'));
    expect(res.status).toBe(412);
    expect(await fast.repository.search('Encounter')).toHaveLength(0);
  });
});

describe('the write journal', () => {
  it('restores a resource written twice in a failed transaction to its state before the transaction', async () => {
    const original = await fast.repository.create({ resourceType: 'Patient', identifier: [{ system: SYS, value: 'twice' }], name: [{ family: 'Original' }] });
    const put = (family: string): BundleEntry => {
      const resource: Patient = { resourceType: 'Patient', id: original.id, identifier: [{ system: SYS, value: 'twice' }], name: [{ family }] };
      return { resource, request: { method: 'PUT', url: `Patient/${original.id}` } };
    };
    const res = await fhir(fast.url, 'POST', '', {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [put('First'), put('Second'), { request: { method: 'DELETE', url: 'Patient/does-not-exist' } }],
    });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect((await fast.repository.read('Patient', original.id))?.name?.[0]?.family).toBe('Original');
    const history = await fhir<Bundle>(fast.url, 'GET', `Patient/${original.id}/_history`);
    expect(history.body.entry).toHaveLength(1);
    expect(await fast.repository.search('Patient', `identifier=${SYS}|twice`)).toHaveLength(1);
  });
});
