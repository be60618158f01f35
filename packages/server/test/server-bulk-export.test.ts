// FHIR Bulk Data Access IG v2 (https://hl7.org/fhir/uv/bulkdata/STU2/export.html) on the embedded server: kick-off
// answers 202 + Content-Location, the status URL answers the completion manifest, each output is NDJSON with one
// resource a line, `_type` and `_since` select, Patient and Group levels keep to the patients' compartments, DELETE
// removes the job, and the door checks apply to every new URL.
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import fc from 'fast-check';
import type { Resource } from 'fhir/r4.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFhirServer, type EmbeddedFhirServer } from '../src/index.js';

interface Manifest {
  transactionTime: string;
  request: string;
  requiresAccessToken: boolean;
  output: { type: string; url: string; count: number }[];
  error: unknown[];
  deleted?: { type: string; url: string; count: number }[];
}

/** `Type/id` of every DELETE entry in the manifest's `deleted` files (transaction Bundles, one or more entries each). */
async function deletedIn(manifest: Manifest, headers: Record<string, string> = {}): Promise<string[]> {
  const urls: string[] = [];
  for (const file of manifest.deleted ?? []) {
    expect(file.type).toBe('Bundle');
    const text = await (await fetch(file.url, { headers })).text();
    for (const line of text.split('\n').filter((l) => l !== '')) {
      const bundle = JSON.parse(line) as { resourceType: string; type: string; entry: { request: { method: string; url: string } }[] };
      expect([bundle.resourceType, bundle.type]).toEqual(['Bundle', 'transaction']);
      for (const e of bundle.entry) {
        expect(e.request.method).toBe('DELETE');
        urls.push(e.request.url);
      }
    }
  }
  return urls;
}

const ASYNC = { prefer: 'respond-async', accept: 'application/fhir+json' };

