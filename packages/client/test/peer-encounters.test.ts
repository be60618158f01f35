import type { PeerEncounter } from '@peer-fhir/core';
import { PeerFhirValidationError } from '@peer-fhir/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateAgency } from '../../testing/src/synthetic/index.js';
import { PeerClient, PeerFhirClient, type RecordAllSummary } from '../src/index.js';
import { encounter, NS, SCOPE, AGENCY_NS, organization, participant, specialist, testing, type EmbeddedServer } from './peer-fixtures.js';

let server: EmbeddedServer;
beforeAll(async () => {
  server = await testing.startFhirServer();
});
afterAll(() => server?.close());

const sortAttendees = (e: PeerEncounter): PeerEncounter => ({ ...e, attendees: [...e.attendees].sort((a, b) => a.participantId.localeCompare(b.participantId)) });

describe('recordEncounter', () => {
  it('records an individual encounter with the records it refers to and returns the ids', async () => {
    const peer = new PeerClient(new PeerFhirClient({ baseUrl: server.url }), SCOPE);
    const result = await peer.recordEncounter(encounter('e-ind-1', 'p-ind-1'), { participants: [participant('p-ind-1')], specialist: specialist(), organization: organization() });
    expect(result.created).toBe(true);
    expect(result.encounterIds).toHaveLength(1);
    expect(result.encounterIds[0]).toMatch(/^Encounter\//);
    expect(result.conditionIds).toHaveLength(1);
    expect(result.documentReferenceIds).toHaveLength(1);
  });

  it('re-recording the same encounter creates nothing and returns the same ids', async () => {
    const peer = new PeerClient(new PeerFhirClient({ baseUrl: server.url }), SCOPE);
    const first = await peer.recordEncounter(encounter('e-ind-2', 'p-ind-1'), { participants: [participant('p-ind-1')], specialist: specialist(), organization: organization() });
    const again = await peer.recordEncounter(encounter('e-ind-2', 'p-ind-1'));
    expect(again.created).toBe(false);
    expect(again.resources.every((r) => !r.created)).toBe(true);
    expect(again.encounterIds).toEqual(first.encounterIds);
    expect(await server.repository.search('Encounter', `identifier=${AGENCY_NS}/encounter|e-ind-2`)).toHaveLength(1);
  });

  it('finds participants, specialist and agency already on the server by identifier', async () => {
    // A fresh PeerClient has an empty cache: the references come from identifier searches.
    const peer = new PeerClient(new PeerFhirClient({ baseUrl: server.url }), SCOPE);
    const result = await peer.recordEncounter(encounter('e-ind-3', 'p-ind-1'));
    expect(result.resources.filter((r) => r.created).map((r) => r.resourceType).sort()).toEqual(['Condition', 'DocumentReference', 'Encounter']);
  });

  it('surfaces core validation errors with paths and without values, before sending anything', async () => {
    const peer = new PeerClient(new PeerFhirClient({ baseUrl: server.url }), SCOPE);
    const bad = encounter('e-bad-1', 'p-ind-1', { end: '2025-01-14T09:00:00-05:00' });
    const error = await peer.recordEncounter(bad).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PeerFhirValidationError);
    expect((error as PeerFhirValidationError).issues.map((i) => i.path)).toContain('encounters[0].end');
    expect((error as Error).message).not.toContain('09:00');
    const missing = await peer.recordEncounter(encounter('e-bad-2', 'p-nobody')).catch((e: unknown) => e);
    expect((missing as PeerFhirValidationError).issues[0]).toMatchObject({ code: 'missing_reference', path: 'encounters[0].attendees[0].participantId' });
  });
});

