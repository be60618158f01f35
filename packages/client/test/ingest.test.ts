// Ingest (issue 21): an EHR's NDJSON becomes peer-fhir domain records through core's fromFhir, streaming the text; a
// line that is not a resource, or a resource that does not map, is a reject with its line, path and code (never a
// value), and everything else still comes through.
import { fromFhir, toFhir, type DomainRecords } from '@peer-fhir/core';
import { generateAgency } from '@peer-fhir/testing';
import type { Encounter, FhirResource } from 'fhir/r4.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestNdjson, ingestResources, PeerFhirClient } from '../src/index.js';

const agency = generateAgency({ seed: 21, months: 1, participants: 6 });
const records: DomainRecords = {
  organizations: [agency.organization],
  specialists: agency.specialists,
  participants: agency.participants,
  encounters: agency.encounters,
  plans: agency.plans,
  consents: agency.consents,
};
let resources: FhirResource[] = [];

// An EHR's export: the records written to a server (literal Type/id references), then exported with Bulk Data.
const testingModule: string = '@peer-fhir/testing';
const testing = (await import(testingModule)) as { startFhirServer: () => Promise<{ url: string; close(): Promise<void> }> };
let server: { url: string; close(): Promise<void> };
beforeAll(async () => {
  server = await testing.startFhirServer();
  const client = new PeerFhirClient({ baseUrl: server.url });
  await client.transaction(toFhir(records));
  const job = await client.bulkExport();
  for await (const r of job.resources()) resources.push(r);
  await job.delete();
});
afterAll(() => server.close());

/**
 * The first Encounter whose loss of `period` core's fromFhir refuses (an attendee's encounter of a group session takes
 * its time from the session, so not every one does), and that no other Encounter depends on.
 */
function standaloneEncounter(list: FhirResource[]): number {
  const encounters = list.filter((r) => r.resourceType === 'Encounter').map((r) => JSON.stringify(r)).join('\n');
  return list.findIndex((r, i) => {
    if (r.resourceType !== 'Encounter' || encounters.includes(`"Encounter/${r.id}"`)) return false;
    const copy = list.slice();
    copy[i] = { ...r, period: undefined };
    try {
      fromFhir(copy);
      return false;
    } catch {
      return true;
    }
  });
}

async function* chunks(text: string, size: number): AsyncGenerator<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

describe('ingestNdjson', () => {
  it('reads every record peer-fhir wrote back into the domain model, whatever the chunking', async () => {
    const text = resources.map((r) => JSON.stringify(r)).join('\n');
    const { records: got, rejects, read } = await ingestNdjson(chunks(text, 97));
    expect(rejects).toEqual([]);
    expect(read).toBe(resources.length);
    expect(got.encounters).toHaveLength(agency.encounters.length);
    expect(got.participants).toHaveLength(agency.participants.length);
    expect(got.consents).toHaveLength(agency.consents.length);
  });

  it('rejects a broken line and an unmappable encounter by line, path and code, and keeps the rest', async () => {
    const lines = resources.map((r) => JSON.stringify(r));
    const at = standaloneEncounter(resources);
    const broken = structuredClone(resources[at]) as Encounter;
    delete broken.period;
    lines[at] = JSON.stringify(broken);
    lines.splice(2, 0, '{"resourceType": "Patient", "name": "Synthia Zyxwvut 998877"'); // not JSON
    const { records: got, rejects } = await ingestNdjson(chunks(lines.join('\n'), 4096));
    expect(rejects[0]).toEqual({ line: 3, resourceType: undefined, path: '', code: 'ndjson.not-json' });
    // The broken encounter is rejected at its line (one line was inserted before it); encounters of the same session
    // that cannot be read without it go too; participants and consents all come through.
    expect(rejects.some((r) => r.line === at + 2 && r.resourceType === 'Encounter')).toBe(true);
    expect(rejects.slice(1).every((r) => r.resourceType === 'Encounter')).toBe(true);
    expect(got.encounters.length).toBeLessThan(agency.encounters.length);
    expect(got.participants).toHaveLength(agency.participants.length);
    expect(got.consents).toHaveLength(agency.consents.length);
    expect(JSON.stringify(rejects)).not.toContain('998877');
  });
});

describe('ingestResources', () => {
  it('numbers rejects by position in the stream', async () => {
    const list = resources.map((r) => structuredClone(r));
    const at = standaloneEncounter(list);
    delete (list[at] as Encounter).period;
    const { rejects, records: got } = await ingestResources(list);
    expect(rejects.map((r) => r.line)).toContain(at + 1);
    expect(rejects.every((r) => list[r.line - 1]?.resourceType === 'Encounter')).toBe(true);
    expect(got.encounters.length).toBeLessThan(agency.encounters.length);
  });
});