async function kickOff(url: string, headers: Record<string, string> = {}): Promise<string> {
  const res = await fetch(url, { headers: { ...ASYNC, ...headers } });
  expect(res.status).toBe(202);
  const location = res.headers.get('content-location');
  expect(location).toMatch(/^http:\/\//);
  return location ?? '';
}

async function manifestOf(url: string, headers: Record<string, string> = {}): Promise<Manifest> {
  const status = await fetch(await kickOff(url, headers), { headers });
  expect(status.status).toBe(200);
  return (await status.json()) as Manifest;
}

async function download(manifest: Manifest, headers: Record<string, string> = {}): Promise<Resource[]> {
  const resources: Resource[] = [];
  for (const output of manifest.output) {
    const res = await fetch(output.url, { headers: { accept: 'application/fhir+ndjson', ...headers } });
    expect(res.headers.get('content-type')).toBe('application/fhir+ndjson');
    const lines = (await res.text()).split('\n').filter((l) => l !== '');
    expect(lines).toHaveLength(output.count);
    for (const line of lines) {
      const resource = JSON.parse(line) as Resource;
      expect(resource.resourceType).toBe(output.type);
      resources.push(resource);
    }
  }
  return resources;
}

describe('Bulk Data $export on the embedded server', () => {
  let server: EmbeddedFhirServer;
  beforeAll(async () => {
    server = await startFhirServer();
  });
  afterAll(() => server.close());

  it('exports every current resource once, one NDJSON file per type, with the IG manifest', async () => {
    server.reset();
    const org = await server.repository.create({ resourceType: 'Organization', name: 'Agency' });
    const patients = await Promise.all([1, 2, 3].map(() => server.repository.create({ resourceType: 'Patient' })));
    for (const p of patients) await server.repository.create({ resourceType: 'Encounter', status: 'finished', class: { code: 'AMB' }, subject: { reference: `Patient/${p.id}` } });
    const manifest = await manifestOf(`${server.url}/$export`);
    expect(manifest.request).toBe(`${server.url}/$export`);
    expect(manifest.requiresAccessToken).toBe(false);
    expect(manifest.error).toEqual([]);
    expect(Number.isNaN(Date.parse(manifest.transactionTime))).toBe(false);
    expect(Object.fromEntries(manifest.output.map((o) => [o.type, o.count]))).toEqual({ Encounter: 3, Organization: 1, Patient: 3 });
    const ids = (await download(manifest)).map((r) => `${r.resourceType}/${r.id}`);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toContain(`Organization/${org.id}`);
  });

  it('_type selects the types, in the order asked; a type without matches gets no file', async () => {
    const manifest = await manifestOf(`${server.url}/$export?_type=Patient,Goal`);
    expect(manifest.output.map((o) => o.type)).toEqual(['Patient']);
  });

  it('_since returns only resources changed after the instant, so an incremental export transfers the changes alone', async () => {
    server.reset();
    const created = await Promise.all([1, 2, 3, 4].map(() => server.repository.create({ resourceType: 'Patient', active: true })));
    const first = await manifestOf(`${server.url}/$export`);
    const changed = created[2]!;
    await fetch(`${server.url}/Patient/${changed.id}`, { method: 'PUT', headers: { 'content-type': 'application/fhir+json' }, body: JSON.stringify({ ...changed, active: false }) });
    const second = await manifestOf(`${server.url}/$export?_since=${encodeURIComponent(first.transactionTime)}`);
    expect((await download(second)).map((r) => r.id)).toEqual([changed.id]);
    const third = await manifestOf(`${server.url}/$export?_since=${encodeURIComponent(second.transactionTime)}`);
    expect(third.output).toEqual([]);
  });

  it('Patient-level export keeps to patient compartments; Group-level to the members', async () => {
    server.reset();
    await server.repository.create({ resourceType: 'Organization', name: 'Agency' });
    const [a, b] = await Promise.all([1, 2].map(() => server.repository.create({ resourceType: 'Patient' })));
    for (const p of [a!, b!]) await server.repository.create({ resourceType: 'Consent', status: 'active', scope: { text: 'x' }, category: [{ text: 'x' }], patient: { reference: `Patient/${p.id}` } });
    const group = await server.repository.create({ resourceType: 'Group', type: 'person', actual: true, member: [{ entity: { reference: `Patient/${a!.id}` } }] });
    const all = await download(await manifestOf(`${server.url}/Patient/$export`));
    // The Group is in its members' compartments (R4 CompartmentDefinition patient: Group.member); the Organization is not.
    expect(all.map((r) => r.resourceType).sort()).toEqual(['Consent', 'Consent', 'Group', 'Patient', 'Patient']);
    const members = await download(await manifestOf(`${server.url}/Group/${group.id}/$export`));
    expect(members.map((r) => r.resourceType).sort()).toEqual(['Consent', 'Group', 'Patient']);
    expect(members.every((r) => r.id === a!.id || JSON.stringify(r).includes(`Patient/${a!.id}`))).toBe(true);
    const missing = await fetch(`${server.url}/Group/nope/$export`, { headers: ASYNC });
    expect(missing.status).toBe(404);
  });

  it.each([
    ['without Prefer: respond-async', '$export', {}],
    ['with an _elements parameter (not implemented: refused, never ignored)', '$export?_elements=id', ASYNC],
    ['with a _since that is not an instant', '$export?_since=2024-01-01', ASYNC],
    ['with an unknown _type', '$export?_type=Nonsense', ASYNC],
    ['with an _outputFormat other than NDJSON', '$export?_outputFormat=text/csv', ASYNC],
  ])('refuses a kick-off %s with 4xx and an OperationOutcome', async (_name, path, headers) => {
    const res = await fetch(`${server.url}/${path}`, { headers });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(((await res.json()) as Resource).resourceType).toBe('OperationOutcome');
  });

  it('for any encounters and any status filter, _typeFilter exports exactly the matching ones; other types whole', async () => {
    const statuses = ['planned', 'in-progress', 'finished', 'cancelled'] as const;
    await fc.assert(
      fc.asyncProperty(fc.array(fc.constantFrom(...statuses), { minLength: 1, maxLength: 8 }), fc.subarray([...statuses], { minLength: 1 }), async (have, wanted) => {
        server.reset();
        const patient = await server.repository.create({ resourceType: 'Patient' });
        const stored = [];
        for (const status of have) stored.push(await server.repository.create({ resourceType: 'Encounter', status, class: { code: 'AMB' }, subject: { reference: `Patient/${patient.id}` } }));
        const filter = encodeURIComponent(`Encounter?status=${wanted.join(',')}`);
        const got = await download(await manifestOf(`${server.url}/$export?_typeFilter=${filter}`));
        expect(got.filter((r) => r.resourceType === 'Encounter').map((r) => r.id).sort()).toEqual(stored.filter((e) => wanted.includes(e.status)).map((e) => e.id).sort());
        expect(got.filter((r) => r.resourceType === 'Patient').map((r) => r.id)).toEqual([patient.id]);
      }),
      { numRuns: 10 },
    );
  });

  it('several _typeFilters of one type are OR-ed; _since still applies', async () => {
    server.reset();
    const [a, b, c] = await Promise.all(['finished', 'cancelled', 'planned'].map((status) => server.repository.create({ resourceType: 'Encounter', status: status as 'finished', class: { code: 'AMB' } })));
    const both = `_typeFilter=${encodeURIComponent('Encounter?status=finished')}&_typeFilter=${encodeURIComponent('Encounter?status=cancelled')}`;
    expect((await download(await manifestOf(`${server.url}/$export?_type=Encounter&${both}`))).map((r) => r.id).sort()).toEqual([a!.id, b!.id].sort());
    const cut = await manifestOf(`${server.url}/$export`);
    await fetch(`${server.url}/Encounter/${c!.id}`, { method: 'PUT', headers: { 'content-type': 'application/fhir+json' }, body: JSON.stringify({ ...c, status: 'finished' }) });
    const since = `_since=${encodeURIComponent(cut.transactionTime)}`;
    expect((await download(await manifestOf(`${server.url}/$export?${since}&${both}`))).map((r) => r.id)).toEqual([c!.id]);
  });

  it.each([
    ['a filter on a type _type does not ask for', '_type=Patient&_typeFilter=Encounter%3Fstatus%3Dfinished'],
    ['an unknown type', '_typeFilter=Nonsense%3Fstatus%3Dfinished'],
    ['a result parameter', '_typeFilter=Encounter%3F_count%3D5'],
    ['search syntax the server does not support', '_typeFilter=Encounter%3F_has%3AObservation%3Aencounter%3Astatus%3Dfinal'],
    ['no query', '_typeFilter=Encounter'],
  ])('refuses a _typeFilter with %s: 400 and an OperationOutcome naming _typeFilter', async (_name, query) => {
    const res = await fetch(`${server.url}/$export?${query}`, { headers: ASYNC });
    expect(res.status).toBe(400);
    const oo = (await res.json()) as { resourceType: string; issue: { expression?: string[] }[] };
    expect(oo.resourceType).toBe('OperationOutcome');
    expect(oo.issue[0]?.expression).toEqual(['_typeFilter']);
  });

  it('DELETE of the status URL removes the job and its files (202, then 404)', async () => {
    await server.repository.create({ resourceType: 'Patient' });
    const status = await kickOff(`${server.url}/$export`);
    const manifest = (await (await fetch(status)).json()) as Manifest;
    expect((await fetch(status, { method: 'DELETE' })).status).toBe(202);
    expect((await fetch(status)).status).toBe(404);
    expect((await fetch(manifest.output[0]!.url)).status).toBe(404);
  });

  it('declares the operations in its CapabilityStatement', async () => {
    const cs = (await (await fetch(`${server.url}/metadata`)).json()) as { instantiates: string[]; rest: { operation: { name: string }[]; resource: { type: string; operation?: { definition: string }[] }[] }[] };
    expect(cs.instantiates).toContain('http://hl7.org/fhir/uv/bulkdata/CapabilityStatement/bulk-data');
    expect(cs.rest[0]!.operation.map((o) => o.name)).toContain('export');
    const defs = cs.rest[0]!.resource.filter((r) => r.operation).map((r) => `${r.type}:${r.operation![0]!.definition.split('/').pop()}`);
    expect(defs.sort()).toEqual(['Group:group-export', 'Patient:patient-export']);
  });

  it('for any set of resources and any _since cut, the export holds exactly those updated after the cut', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.boolean(), { minLength: 1, maxLength: 12 }), fc.integer({ min: 0, max: 12 }), async (actives, cutAt) => {
        server.reset();
        const stored = [];
        for (const active of actives) stored.push(await server.repository.create({ resourceType: 'Patient', active }));
        const cut = Math.min(cutAt, stored.length);
        const since = cut === 0 ? undefined : stored[cut - 1]!.meta.lastUpdated;
        const after = stored.filter((p) => since === undefined || Date.parse(p.meta.lastUpdated) > Date.parse(since)).map((p) => p.id);
        const query = since === undefined ? '' : `?_since=${encodeURIComponent(since)}`;
        expect((await download(await manifestOf(`${server.url}/$export${query}`))).map((r) => r.id).sort()).toEqual(after.sort());
      }),
      { numRuns: 15 },
    );
  });
});

