// Issue 12: a conditional create that finds a stored resource with other content is a conflict, named by the paths
// that differ (never the values) — not a silent "already present".
import fc from 'fast-check';
import type { Encounter } from 'fhir/r4.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PeerClient, PeerFhirClient } from '../src/index.js';
import { differingPaths } from '../src/record-all.js';
import { AGENCY_NS, encounter, organization, participant, SCOPE, specialist, testing, type EmbeddedServer } from './peer-fixtures.js';

let server: EmbeddedServer;
beforeAll(async () => {
  server = await testing.startFhirServer();
});
afterAll(() => server?.close());

const roster = { organizations: [organization()], specialists: [specialist()] };

describe('recording again what is already stored', () => {
  it('counts an identical record as unchanged', async () => {
    const peer = new PeerClient(new PeerFhirClient({ baseUrl: server.url }), SCOPE);
    const opts = { ...roster, participants: [participant('p-u')] };
    expect(await peer.recordEncounters([encounter('e-u', 'p-u')], opts)).toMatchObject({ created: 1, unchanged: 0, conflict: 0, rejected: 0 });
    expect(await peer.recordEncounters([encounter('e-u', 'p-u')], opts)).toMatchObject({ created: 0, unchanged: 1, conflict: 0, rejected: 0 });
  });

  it('reports a changed encounter as a conflict naming period.end, and leaves the stored one as it was', async () => {
    const peer = new PeerClient(new PeerFhirClient({ baseUrl: server.url }), SCOPE);
    const opts = { ...roster, participants: [participant('p-c')] };
    await peer.recordEncounters([encounter('e-c', 'p-c')], opts);
    const later = encounter('e-c', 'p-c', { end: '2025-01-14T11:20:00-05:00' });
    const summary = await peer.recordEncounters([later], opts);
    expect(summary).toMatchObject({ created: 0, unchanged: 0, conflict: 1, rejected: 0 });
    const [outcome] = summary.records;
    expect(outcome?.conflicts?.find((c) => c.resourceType === 'Encounter')?.paths).toContain('period.end');
    expect(outcome?.reason).not.toContain('11:20');
    const [stored] = (await server.repository.search('Encounter', `identifier=${AGENCY_NS}/encounter|e-c`)) as Encounter[];
    expect(stored?.period?.end).toBe('2025-01-14T10:52:00-05:00');
  });

  it('reports another person under a taken participant id as a conflict, without the name', async () => {
    const peer = new PeerClient(new PeerFhirClient({ baseUrl: server.url }), SCOPE);
    await peer.recordEncounters([encounter('e-p1', 'p-x')], { ...roster, participants: [participant('p-x')] });
    const impostor = { ...participant('p-x'), name: { family: 'Zzyzx', given: ['Other'] }, birthDate: '1971-07-07' };
    const fresh = new PeerClient(new PeerFhirClient({ baseUrl: server.url }), SCOPE);
    const summary = await fresh.recordEncounters([encounter('e-p2', 'p-x')], { participants: [impostor] });
    expect(summary.roster.conflict).toBe(1);
    expect(summary.roster.conflicts[0]).toMatchObject({ resourceType: 'Patient' });
    expect(summary.roster.conflicts[0]?.paths).toEqual(expect.arrayContaining(['birthDate', 'name[0].family']));
    const patients = await server.repository.search('Patient', `identifier=${AGENCY_NS}/participant|p-x`);
    expect(patients).toHaveLength(1);
    expect(JSON.stringify(patients)).not.toContain('Zzyzx');
    expect(JSON.stringify(summary)).not.toContain('Zzyzx');
  });
});

describe('differingPaths', () => {
  const json = fc.jsonValue({ maxDepth: 3 });
  it('finds nothing between a resource and its copy, whatever the content (property)', () => {
    fc.assert(fc.property(fc.dictionary(fc.string({ minLength: 1, maxLength: 6 }), json), (r) => {
      expect(differingPaths({ resourceType: 'Basic', ...r }, structuredClone({ resourceType: 'Basic', ...r }))).toEqual([]);
    }));
  });
  it('names the changed element and never its value (property)', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 8 }).filter((k) => !['id', 'meta', 'text', 'resourceType'].includes(k)), fc.string({ minLength: 6 }), (key, secret) => {
        const paths = differingPaths({ resourceType: 'Basic', [key]: { value: secret } }, { resourceType: 'Basic', [key]: { value: 'stored' } });
        expect(paths).toEqual([`${key}.value`]);
        if (!`${key}.value`.includes(secret)) expect(paths.join()).not.toContain(secret);
      }),
    );
  });
  it('ignores what the server owns and references it resolved', () => {
    expect(differingPaths({ resourceType: 'Encounter', subject: { reference: 'urn:uuid:1' } }, { resourceType: 'Encounter', id: '9', meta: { versionId: '2' }, subject: { reference: 'Patient/4' } })).toEqual([]);
  });
});
