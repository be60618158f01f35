import type { Encounter, Patient } from 'fhir/r4.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FhirNotFoundError, FhirPreconditionFailedError, PeerFhirClient, type RecordEntries } from '../src/index.js';

// Flows whose behaviour depends on a real FHIR server: the embedded one from @peer-fhir/testing.
// Typed locally so this package's typecheck does not depend on whether testing's dist is built
// (vitest resolves the alias to its src).
interface EmbeddedFhirServer {
  url: string;
  close(): Promise<void>;
}
const testingModule: string = '@peer-fhir/testing';
const testing = (await import(testingModule)) as { startFhirServer?: () => Promise<EmbeddedFhirServer> };
const startFhirServer = testing.startFhirServer;
let server: EmbeddedFhirServer;
let client: PeerFhirClient;
const SYS = 'urn:example:peer-flow';

beforeAll(async () => {
  if (!startFhirServer) return;
  server = await startFhirServer();
  client = new PeerFhirClient({ baseUrl: server.url });
});
afterAll(() => server?.close());

const patient = (value: string): Patient => ({ resourceType: 'Patient', identifier: [{ system: SYS, value }], name: [{ family: 'Flowtest' }] });

describe.runIf(startFhirServer !== undefined)('against the embedded FHIR server', () => {
  it('creates, reads, updates with If-Match and deletes', async () => {
    const created = await client.create(patient('crud-1')).withResponse();
    expect(created.status).toBe(201);
    const read = await client.read('Patient', created.data.id);
    expect(read.meta.versionId).toBe(created.data.meta.versionId);
    const updated = await client.update({ ...read, active: true });
    expect(updated.meta.versionId).not.toBe(read.meta.versionId);
    await expect(client.update({ ...read, active: false })).rejects.toBeInstanceOf(FhirPreconditionFailedError);
    await client.delete('Patient', read.id);
    await expect(client.read('Patient', read.id)).rejects.toSatisfy((e) => e instanceof FhirNotFoundError || (e as { status?: number }).status === 410);
  });

  it('conditional create answers 201 then 200 with the same resource', async () => {
    const first = await client.create(patient('cc-1'), { ifNoneExist: `identifier=${SYS}|cc-1` }).withResponse();
    const second = await client.create(patient('cc-1'), { ifNoneExist: `identifier=${SYS}|cc-1` }).withResponse();
    expect([first.status, second.status]).toEqual([201, 200]);
    expect(second.data.id).toBe(first.data.id);
  });

  it('searchAll follows the server paging links', async () => {
    await Promise.all(Array.from({ length: 7 }, (_, i) => client.create(patient(`page-${i}`), { ifNoneExist: `identifier=${SYS}|page-${i}` })));
    const ids: string[] = [];
    let pages = 0;
    for await (const _ of client.searchPages('Patient', { family: 'Flowtest', _count: 3 })) pages++;
    for await (const p of client.searchAll('Patient', { family: 'Flowtest', _count: 3 })) ids.push(p.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBeGreaterThanOrEqual(7);
    expect(pages).toBeGreaterThanOrEqual(3);
  });

  it('recordAll lands records once; a re-run finds them all existing', async () => {
    const records: RecordEntries[] = Array.from({ length: 12 }, (_, i) => {
      const pUrl = `urn:uuid:10000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
      const enc: Encounter = { resourceType: 'Encounter', identifier: [{ system: SYS, value: `enc-${i}` }], status: 'finished', class: { code: 'AMB' }, subject: { reference: pUrl } };
      return [
        { fullUrl: pUrl, resource: patient(`rec-${i}`), request: { method: 'POST', url: 'Patient', ifNoneExist: `identifier=${SYS}|rec-${i}` } },
        { resource: enc, request: { method: 'POST', url: 'Encounter', ifNoneExist: `identifier=${SYS}|enc-${i}` } },
      ];
    });
    const first = await client.recordAll(records, { bundleSize: 6, concurrency: 2 });
    expect(first).toMatchObject({ created: 12, existing: 0, failed: 0 });
    const again = await client.recordAll(records, { bundleSize: 6, concurrency: 2 });
    expect(again).toMatchObject({ created: 0, existing: 12, failed: 0 });
    const encounters = await client.search('Encounter', { identifier: `${SYS}|enc-3` });
    expect(encounters.entry).toHaveLength(1);
    expect(encounters.entry?.[0]?.resource?.subject?.reference).toMatch(/^Patient\//);
  });
});
