// Bulk Data export end to end against the embedded server (a real implementation of the IG): every resource once,
// `_since` brings the changes only, and the job is gone after delete.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FhirBulkExportExpiredError, PeerFhirClient } from '../src/index.js';

// Typed locally so this package's typecheck does not depend on testing's dist (vitest resolves the alias to its src).
interface EmbeddedFhirServer {
  url: string;
  repository: { create(r: { resourceType: string; [k: string]: unknown }): Promise<{ id: string; meta: { lastUpdated: string } }> };
  close(): Promise<void>;
}
const testingModule: string = '@peer-fhir/testing';
const testing = (await import(testingModule)) as { startFhirServer: (o?: { authToken?: string }) => Promise<EmbeddedFhirServer> };
let server: EmbeddedFhirServer;
let client: PeerFhirClient;

beforeAll(async () => {
  server = await testing.startFhirServer({ authToken: 'embedded-token' });
  client = new PeerFhirClient({ baseUrl: server.url, auth: 'embedded-token' });
  for (let i = 0; i < 120; i++) await server.repository.create({ resourceType: 'Patient', active: true });
  for (let i = 0; i < 30; i++) await server.repository.create({ resourceType: 'Organization', name: `Agency ${i}` });
});
afterAll(() => server.close());

async function idsOf(job: Awaited<ReturnType<PeerFhirClient['bulkExport']>>, type?: string): Promise<string[]> {
  const ids: string[] = [];
  for await (const r of job.resources(type)) ids.push(`${r.resourceType}/${r.id ?? ''}`);
  return ids;
}

describe('bulkExport against the embedded server', () => {
  it('downloads every resource once, per type, and deletes the job', async () => {
    const job = await client.bulkExport();
    expect(job.manifest.requiresAccessToken).toBe(true);
    const all = await idsOf(job);
    expect(all).toHaveLength(150);
    expect(new Set(all).size).toBe(150);
    expect(await idsOf(job, 'Organization')).toHaveLength(30);
    await job.delete();
    await expect(idsOf(job)).rejects.toBeInstanceOf(FhirBulkExportExpiredError);
  });

  it('with since = the last transactionTime, transfers only what changed', async () => {
    const first = await client.bulkExport({ types: ['Patient'] });
    await first.delete();
    const changed = await client.update({ ...(await client.read('Patient', (await idsOf(await client.bulkExport({ types: ['Patient'] })))[0]!.split('/')[1]!)), active: false });
    const second = await client.bulkExport({ types: ['Patient'], since: first.manifest.transactionTime });
    expect(await idsOf(second)).toEqual([`Patient/${changed.id}`]);
    await second.delete();
  });

  it('typeFilter narrows the filtered type to its search; other types come whole', async () => {
    const job = await client.bulkExport({ typeFilter: ['Organization?name:exact=Agency 7'] });
    try {
      expect(await idsOf(job, 'Organization')).toHaveLength(1);
      expect(await idsOf(job, 'Patient')).toHaveLength(120);
    } finally {
      await job.delete();
    }
  });
});