describe('Bulk Data $export reports deletions (IG v2 manifest `deleted`)', () => {
  let server: EmbeddedFhirServer;
  beforeAll(async () => {
    server = await startFhirServer();
  });
  afterAll(() => server.close());

  it('for any resources and any deleted after a _since cut, `deleted` lists exactly those, each once; re-created ones are output, not deleted', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.constantFrom('keep', 'delete-before', 'delete-after', 'delete-and-recreate'), { minLength: 1, maxLength: 10 }), async (fates) => {
        server.reset();
        const stored = [];
        for (let i = 0; i < fates.length; i++) stored.push(await server.repository.create({ resourceType: 'Patient', active: true }));
        const del = (id: string) => fetch(`${server.url}/Patient/${id}`, { method: 'DELETE' });
        for (const [i, p] of stored.entries()) if (fates[i] === 'delete-before') await del(p.id);
        const cut = await manifestOf(`${server.url}/$export`);
        for (const [i, p] of stored.entries()) {
          if (fates[i] === 'delete-after' || fates[i] === 'delete-and-recreate') await del(p.id);
          if (fates[i] === 'delete-and-recreate') await fetch(`${server.url}/Patient/${p.id}`, { method: 'PUT', headers: { 'content-type': 'application/fhir+json' }, body: JSON.stringify({ resourceType: 'Patient', id: p.id }) });
        }
        const since = await manifestOf(`${server.url}/$export?_since=${encodeURIComponent(cut.transactionTime)}`);
        const expected = stored.filter((_, i) => fates[i] === 'delete-after').map((p) => `Patient/${p.id}`);
        expect((await deletedIn(since)).sort()).toEqual(expected.sort());
        expect((await download(since)).map((r) => r.id).sort()).toEqual(stored.filter((_, i) => fates[i] === 'delete-and-recreate').map((p) => p.id).sort());
        // A full export has nothing to delete: no `deleted` files.
        expect((await manifestOf(`${server.url}/$export`)).deleted).toBeUndefined();
      }),
      { numRuns: 10 },
    );
  });

  it('keeps to the export: _type, and the Patient compartment of a Patient- or Group-level export', async () => {
    server.reset();
    const [a, b] = await Promise.all([1, 2].map(() => server.repository.create({ resourceType: 'Patient' })));
    const consents = [];
    for (const p of [a!, b!]) consents.push(await server.repository.create({ resourceType: 'Consent', status: 'active', scope: { text: 'x' }, category: [{ text: 'x' }], patient: { reference: `Patient/${p.id}` } }));
    const org = await server.repository.create({ resourceType: 'Organization', name: 'Agency' });
    const group = await server.repository.create({ resourceType: 'Group', type: 'person', actual: true, member: [{ entity: { reference: `Patient/${a!.id}` } }] });
    const cut = await manifestOf(`${server.url}/$export`);
    for (const c of consents) await fetch(`${server.url}/Consent/${c.id}`, { method: 'DELETE' });
    await fetch(`${server.url}/Organization/${org.id}`, { method: 'DELETE' });
    const since = `_since=${encodeURIComponent(cut.transactionTime)}`;
    expect((await deletedIn(await manifestOf(`${server.url}/$export?${since}`))).sort()).toEqual([`Consent/${consents[0]!.id}`, `Consent/${consents[1]!.id}`, `Organization/${org.id}`].sort());
    expect(await deletedIn(await manifestOf(`${server.url}/$export?${since}&_type=Organization`))).toEqual([`Organization/${org.id}`]);
    expect((await deletedIn(await manifestOf(`${server.url}/Patient/$export?${since}`))).sort()).toEqual([`Consent/${consents[0]!.id}`, `Consent/${consents[1]!.id}`].sort());
    expect(await deletedIn(await manifestOf(`${server.url}/Group/${group.id}/$export?${since}`))).toEqual([`Consent/${consents[0]!.id}`]);
  });
});

