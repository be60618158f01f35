// Issue 12: corrections. An amended encounter is a new version (If-Match on the version read) with a Provenance naming
// who and why; the old version stays in _history; a concurrent edit is a conflict by path, never overwritten;
// entered-in-error and cancelled cascade to what hangs off the encounter.
import fc from 'fast-check';
import type { Bundle, Condition, DocumentReference, Encounter, Patient, Provenance } from 'fhir/r4.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PeerClient, PeerFhirClient } from '../src/index.js';
import { AGENCY_NS, encounter, organization, participant, PEER_NPI, SCOPE, specialist, testing, type EmbeddedServer } from './peer-fixtures.js';

let server: EmbeddedServer;
beforeAll(async () => {
  server = await testing.startFhirServer();
});
afterAll(() => server?.close());

const peerClient = () => new PeerClient(new PeerFhirClient({ baseUrl: server.url }), SCOPE);
const roster = (...ids: string[]) => ({ organizations: [organization()], specialists: [specialist()], participants: ids.map(participant) });

async function storedEncounter(id: string, kind = 'encounter'): Promise<Encounter & { id: string }> {
  const [e] = (await server.repository.search('Encounter', `identifier=${AGENCY_NS}/${kind}|${id}`)) as (Encounter & { id: string })[];
  if (!e) throw new Error(`no stored encounter ${id}`);
  return e;
}
async function historyOf(ref: string): Promise<unknown[]> {
  const res = await fetch(`${server.url}/${ref}/_history`, { headers: { accept: 'application/fhir+json' } });
  const bundle = (await res.json()) as Bundle;
  return (bundle.entry ?? []).flatMap((e) => (e.resource ? [e.resource] : []));
}
async function provenanceFor(ref: string): Promise<Provenance[]> {
  const all = (await server.repository.search('Provenance')) as Provenance[];
  return all.filter((p) => p.target.some((t) => t.reference === ref));
}
const byEncounter = async <T>(type: string, ref: string): Promise<T[]> => (await server.repository.search(type, `encounter=${ref}`)) as T[];