describe('a year of synthetic encounters', () => {
  const agency = generateAgency({ seed: 1, months: 12, participants: 20 });
  let summary: RecordAllSummary;
  let seconds = 0;

  beforeAll(async () => {
    const peer = new PeerClient(new PeerFhirClient({ baseUrl: server.url }), { agency: agency.organization.npi, namespace: NS });
    const t0 = performance.now();
    summary = await peer.recordEncounters(agency.encounters, {
      organizations: [agency.organization],
      specialists: agency.specialists,
      participants: agency.participants,
      bundleSize: 100,
      concurrency: 4,
    });
    seconds = (performance.now() - t0) / 1000;
    console.info(`recorded ${agency.encounters.length} encounters in ${seconds.toFixed(1)} s (${(agency.encounters.length / seconds).toFixed(0)}/s)`);
  }, 120_000);

  it('lands every encounter once, read back page by page', async () => {
    expect(summary).toMatchObject({ total: agency.encounters.length, created: agency.encounters.length, failed: 0 });
    const client = new PeerFhirClient({ baseUrl: server.url });
    const individual = new Map<string, number>();
    const sessions = new Map<string, number>();
    const agencyNs = `${NS}/agency/${agency.organization.npi}`;
    for await (const e of client.searchAll('Encounter', { _count: 50 })) {
      for (const i of e.identifier ?? []) {
        if (i.system === `${agencyNs}/encounter`) individual.set(i.value ?? '', (individual.get(i.value ?? '') ?? 0) + 1);
        if (i.system === `${agencyNs}/group-session`) sessions.set(i.value ?? '', (sessions.get(i.value ?? '') ?? 0) + 1);
      }
    }
    const want = agency.encounters.filter((e) => e.mode === 'individual').map((e) => e.id);
    const wantSessions = agency.encounters.filter((e) => e.mode === 'group').map((e) => e.id);
    expect([...individual.keys()].filter((k) => k.startsWith('enc-')).sort()).toEqual([...want].sort());
    expect([...sessions.keys()].sort()).toEqual([...wantSessions].sort());
    expect([...individual.values(), ...sessions.values()].every((n) => n === 1)).toBe(true);
  });

  it('re-recording the year creates nothing', async () => {
    const peer = new PeerClient(new PeerFhirClient({ baseUrl: server.url }), { agency: agency.organization.npi, namespace: NS });
    // A slice keeps the linear-scan test server quick; every entry is a conditional create either way.
    const slice = agency.encounters.slice(0, 120);
    const again = await peer.recordEncounters(slice, { organizations: [agency.organization], specialists: agency.specialists, participants: agency.participants });
    expect(again).toMatchObject({ created: 0, existing: slice.length, failed: 0 });
  }, 120_000);

  it("findEncounters reads a participant's encounters back equal to the inputs, group sessions included", async () => {
    const peer = new PeerClient(new PeerFhirClient({ baseUrl: server.url }), { agency: agency.organization.npi, namespace: NS });
    for (const p of agency.participants.slice(0, 1)) {
      const found: PeerEncounter[] = [];
      for await (const e of peer.findEncounters({ participantId: p.id }, { pageSize: 50 })) found.push(e);
      const want = agency.encounters.filter((e) => e.attendees.some((a) => a.participantId === p.id));
      expect(found.map((e) => e.id).sort()).toEqual(want.map((e) => e.id).sort());
      const byId = new Map(want.map((e) => [e.id, e]));
      for (const e of found) expect(sortAttendees(e)).toEqual(sortAttendees(byId.get(e.id)!));
    }
  }, 180_000);

  it('findEncounters filters by specialist, agency, dates and program', async () => {
    const peer = new PeerClient(new PeerFhirClient({ baseUrl: server.url }), { agency: agency.organization.npi, namespace: NS });
    const s = agency.specialists[0]!;
    const q = { specialistNpi: s.npi, organizationNpi: agency.organization.npi, from: '2025-03-01', to: '2025-03-31' };
    const found: PeerEncounter[] = [];
    for await (const e of peer.findEncounters(q)) found.push(e);
    const want = agency.encounters.filter((e) => e.specialistNpi === s.npi && e.start.slice(0, 10) >= '2025-03-01' && e.start.slice(0, 10) <= '2025-03-31');
    expect(found.map((e) => e.id).sort()).toEqual(want.map((e) => e.id).sort());
    const program = want[0]?.program ?? 'substance-use';
    const inProgram: string[] = [];
    for await (const e of peer.findEncounters({ ...q, program })) inProgram.push(e.id);
    expect(inProgram.sort()).toEqual(want.filter((e) => e.program === program).map((e) => e.id).sort());
    const limited: string[] = [];
    for await (const e of peer.findEncounters({}, { maxResources: 7 })) limited.push(e.id);
    expect(limited).toHaveLength(7);
  }, 180_000);

  it('findEncounterParticipants names each participant of a period with the encounters it attends; readEncounters reads them as findEncounters does', async () => {
    const peer = new PeerClient(new PeerFhirClient({ baseUrl: server.url }), { agency: agency.organization.npi, namespace: NS });
    const month = { from: '2025-03-01', to: '2025-03-31' };
    const inMonth = agency.encounters.filter((e) => e.start.slice(0, 10) >= month.from && e.start.slice(0, 10) <= month.to);
    const byParticipant = await peer.findEncounterParticipants({ organizationNpi: agency.organization.npi, ...month }, { startsIn: month });
    expect([...byParticipant.keys()]).toEqual([...new Set(inMonth.flatMap((e) => e.attendees.map((a) => a.participantId)))].sort());
    for (const [id, refs] of [...byParticipant.entries()].slice(0, 3)) {
      const read = await peer.readEncounters(refs);
      const want = inMonth.filter((e) => e.attendees.some((a) => a.participantId === id));
      expect(read.map((e) => e.id).sort()).toEqual(want.map((e) => e.id).sort());
      const byId = new Map(want.map((e) => [e.id, e]));
      // A group session comes whole, with the attendees of every chunk.
      for (const e of read) expect(sortAttendees(e)).toEqual(sortAttendees(byId.get(e.id)!));
    }
  }, 180_000);

  it('readEncounterEntries gives what readEncounters reads, in its order, each with the reference it was read by', async () => {
    const peer = new PeerClient(new PeerFhirClient({ baseUrl: server.url }), { agency: agency.organization.npi, namespace: NS });
    const month = { from: '2025-03-01', to: '2025-03-31' };
    const byParticipant = await peer.findEncounterParticipants({ organizationNpi: agency.organization.npi, ...month }, { startsIn: month });
    const refs = [...new Set([...byParticipant.values()].flat())];
    // Shuffled, with a repeat and a reference to nothing: order kept, each encounter once, the missing one left out.
    const asked = [...refs.slice(3), 'Encounter/not-stored', ...refs.slice(0, 3), refs[0]!];
    const entries = await peer.readEncounterEntries(asked);
    expect(entries.map((e) => e.encounter)).toEqual(await peer.readEncounters(asked));
    expect(entries.map((e) => e.reference)).toEqual([...refs.slice(3), ...refs.slice(0, 3)]);
    // Each reference names the encounter it was read by: read alone, it gives the same record.
    for (const { reference, encounter } of entries.slice(0, 5)) expect(await peer.readEncounters([reference!])).toEqual([encounter]);
    expect(entries.some((e) => e.encounter.mode === 'group')).toBe(true);
  }, 180_000);
});