describe('Bulk Data $export on a server with a data folder and a token', () => {
  const token = 'bulk-test-token';
  const auth = { authorization: `Bearer ${token}` };
  let dir: string;
  let server: EmbeddedFhirServer;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'peer-fhir-bulk-'));
    server = await startFhirServer({ dataDir: dir, authToken: token });
    for (let i = 0; i < 50; i++) await server.repository.create({ resourceType: 'Patient', active: i % 2 === 0 });
  });
  afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes owner-only files under exports/, says requiresAccessToken, and checks the token on status and files', async () => {
    const status = await kickOff(`${server.url}/$export`, auth);
    expect((await fetch(status)).status).toBe(401);
    const manifest = (await (await fetch(status, { headers: auth })).json()) as Manifest;
    expect(manifest.requiresAccessToken).toBe(true);
    expect((await fetch(manifest.output[0]!.url)).status).toBe(401);
    expect(await download(manifest, auth)).toHaveLength(50);
    const jobDir = join(dir, 'exports', status.split('/').pop()!);
    expect(readdirSync(jobDir)).toEqual(['Patient.ndjson']);
    expect(statSync(join(jobDir, 'Patient.ndjson')).mode & 0o777).toBe(0o600);
  });

  it('sends a file gzip-compressed when the client accepts gzip', async () => {
    const manifest = await manifestOf(`${server.url}/$export`, auth);
    const body = await new Promise<Buffer>((resolve, reject) => {
      const req = httpRequest(manifest.output[0]!.url, { headers: { ...auth, 'accept-encoding': 'gzip' } }, (res) => {
        expect(res.headers['content-encoding']).toBe('gzip');
        const chunks: Buffer[] = [];
        res.on('data', (d: Buffer) => chunks.push(d));
        res.on('end', () => resolve(Buffer.concat(chunks)));
      });
      req.on('error', reject);
      req.end();
    });
    expect(gunzipSync(body).toString('utf8').trim().split('\n')).toHaveLength(50);
  });

  it('keeps its deletion log in the database: a deletion is reported after a restart', async () => {
    const cut = await manifestOf(`${server.url}/$export`, auth);
    const victim = await server.repository.create({ resourceType: 'Patient', active: false });
    await fetch(`${server.url}/Patient/${victim.id}`, { method: 'DELETE', headers: auth });
    await server.close();
    server = await startFhirServer({ dataDir: dir, authToken: token });
    const since = await manifestOf(`${server.url}/$export?_since=${encodeURIComponent(cut.transactionTime)}`, auth);
    expect(await deletedIn(since, auth)).toEqual([`Patient/${victim.id}`]);
  });
});