describe('amendEncounter', () => {
  it('writes the corrected end time as a new version, keeps the old one in _history, and names who and why in a Provenance', async () => {
    const peer = peerClient();
    await peer.recordEncounters([encounter('a-1', 'p-a1')], roster('p-a1'));
    const outcome = await peer.amendEncounter(encounter('a-1', 'p-a1', { end: '2025-01-14T11:05:00-05:00' }), { reason: 'end time from the sign-out sheet', by: PEER_NPI });
    expect(outcome.status).toBe('updated');
    // Encounter, its diagnosis (recordedDate) and its note (context.period) all carry the end time.
    expect(outcome.updated).toBe(3);
    expect(outcome.created).toBe(0);
    const stored = await storedEncounter('a-1');
    expect(stored.period?.end).toBe('2025-01-14T11:05:00-05:00');
    const history = await historyOf(`Encounter/${stored.id}`);
    expect((history as Encounter[]).map((h) => h.period?.end).sort()).toEqual(['2025-01-14T10:52:00-05:00', '2025-01-14T11:05:00-05:00']);
    const [provenance, ...more] = await provenanceFor(`Encounter/${stored.id}`);
    expect(more).toHaveLength(0);
    expect(outcome.provenance).toBe(`Provenance/${provenance?.id}`);
    expect(provenance?.reason?.[0]?.text).toBe('end time from the sign-out sheet');
    expect(provenance?.activity?.coding?.[0]?.code).toBe('UPDATE');
    expect(provenance?.agent[0]?.who?.reference).toMatch(/^Practitioner\//);
    expect(provenance?.agent[0]?.onBehalfOf?.reference).toMatch(/^Organization\//);
    // A Provenance about Part 2 records carries their labels.
    expect(provenance?.meta?.security?.some((s) => s.code === '42CFRPart2')).toBe(true);
  });

  it('is unchanged, writing nothing, when the server already holds the correction', async () => {
    const peer = peerClient();
    await peer.recordEncounters([encounter('a-2', 'p-a2')], roster('p-a2'));
    const outcome = await peer.amendEncounter(encounter('a-2', 'p-a2'), { reason: 'no change' });
    expect(outcome).toMatchObject({ status: 'unchanged', created: 0, updated: 0, changed: [] });
    expect(await provenanceFor(`Encounter/${(await storedEncounter('a-2')).id}`)).toHaveLength(0);
  });

  it('replaces a diagnosis: the new Condition is created, the dropped one is marked entered-in-error, not deleted', async () => {
    const peer = peerClient();
    await peer.recordEncounters([encounter('a-3', 'p-a3')], roster('p-a3'));
    const enc = encounter('a-3', 'p-a3');
    const outcome = await peer.amendEncounter({ ...enc, attendees: [{ ...enc.attendees[0]!, diagnoses: ['F10.20'] }] }, { reason: 'diagnosis corrected' });
    expect(outcome).toMatchObject({ status: 'updated', created: 1 });
    const conditions = await byEncounter<Condition>('Condition', `Encounter/${(await storedEncounter('a-3')).id}`);
    const status = (code: string) => conditions.find((c) => c.code?.coding?.[0]?.code === code)?.verificationStatus?.coding?.[0]?.code;
    expect(status('F10.20')).toBe('confirmed');
    expect(status('F11.20')).toBe('entered-in-error');
    // R4 con-5: no clinicalStatus on a condition entered in error.
    expect(conditions.find((c) => c.code?.coding?.[0]?.code === 'F11.20')?.clinicalStatus).toBeUndefined();
  });

  it('gives a conflict naming the differing paths, never values, when the stored version is newer than the one read', async () => {
    const peer = peerClient();
    await peer.recordEncounters([encounter('a-4', 'p-a4')], roster('p-a4'));
    const read = await storedEncounter('a-4');
    // Someone else corrects it first.
    await peerClient().amendEncounter(encounter('a-4', 'p-a4', { end: '2025-01-14T10:40:00-05:00' }), { reason: 'first edit' });
    const outcome = await peer.amendEncounter(encounter('a-4', 'p-a4', { end: '2025-01-14T11:30:00-05:00' }), { reason: 'second edit', ifMatch: read.meta?.versionId });
    expect(outcome.status).toBe('conflict');
    expect(outcome.conflict?.paths).toContain('period.end');
    expect(JSON.stringify(outcome)).not.toMatch(/10:40|11:30/);
    expect((await storedEncounter('a-4')).period?.end).toBe('2025-01-14T10:40:00-05:00');
  });

  it('records an encounter that is not on the server yet (created)', async () => {
    const peer = peerClient();
    await peer.recordEncounters([], roster('p-a5'));
    const outcome = await peer.amendEncounter(encounter('a-5', 'p-a5'), { reason: 'late entry' });
    expect(outcome.status).toBe('created');
    expect(outcome.created).toBeGreaterThanOrEqual(1);
  });

  it('leaves the server holding the last amendment of any sequence, with one history version per change (property)', async () => {
    const peer = peerClient();
    await peer.recordEncounters([encounter('a-6', 'p-a6')], roster('p-a6'));
    const ends = fc.integer({ min: 1, max: 180 }).map((m) => new Date(Date.parse('2025-01-14T15:00:00Z') + m * 60_000).toISOString().replace('.000Z', 'Z'));
    const dx = fc.constantFrom<string[]>(['F11.20'], ['F10.20'], ['F11.20', 'F10.20'], ['F15.20']);
    let versions = 1;
    let last = encounter('a-6', 'p-a6');
    await fc.assert(
      fc.asyncProperty(ends, dx, async (end, diagnoses) => {
        const next = { ...last, end, attendees: [{ ...last.attendees[0]!, diagnoses }] };
        const outcome = await peer.amendEncounter(next, { reason: 'property' });
        const changed = JSON.stringify(next) !== JSON.stringify(last);
        expect(outcome.status).toBe(changed ? 'updated' : 'unchanged');
        if (changed) versions++;
        last = next;
        const [readBack] = await peerPage(peer, 'p-a6');
        expect(readBack?.end).toBe(end);
        expect(readBack?.attendees[0]?.diagnoses).toEqual(diagnoses);
        expect(await historyOf(`Encounter/${(await storedEncounter('a-6')).id}`)).toHaveLength(versions);
      }),
      { numRuns: 12, seed: 12 },
    );
  });
});

async function peerPage(peer: PeerClient, participantId: string) {
  const out = [];
  for await (const e of peer.findEncounters({ participantId })) out.push(e);
  return out;
}

describe('markEnteredInError and cancelEncounter', () => {
  it('marks the encounter, its diagnoses and its note entered-in-error in one correction with a NULLIFY Provenance', async () => {
    const peer = peerClient();
    await peer.recordEncounters([encounter('v-1', 'p-v1')], roster('p-v1'));
    const outcome = await peer.markEnteredInError('v-1', { reason: 'recorded for the wrong participant' });
    expect(outcome).toMatchObject({ status: 'updated', updated: 3, created: 0 });
    const stored = await storedEncounter('v-1');
    expect(stored.status).toBe('entered-in-error');
    const [condition] = await byEncounter<Condition>('Condition', `Encounter/${stored.id}`);
    expect(condition?.verificationStatus?.coding?.[0]?.code).toBe('entered-in-error');
    expect(condition?.clinicalStatus).toBeUndefined();
    const [note] = await byEncounter<DocumentReference>('DocumentReference', `Encounter/${stored.id}`);
    expect(note?.status).toBe('entered-in-error');
    const [provenance] = await provenanceFor(`Encounter/${stored.id}`);
    expect(provenance?.activity?.coding?.[0]?.code).toBe('NULLIFY');
    expect(provenance?.agent[0]?.who?.reference).toMatch(/^Organization\//);
    expect(await peer.markEnteredInError('v-1', { reason: 'again' })).toMatchObject({ status: 'unchanged', updated: 0 });
  });

  it('cancels a group session and every attendee Encounter with an ABORT Provenance', async () => {
    const peer = peerClient();
    const group = encounter('g-1', 'p-g1', {
      mode: 'group',
      groupId: 'grp-1',
      attendees: [
        { participantId: 'p-g1', diagnoses: ['F11.20'], goalIds: [] },
        { participantId: 'p-g2', diagnoses: ['F10.20'], goalIds: [] },
      ],
    });
    await peer.recordEncounters([group], roster('p-g1', 'p-g2'));
    const outcome = await peer.cancelEncounter('g-1', { reason: 'facilitator ill' });
    expect(outcome).toMatchObject({ status: 'updated', updated: 3 });
    const parent = await storedEncounter('g-1', 'group-session');
    expect(parent.status).toBe('cancelled');
    const children = (await server.repository.search('Encounter', `part-of=Encounter/${parent.id}`)) as Encounter[];
    expect(children.map((c) => c.status)).toEqual(['cancelled', 'cancelled']);
    const [provenance] = await provenanceFor(`Encounter/${parent.id}`);
    expect(provenance?.activity?.coding?.[0]?.code).toBe('ABORT');
  });

  it('names neither the id nor anything stored when the encounter does not exist', async () => {
    await expect(peerClient().markEnteredInError('nope-1', { reason: 'x' })).rejects.toMatchObject({ code: 'client.peer.record-not-found' });
  });
});

describe('amendParticipant', () => {
  it('replaces a corrected name as a new Patient version with a Provenance; the old name stays in _history', async () => {
    const peer = peerClient();
    await peer.recordEncounters([], roster('p-n1'));
    const corrected = { ...participant('p-n1'), name: { family: 'Okafor', given: ['Ada'] } };
    const outcome = await peer.amendParticipant(corrected, { reason: 'name corrected' });
    expect(outcome).toMatchObject({ status: 'updated', updated: 1 });
    const [patient] = (await server.repository.search('Patient', `identifier=${AGENCY_NS}/participant|p-n1`)) as Patient[];
    expect(patient?.name?.[0]?.family).toBe('Okafor');
    expect(await historyOf(`Patient/${patient?.id}`)).toHaveLength(2);
    expect(await provenanceFor(`Patient/${patient?.id}`)).toHaveLength(1);
    expect(await peer.amendParticipant(corrected, { reason: 'again' })).toMatchObject({ status: 'unchanged' });
  });
});
